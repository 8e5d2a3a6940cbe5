/**
 * Opening a daemon's SQLite database the one way they all need: WAL (readers never wait for the
 * writer), `synchronous = FULL` (what a daemon acknowledged survives a power cut), foreign keys on,
 * a busy timeout, and the schema brought up to date by `user_version` migrations.
 */
import { createRequire } from "node:module";
import { QuipuError } from "../../errors/quipu-error.js";
import type { SqliteDatabase, SqliteDriver } from "./sqlite-database.js";

export interface OpenSqliteDatabaseOptions<D extends SqliteDatabase> {
  /** Path of the database file, or `:memory:`. */
  readonly filename: string;
  /**
   * The schema as SQL scripts: script `i` takes a database from version `i` to `i + 1`, so the
   * current version is `migrations.length`. Only ever append.
   */
  readonly migrations: readonly string[];
  /** What the database is, for errors: `chacra database` → "cannot open the chacra database: …". */
  readonly what: string;
  /** Default better-sqlite3 (an optional peer of @quipu/core), loaded on first use. */
  readonly driver?: SqliteDriver<D> | undefined;
}

/**
 * Opens (creating and migrating as needed) a SQLite database. A file that cannot be opened, or
 * whose schema is newer than `migrations` know, is a `QUIPU_STORE_UNAVAILABLE` naming the file.
 */
export function openSqliteDatabase<D extends SqliteDatabase = SqliteDatabase>(options: OpenSqliteDatabaseOptions<D>): D {
  const { filename, what } = options;
  let db: D;
  try {
    const Driver = options.driver ?? (loadBetterSqlite3() as unknown as SqliteDriver<D>);
    db = new Driver(filename);
  } catch (error) {
    throw new QuipuError("QUIPU_STORE_UNAVAILABLE", `cannot open the ${what}: ${(error as Error).message}`, {
      details: { filename },
      cause: error,
    });
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  try {
    migrate(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrate(db: SqliteDatabase, options: OpenSqliteDatabaseOptions<SqliteDatabase>): void {
  const latest = options.migrations.length;
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > latest) {
    throw new QuipuError(
      "QUIPU_STORE_UNAVAILABLE",
      `the ${options.what} has schema version ${current}, newer than this release understands (${latest})`,
      { details: { filename: options.filename, version: current } },
    );
  }
  for (let version = current; version < latest; version += 1) {
    db.transaction(() => {
      db.exec(options.migrations[version] ?? "");
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

function loadBetterSqlite3(): SqliteDriver<SqliteDatabase> {
  try {
    return createRequire(import.meta.url)("better-sqlite3") as SqliteDriver<SqliteDatabase>;
  } catch (error) {
    throw new Error(`better-sqlite3 is not installed (an optional peer dependency of @quipu/core): ${(error as Error).message}`, { cause: error });
  }
}
