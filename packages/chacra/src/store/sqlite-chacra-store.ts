/**
 * The embedded default chacra store: one SQLite file through better-sqlite3, WAL mode so readers
 * never wait for the writer. Unique indexes enforce what the original only checked in code (one
 * binary per address, one repo per key).
 */
import Database from "better-sqlite3";
import { QuipuError, type RepoStatus, type RepoType } from "@quipu/core";
import { openSqliteDatabase, runInTransaction } from "@quipu/core/sqlite";
import type {
  BinaryAddress,
  BinaryFields,
  BinaryFilter,
  BinaryRecord,
  ChacraStore,
  PendingCallbackRecord,
  RepoAddress,
  RepoFilter,
  RepoPatch,
  RepoRecord,
} from "./chacra-store.js";

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    name TEXT PRIMARY KEY,
    created INTEGER NOT NULL
  );
  CREATE TABLE repos (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL REFERENCES projects(name),
    ref TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    distro TEXT NOT NULL,
    distro_version TEXT NOT NULL,
    flavor TEXT NOT NULL,
    type TEXT,
    path TEXT,
    needs_update INTEGER NOT NULL DEFAULT 0,
    is_queued INTEGER NOT NULL DEFAULT 0,
    is_updating INTEGER NOT NULL DEFAULT 0,
    status TEXT,
    generation INTEGER NOT NULL DEFAULT 0,
    dirty_since INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    failure TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    built_at INTEGER,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX repos_key ON repos(project, ref, sha1, distro, distro_version, flavor);
  CREATE INDEX repos_dirty ON repos(needs_update, is_updating);
  CREATE TABLE binaries (
    id INTEGER PRIMARY KEY,
    repo_id INTEGER NOT NULL REFERENCES repos(id),
    project TEXT NOT NULL REFERENCES projects(name),
    ref TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    distro TEXT NOT NULL,
    distro_version TEXT NOT NULL,
    arch TEXT NOT NULL,
    flavor TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    checksum TEXT,
    built_by TEXT,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX binaries_address ON binaries(project, ref, sha1, distro, distro_version, arch, flavor, name);
  CREATE INDEX binaries_repo ON binaries(repo_id);
  CREATE INDEX binaries_name ON binaries(name);
  CREATE TABLE callbacks (
    id INTEGER PRIMARY KEY,
    repo_id INTEGER NOT NULL,
    project TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created INTEGER NOT NULL
  );
  CREATE INDEX callbacks_repo ON callbacks(repo_id, id);
  `,
];

interface RepoRow {
  id: number;
  project: string;
  ref: string;
  sha1: string;
  distro: string;
  distro_version: string;
  flavor: string;
  type: string | null;
  path: string | null;
  needs_update: number;
  is_queued: number;
  is_updating: number;
  status: string | null;
  generation: number;
  dirty_since: number | null;
  attempts: number;
  next_attempt_at: number | null;
  failure: string | null;
  extra: string;
  built_at: number | null;
  created: number;
  modified: number;
}

interface BinaryRow {
  id: number;
  repo_id: number;
  project: string;
  ref: string;
  sha1: string;
  distro: string;
  distro_version: string;
  arch: string;
  flavor: string;
  name: string;
  path: string | null;
  size: number;
  checksum: string | null;
  built_by: string | null;
  created: number;
  modified: number;
}

function repoFromRow(row: RepoRow): RepoRecord {
  return {
    id: row.id,
    project: row.project,
    ref: row.ref,
    sha1: row.sha1,
    distro: row.distro,
    distro_version: row.distro_version,
    flavor: row.flavor,
    type: row.type as RepoType | null,
    path: row.path,
    needsUpdate: row.needs_update === 1,
    isQueued: row.is_queued === 1,
    isUpdating: row.is_updating === 1,
    status: row.status as RepoStatus | null,
    generation: row.generation,
    dirtySince: row.dirty_since,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    failure: row.failure,
    extra: JSON.parse(row.extra) as Record<string, unknown>,
    builtAt: row.built_at,
    created: row.created,
    modified: row.modified,
  };
}

function binaryFromRow(row: BinaryRow): BinaryRecord {
  return {
    id: row.id,
    repoId: row.repo_id,
    project: row.project,
    ref: row.ref,
    sha1: row.sha1,
    distro: row.distro,
    distro_version: row.distro_version,
    arch: row.arch,
    flavor: row.flavor,
    name: row.name,
    path: row.path,
    size: row.size,
    checksum: row.checksum,
    builtBy: row.built_by,
    created: row.created,
    modified: row.modified,
  };
}

const REPO_COLUMNS: Readonly<Record<keyof RepoPatch, string>> = {
  type: "type",
  path: "path",
  needsUpdate: "needs_update",
  isQueued: "is_queued",
  isUpdating: "is_updating",
  status: "status",
  generation: "generation",
  dirtySince: "dirty_since",
  attempts: "attempts",
  nextAttemptAt: "next_attempt_at",
  failure: "failure",
  extra: "extra",
  builtAt: "built_at",
  ref: "ref",
  distro: "distro",
  distro_version: "distro_version",
};

function columnValue(key: keyof RepoPatch, value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (key === "extra") return JSON.stringify(value ?? {});
  return value ?? null;
}

const BINARY_FILTER_COLUMNS = ["project", "ref", "sha1", "distro", "distro_version", "arch", "flavor", "name"] as const;
const REPO_FILTER_COLUMNS = ["project", "ref", "sha1", "distro", "distro_version", "flavor"] as const;

export interface SqliteChacraStoreOptions {
  /** Path of the database file, or `:memory:`. */
  readonly filename: string;
}

/** Opens (creating and migrating as needed) the SQLite chacra store. */
export function createSqliteChacraStore(options: SqliteChacraStoreOptions): ChacraStore {
  // Opened with synchronous = FULL: a binary acknowledged with 201 must survive a power cut with its row.
  const db = openSqliteDatabase({ driver: Database, filename: options.filename, migrations: MIGRATIONS, what: "chacra database" });

  const statements = {
    insertProject: db.prepare("INSERT OR IGNORE INTO projects(name, created) VALUES (?, ?)"),
    hasProject: db.prepare("SELECT 1 FROM projects WHERE name = ?").pluck(),
    listProjects: db.prepare("SELECT name FROM projects ORDER BY name").pluck(),
    deleteProject: db.prepare("DELETE FROM projects WHERE name = ?"),
    findBinary: db.prepare(
      "SELECT * FROM binaries WHERE project = ? AND ref = ? AND sha1 = ? AND distro = ? AND distro_version = ? AND arch = ? AND flavor = ? AND name = ?",
    ),
    getBinary: db.prepare("SELECT * FROM binaries WHERE id = ?"),
    insertBinary: db.prepare(
      `INSERT INTO binaries(repo_id, project, ref, sha1, distro, distro_version, arch, flavor, name, path, size, checksum, built_by, created, modified)
       VALUES (@repo_id, @project, @ref, @sha1, @distro, @distro_version, @arch, @flavor, @name, @path, @size, @checksum, @built_by, @now, @now)`,
    ),
    updateBinary: db.prepare(
      "UPDATE binaries SET repo_id = @repo_id, path = @path, size = @size, checksum = @checksum, built_by = COALESCE(@built_by, built_by), modified = @now WHERE id = @id",
    ),
    deleteBinary: db.prepare("DELETE FROM binaries WHERE id = ?"),
    binariesOfRepo: db.prepare("SELECT * FROM binaries WHERE repo_id = ? ORDER BY arch, flavor, name"),
    archsOfRepo: db.prepare("SELECT DISTINCT arch FROM binaries WHERE repo_id = ? ORDER BY arch").pluck(),
    findRepo: db.prepare(
      "SELECT * FROM repos WHERE project = ? AND ref = ? AND sha1 = ? AND distro = ? AND distro_version = ? AND flavor = ?",
    ),
    getRepo: db.prepare("SELECT * FROM repos WHERE id = ?"),
    insertRepo: db.prepare(
      `INSERT INTO repos(project, ref, sha1, distro, distro_version, flavor, created, modified)
       VALUES (@project, @ref, @sha1, @distro, @distro_version, @flavor, @now, @now)`,
    ),
    deleteRepo: db.prepare("DELETE FROM repos WHERE id = ?"),
    reposDue: db.prepare(
      `SELECT * FROM repos WHERE needs_update = 1 AND is_updating = 0
         AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
         AND (dirty_since IS NULL OR dirty_since + @quiet <= @now)
       ORDER BY COALESCE(dirty_since, 0), id`,
    ),
    reposInterrupted: db.prepare("SELECT * FROM repos WHERE is_updating = 1 ORDER BY id"),
    enqueueCallback: db.prepare(
      "INSERT INTO callbacks(repo_id, project, payload, next_attempt_at, created) VALUES (?, ?, ?, ?, ?)",
    ),
    dueCallbacks: db.prepare(
      `SELECT c.* FROM callbacks c
       JOIN (SELECT repo_id, MIN(id) AS head FROM callbacks GROUP BY repo_id) h ON c.id = h.head
       WHERE c.next_attempt_at <= ? ORDER BY c.id LIMIT ?`,
    ),
    callbackDelivered: db.prepare("DELETE FROM callbacks WHERE id = ?"),
    callbackRetry: db.prepare("UPDATE callbacks SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?"),
    pendingCallbacks: db.prepare("SELECT COUNT(*) FROM callbacks").pluck(),
    ping: db.prepare("SELECT 1").pluck(),
  };

  const getRepoOrThrow = (id: number): RepoRecord => {
    const row = statements.getRepo.get(id) as RepoRow | undefined;
    if (!row) throw new QuipuError("QUIPU_CHACRA_REPO_NOT_FOUND", "no such repo", { details: { id } });
    return repoFromRow(row);
  };

  const whereClause = (filter: Readonly<Record<string, unknown>>, columns: readonly string[]) => {
    const parts: string[] = [];
    const values: unknown[] = [];
    for (const column of columns) {
      const value = filter[column];
      if (value !== undefined) {
        parts.push(`${column} = ?`);
        values.push(value);
      }
    }
    return { parts, values };
  };

  const store: ChacraStore = {
    transaction: (fn) => runInTransaction(db, fn),
    ping() {
      statements.ping.get();
    },
    close() {
      if (db.open) db.close();
    },

    ensureProject(name, now) {
      statements.insertProject.run(name, now);
    },
    hasProject(name) {
      return statements.hasProject.get(name) !== undefined;
    },
    listProjects() {
      return statements.listProjects.all() as string[];
    },
    deleteProject(name) {
      statements.deleteProject.run(name);
    },

    findBinary(a) {
      const row = statements.findBinary.get(a.project, a.ref, a.sha1, a.distro, a.distro_version, a.arch, a.flavor, a.name) as
        | BinaryRow
        | undefined;
      return row ? binaryFromRow(row) : undefined;
    },
    listBinaries(filter) {
      const { parts, values } = whereClause(filter as Record<string, unknown>, BINARY_FILTER_COLUMNS);
      if (filter.nameContains !== undefined) {
        parts.push("instr(name, ?) > 0");
        values.push(filter.nameContains);
      }
      if (filter.size !== undefined) {
        parts.push("size = ?");
        values.push(filter.size);
      }
      if (filter.builtBy !== undefined) {
        parts.push("built_by = ?");
        values.push(filter.builtBy);
      }
      const where = parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : "";
      const rows = db.prepare(`SELECT * FROM binaries ${where} ORDER BY project, ref, sha1, distro, distro_version, arch, flavor, name`).all(...values) as BinaryRow[];
      return rows.map(binaryFromRow);
    },
    putBinary(address, repoId, fields, now) {
      const existing = store.findBinary(address);
      const values = {
        ...address,
        repo_id: repoId,
        path: fields.path,
        size: fields.size,
        checksum: fields.checksum,
        built_by: fields.builtBy ?? null,
        now,
      };
      if (existing) {
        statements.updateBinary.run({ ...values, id: existing.id });
        return { record: binaryFromRow(statements.getBinary.get(existing.id) as BinaryRow), created: false };
      }
      const info = statements.insertBinary.run(values);
      return { record: binaryFromRow(statements.getBinary.get(info.lastInsertRowid) as BinaryRow), created: true };
    },
    deleteBinary(id) {
      statements.deleteBinary.run(id);
    },
    binariesOfRepo(repoId) {
      return (statements.binariesOfRepo.all(repoId) as BinaryRow[]).map(binaryFromRow);
    },

    findRepo(a) {
      const row = statements.findRepo.get(a.project, a.ref, a.sha1, a.distro, a.distro_version, a.flavor) as RepoRow | undefined;
      return row ? repoFromRow(row) : undefined;
    },
    getRepo(id) {
      const row = statements.getRepo.get(id) as RepoRow | undefined;
      return row ? repoFromRow(row) : undefined;
    },
    ensureRepo(address, initial, now) {
      const existing = store.findRepo(address);
      if (existing) return { record: existing, created: false };
      const info = statements.insertRepo.run({ ...address, now });
      const id = Number(info.lastInsertRowid);
      const record = Object.keys(initial).length > 0 ? store.updateRepo(id, initial, now) : getRepoOrThrow(id);
      return { record, created: true };
    },
    updateRepo(id, patch, now) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, value] of Object.entries(patch) as [keyof RepoPatch, unknown][]) {
        if (value === undefined) continue;
        sets.push(`${REPO_COLUMNS[key]} = ?`);
        values.push(columnValue(key, value));
      }
      sets.push("modified = ?");
      values.push(now);
      db.prepare(`UPDATE repos SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
      return getRepoOrThrow(id);
    },
    deleteRepo(id) {
      statements.deleteRepo.run(id);
    },
    listRepos(filter) {
      const { parts, values } = whereClause(filter as Record<string, unknown>, REPO_FILTER_COLUMNS);
      const where = parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : "";
      const rows = db.prepare(`SELECT * FROM repos ${where} ORDER BY project, ref, sha1, distro, distro_version, flavor`).all(...values) as RepoRow[];
      return rows.map(repoFromRow);
    },
    reposDue(now, quietTimeMs) {
      return (statements.reposDue.all({ now, quiet: quietTimeMs }) as RepoRow[]).map(repoFromRow);
    },
    reposInterrupted() {
      return (statements.reposInterrupted.all() as RepoRow[]).map(repoFromRow);
    },
    archsOfRepo(repoId) {
      return statements.archsOfRepo.all(repoId) as string[];
    },

    enqueueCallback(repoId, project, payload, now) {
      statements.enqueueCallback.run(repoId, project, JSON.stringify(payload), now, now);
    },
    dueCallbacks(now, limit) {
      const rows = statements.dueCallbacks.all(now, limit) as {
        id: number;
        repo_id: number;
        project: string;
        payload: string;
        attempts: number;
      }[];
      return rows.map(
        (row): PendingCallbackRecord => ({
          id: row.id,
          repoId: row.repo_id,
          project: row.project,
          payload: JSON.parse(row.payload) as Record<string, unknown>,
          attempts: row.attempts,
        }),
      );
    },
    callbackDelivered(id) {
      statements.callbackDelivered.run(id);
    },
    callbackRetryLater(id, attempts, nextAttemptAt, lastError) {
      statements.callbackRetry.run(attempts, nextAttemptAt, lastError, id);
    },
    pendingCallbackCount() {
      return statements.pendingCallbacks.get() as number;
    },
  };
  return store;
}

export type { BinaryAddress, BinaryFields, BinaryFilter, RepoAddress, RepoFilter, RepoPatch };
