/**
 * `@quipu/core/sqlite` against real better-sqlite3 databases in a temp directory: the pragmas,
 * `user_version` migrations applied once and in order, a newer schema refused, nested transactions.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteDatabase, runInTransaction } from "../../src/adapters/sqlite/index.js";

const root = mkdtempSync(join(tmpdir(), "quipu-sqlite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MIGRATIONS = ["CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL);", "ALTER TABLE a ADD COLUMN extra TEXT;"];

describe("openSqliteDatabase", () => {
  it("opens in WAL mode with full sync, foreign keys and a busy timeout, and applies every migration", () => {
    const db = openSqliteDatabase({ driver: Database, filename: join(root, "fresh.db"), migrations: MIGRATIONS, what: "test database" });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("synchronous", { simple: true })).toBe(2);
      expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
      expect(db.pragma("user_version", { simple: true })).toBe(2);
      db.prepare("INSERT INTO a(name, extra) VALUES (?, ?)").run("x", "y");
    } finally {
      db.close();
    }
  });

  it("runs only the migrations a database has not had, and keeps its rows", () => {
    const filename = join(root, "upgrade.db");
    openSqliteDatabase({ driver: Database, filename, migrations: MIGRATIONS.slice(0, 1), what: "test database" })
      .exec("INSERT INTO a(name) VALUES ('kept')")
      .close();
    const db = openSqliteDatabase({ driver: Database, filename, migrations: MIGRATIONS, what: "test database" });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(2);
      expect(db.prepare("SELECT name, extra FROM a").all()).toEqual([{ name: "kept", extra: null }]);
    } finally {
      db.close();
    }
  });

  it("loads better-sqlite3 itself when no driver is given", () => {
    const db = openSqliteDatabase({ filename: ":memory:", migrations: MIGRATIONS, what: "test database" });
    expect(db.pragma("user_version", { simple: true })).toBe(2);
    db.close();
    expect(db.open).toBe(false);
  });

  it("refuses a database written by a newer release, naming the file", () => {
    const filename = join(root, "newer.db");
    const raw = new Database(filename);
    raw.pragma("user_version = 7");
    raw.close();
    expect(() => openSqliteDatabase({ driver: Database, filename, migrations: MIGRATIONS, what: "test database" })).toThrow(
      expect.objectContaining({
        code: "QUIPU_STORE_UNAVAILABLE",
        message: "the test database has schema version 7, newer than this release understands (2)",
        details: { filename, version: 7 },
      }),
    );
  });

  it("reports a file it cannot open as QUIPU_STORE_UNAVAILABLE", () => {
    const filename = join(root, "missing-dir", "x.db");
    expect(() => openSqliteDatabase({ driver: Database, filename, migrations: MIGRATIONS, what: "test database" })).toThrow(
      expect.objectContaining({ code: "QUIPU_STORE_UNAVAILABLE", details: { filename } }),
    );
    expect(() => openSqliteDatabase({ driver: Database, filename, migrations: MIGRATIONS, what: "test database" })).toThrow(
      /^cannot open the test database: /,
    );
  });

  it("rolls a failing migration back whole", () => {
    const filename = join(root, "failing.db");
    writeFileSync(filename, "");
    expect(() =>
      openSqliteDatabase({ driver: Database, filename, migrations: ["CREATE TABLE b (id INTEGER); INSERT INTO nowhere VALUES (1);"], what: "test database" }),
    ).toThrow(/no such table: nowhere/);
    const raw = new Database(filename);
    expect(raw.pragma("user_version", { simple: true })).toBe(0);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").all()).toEqual([]);
    raw.close();
  });
});

describe("runInTransaction", () => {
  it("commits all or nothing, and nested calls join the outer transaction", () => {
    const db = openSqliteDatabase({ driver: Database, filename: join(root, "tx.db"), migrations: MIGRATIONS, what: "test database" });
    try {
      const insert = db.prepare("INSERT INTO a(name) VALUES (?)");
      const count = () => db.prepare("SELECT COUNT(*) FROM a").pluck().get();
      expect(
        runInTransaction(db, () => {
          insert.run("outer");
          return runInTransaction(db, () => {
            insert.run("inner");
            return db.inTransaction;
          });
        }),
      ).toBe(true);
      expect(count()).toBe(2);
      expect(() =>
        runInTransaction(db, () => {
          insert.run("lost");
          runInTransaction(db, () => insert.run("lost too"));
          throw new Error("abort");
        }),
      ).toThrow("abort");
      expect(count()).toBe(2);
      expect(db.inTransaction).toBe(false);
    } finally {
      db.close();
    }
  });
});
