/**
 * The part of a better-sqlite3 `Database` that quipu's SQLite helpers use, declared structurally
 * (kysely's `SqliteDatabase` move): better-sqlite3 satisfies it, and so does anything shaped alike.
 * Stores keep their own, fuller type by passing the driver in (`driver: Database`).
 */
export interface SqliteDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  transaction<T>(fn: () => T): SqliteTransaction<T>;
  close(): unknown;
}

/** A function wrapped in BEGIN … COMMIT (ROLLBACK when it throws). */
export interface SqliteTransaction<T> {
  /** Runs with a deferred BEGIN. */
  (): T;
  /** Runs with BEGIN IMMEDIATE: takes the write lock up front, so it never fails on upgrading. */
  immediate(): T;
}

/** Opens a database file (or `:memory:`): better-sqlite3's default export is one. */
export type SqliteDriver<D extends SqliteDatabase> = new (filename: string) => D;
