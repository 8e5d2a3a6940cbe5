import type { SqliteDatabase } from "./sqlite-database.js";

/**
 * Runs `fn` in one write transaction (BEGIN IMMEDIATE): all its writes land, or none do. Called
 * inside another transaction, `fn` joins the outer one, so store methods compose.
 */
export function runInTransaction<T>(db: SqliteDatabase, fn: () => T): T {
  if (db.inTransaction) return fn();
  return db.transaction(fn).immediate();
}
