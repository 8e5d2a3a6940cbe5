/**
 * `@quipu/core/sqlite` — opening the daemons' SQLite databases (pragmas, `user_version`
 * migrations, a newer schema refused) and nested write transactions. better-sqlite3 is an optional
 * peer of @quipu/core, needed only by this subpath; it enters through the structural
 * `SqliteDatabase` interface, so a store passes its own import in and keeps better-sqlite3's types.
 */
export { openSqliteDatabase, type OpenSqliteDatabaseOptions } from "./open-sqlite-database.js";
export { runInTransaction } from "./run-in-transaction.js";
export type { SqliteDatabase, SqliteDriver, SqliteTransaction } from "./sqlite-database.js";
