/**
 * The embedded default shaman store: one SQLite file through better-sqlite3, WAL mode so readers
 * never wait for the writer. The repo indexes are laid out for the questions teuthology and the
 * build scripts ask most: "newest repo of project/ref/flavor/status for this release" is one index
 * range read newest first (`repos_search`), "every repo of this sha1" one short range
 * (`repos_sha1`). Unlike the original, `chacra_url` is unique (it was the identity only by habit).
 */
import Database from "better-sqlite3";
import { QuipuError, type BuildStatus, type RepoStatus } from "@quipu/core";
import { openSqliteDatabase, runInTransaction } from "@quipu/core/sqlite";
import type {
  BuildFields,
  BuildKeys,
  BuildListColumn,
  BuildQuery,
  BuildRecord,
  DailyCount,
  NewRepo,
  NodeRow,
  RepoListColumn,
  RepoPatch,
  RepoQuery,
  RepoRecord,
  RepoReleaseKeys,
  RepoTombstone,
  ShamanStore,
} from "./shaman-store.js";

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL
  );
  CREATE TABLE repos (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    chacra_url TEXT NOT NULL,
    url TEXT,
    ref TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    flavor TEXT NOT NULL,
    distro TEXT NOT NULL,
    distro_version TEXT NOT NULL,
    distro_key TEXT NOT NULL,
    release_key TEXT NOT NULL,
    status TEXT NOT NULL,
    generation INTEGER,
    archs TEXT NOT NULL DEFAULT '[]',
    arch_keys TEXT NOT NULL DEFAULT '/',
    extra TEXT NOT NULL DEFAULT '{}',
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX repos_chacra_url ON repos(chacra_url);
  CREATE INDEX repos_search ON repos(project_id, ref, flavor, status, distro_key, release_key, modified);
  CREATE INDEX repos_ref_status ON repos(project_id, ref, status, modified);
  CREATE INDEX repos_sha1 ON repos(sha1, project_id);
  CREATE INDEX repos_tree ON repos(project_id, ref, sha1, distro, distro_version, flavor);
  CREATE INDEX repos_status_modified ON repos(status, modified);
  CREATE TABLE repo_tombstones (
    chacra_url TEXT PRIMARY KEY,
    generation INTEGER,
    deleted INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX repo_tombstones_deleted ON repo_tombstones(deleted);
  CREATE TABLE builds (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    ref TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    flavor TEXT NOT NULL,
    distro TEXT,
    distro_version TEXT,
    distro_arch TEXT,
    url TEXT NOT NULL,
    log_url TEXT,
    build_id TEXT,
    status TEXT NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}',
    started INTEGER NOT NULL,
    completed INTEGER,
    modified INTEGER NOT NULL
  );
  CREATE INDEX builds_sha1 ON builds(project_id, ref, sha1, modified);
  CREATE INDEX builds_status_modified ON builds(status, modified);
  CREATE TABLE nodes (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL UNIQUE,
    url TEXT,
    last_used INTEGER NOT NULL DEFAULT 0,
    last_check INTEGER,
    healthy INTEGER NOT NULL DEFAULT 1,
    down_count INTEGER NOT NULL DEFAULT 0,
    drained INTEGER NOT NULL DEFAULT 0
  );
  `,
];

interface RepoRow {
  id: number;
  project: string;
  chacra_url: string;
  url: string | null;
  ref: string;
  sha1: string;
  flavor: string;
  distro: string;
  distro_version: string;
  status: string;
  generation: number | null;
  archs: string;
  extra: string;
  created: number;
  modified: number;
}

interface BuildRow {
  id: number;
  project: string;
  ref: string;
  sha1: string;
  flavor: string;
  distro: string | null;
  distro_version: string | null;
  distro_arch: string | null;
  url: string;
  log_url: string | null;
  build_id: string | null;
  status: string;
  extra: string;
  started: number;
  completed: number | null;
  modified: number;
}

interface NodeDbRow {
  host: string;
  url: string | null;
  last_used: number;
  last_check: number | null;
  healthy: number;
  down_count: number;
  drained: number;
}

const REPO_SELECT = `SELECT r.id, p.name AS project, r.chacra_url, r.url, r.ref, r.sha1, r.flavor, r.distro, r.distro_version,
  r.status, r.generation, r.archs, r.extra, r.created, r.modified FROM repos r JOIN projects p ON p.id = r.project_id`;

const BUILD_SELECT = `SELECT b.id, p.name AS project, b.ref, b.sha1, b.flavor, b.distro, b.distro_version, b.distro_arch, b.url,
  b.log_url, b.build_id, b.status, b.extra, b.started, b.completed, b.modified FROM builds b JOIN projects p ON p.id = b.project_id`;

function repoFromRow(row: RepoRow): RepoRecord {
  return {
    id: row.id,
    project: row.project,
    ref: row.ref,
    sha1: row.sha1,
    flavor: row.flavor,
    distro: row.distro,
    distro_version: row.distro_version,
    status: row.status as RepoStatus,
    generation: row.generation,
    url: row.url,
    chacra_url: row.chacra_url,
    archs: JSON.parse(row.archs) as string[],
    extra: JSON.parse(row.extra) as Record<string, unknown>,
    created: row.created,
    modified: row.modified,
  };
}

function buildFromRow(row: BuildRow): BuildRecord {
  return {
    id: row.id,
    project: row.project,
    ref: row.ref,
    sha1: row.sha1,
    flavor: row.flavor,
    distro: row.distro,
    distro_version: row.distro_version,
    distro_arch: row.distro_arch,
    url: row.url,
    log_url: row.log_url,
    build_id: row.build_id,
    status: row.status as BuildStatus,
    extra: JSON.parse(row.extra) as Record<string, unknown>,
    started: row.started,
    completed: row.completed,
    modified: row.modified,
  };
}

function nodeFromRow(row: NodeDbRow): NodeRow {
  return {
    host: row.host,
    url: row.url,
    lastUsed: row.last_used,
    lastCheck: row.last_check,
    healthy: row.healthy === 1,
    downCount: row.down_count,
    drained: row.drained === 1,
  };
}

/**
 * `/x86_64/arm64/`: the archs as one string that `instr` searches for `/name/`. A slash cannot
 * occur in an arch name, so only whole names match; the arch test stays a cheap residual filter
 * on the rows the index already narrowed down, with no join.
 */
function archKeysColumn(archs: readonly string[]): string {
  return `/${[...new Set(archs)].join("/")}${archs.length > 0 ? "/" : ""}`;
}

const REPO_LIST_COLUMNS: ReadonlySet<RepoListColumn> = new Set(["ref", "sha1", "distro", "distro_version", "flavor"]);
const BUILD_LIST_COLUMNS: ReadonlySet<BuildListColumn> = new Set(["ref", "sha1", "flavor"]);

export interface SqliteShamanStoreOptions {
  /** Path of the database file, or `:memory:`. */
  readonly filename: string;
}

export interface SqliteShamanStore extends ShamanStore {
  /** SQLite's plan for `findRepos(query)`, one line per step (tests and benchmarks check index use). */
  explainRepoQuery(query: RepoQuery): string[];
}

/** Opens (creating and migrating as needed) the SQLite shaman store. */
export function createSqliteShamanStore(options: SqliteShamanStoreOptions): SqliteShamanStore {
  // Opened with synchronous = FULL: a status acknowledged with 200 is dropped from chacra's outbox,
  // so it must survive here.
  const db = openSqliteDatabase({ driver: Database, filename: options.filename, migrations: MIGRATIONS, what: "shaman database" });

  const statements = {
    ping: db.prepare("SELECT 1").pluck(),
    getMeta: db.prepare("SELECT value FROM meta WHERE key = ?").pluck(),
    setMeta: db.prepare("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
    insertProject: db.prepare("INSERT OR IGNORE INTO projects(name, created) VALUES (?, ?)"),
    projectId: db.prepare("SELECT id FROM projects WHERE name = ?").pluck(),
    listProjects: db.prepare("SELECT name FROM projects ORDER BY name").pluck(),
    repoByChacraUrl: db.prepare(`${REPO_SELECT} WHERE r.chacra_url = ?`),
    repoById: db.prepare(`${REPO_SELECT} WHERE r.id = ?`),
    insertRepo: db.prepare(
      `INSERT INTO repos(project_id, chacra_url, url, ref, sha1, flavor, distro, distro_version, distro_key, release_key, status,
         generation, archs, arch_keys, extra, created, modified)
       VALUES (@project_id, @chacra_url, @url, @ref, @sha1, @flavor, @distro, @distro_version, @distro_key, @release_key, @status,
         @generation, @archs, @arch_keys, @extra, @now, @now)`,
    ),
    deleteRepo: db.prepare("DELETE FROM repos WHERE id = ?"),
    countRepos: db.prepare("SELECT COUNT(*) FROM repos").pluck(),
    dailyReady: db.prepare(
      `SELECT p.name AS project, strftime('%Y-%m-%d', r.modified / 1000, 'unixepoch') AS day, COUNT(*) AS count
       FROM repos r JOIN projects p ON p.id = r.project_id
       WHERE r.status = 'ready' AND r.modified >= ? AND r.modified < ?
       GROUP BY p.name, day ORDER BY day, p.name`,
    ),
    getTombstone: db.prepare("SELECT chacra_url, generation, deleted FROM repo_tombstones WHERE chacra_url = ?"),
    putTombstone: db.prepare(
      `INSERT INTO repo_tombstones(chacra_url, generation, deleted) VALUES (@chacra_url, @generation, @deleted)
       ON CONFLICT(chacra_url) DO UPDATE SET generation = excluded.generation, deleted = excluded.deleted`,
    ),
    deleteTombstone: db.prepare("DELETE FROM repo_tombstones WHERE chacra_url = ?"),
    pruneTombstones: db.prepare("DELETE FROM repo_tombstones WHERE deleted < ?"),
    releasePairs: db.prepare("SELECT DISTINCT distro, distro_version, distro_key, release_key FROM repos"),
    rekeyRelease: db.prepare("UPDATE repos SET distro_key = ?, release_key = ? WHERE distro = ? AND distro_version = ?"),
    queuedBuild: db.prepare(
      `${BUILD_SELECT} WHERE b.project_id = @project_id AND b.ref = @ref AND b.sha1 = @sha1 AND b.flavor = @flavor
         AND b.distro IS @distro AND b.distro_version IS @distro_version AND b.distro_arch IS @distro_arch AND b.status = 'queued'
       ORDER BY b.id LIMIT 1`,
    ),
    buildByUrl: db.prepare(
      `${BUILD_SELECT} WHERE b.project_id = @project_id AND b.ref = @ref AND b.sha1 = @sha1 AND b.flavor = @flavor
         AND b.distro IS @distro AND b.distro_version IS @distro_version AND b.distro_arch IS @distro_arch AND b.url = @url
       ORDER BY b.id LIMIT 1`,
    ),
    buildById: db.prepare(`${BUILD_SELECT} WHERE b.id = ?`),
    insertBuild: db.prepare(
      `INSERT INTO builds(project_id, ref, sha1, flavor, distro, distro_version, distro_arch, url, log_url, build_id, status, extra,
         started, completed, modified)
       VALUES (@project_id, @ref, @sha1, @flavor, @distro, @distro_version, @distro_arch, @url, @log_url, @build_id, @status, @extra,
         @now, @completed, @now)`,
    ),
    updateBuild: db.prepare(
      `UPDATE builds SET project_id = @project_id, ref = @ref, sha1 = @sha1, flavor = @flavor, distro = @distro,
         distro_version = @distro_version, distro_arch = @distro_arch, url = @url, log_url = @log_url, build_id = @build_id,
         status = @status, extra = @extra, completed = COALESCE(@completed, completed), modified = @now
       WHERE id = @id`,
    ),
    listNodes: db.prepare("SELECT * FROM nodes ORDER BY id"),
    saveNode: db.prepare(
      `INSERT INTO nodes(host, url, last_used, last_check, healthy, down_count, drained)
       VALUES (@host, @url, @last_used, @last_check, @healthy, @down_count, @drained)
       ON CONFLICT(host) DO UPDATE SET url = excluded.url, last_used = excluded.last_used, last_check = excluded.last_check,
         healthy = excluded.healthy, down_count = excluded.down_count, drained = excluded.drained`,
    ),
    deleteNode: db.prepare("DELETE FROM nodes WHERE host = ?"),
  };

  // Queries are built from the filters given; each distinct shape is prepared once.
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string): Database.Statement => {
    let found = prepared.get(sql);
    if (found === undefined) {
      found = db.prepare(sql);
      prepared.set(sql, found);
    }
    return found;
  };

  const projectIdOf = (name: string): number | undefined => statements.projectId.get(name) as number | undefined;

  const requireProjectId = (name: string): number => {
    const id = projectIdOf(name);
    if (id === undefined) throw new QuipuError("QUIPU_HTTP_NOT_FOUND", `project ${name} not found`, { details: { project: name } });
    return id;
  };

  /** WHERE clause of a repo query, or undefined when it cannot match (unknown project). */
  const repoWhere = (query: RepoQuery): { sql: string; values: unknown[] } | undefined => {
    const parts: string[] = [];
    const values: unknown[] = [];
    if (query.project !== undefined) {
      const id = projectIdOf(query.project);
      if (id === undefined) return undefined;
      parts.push("r.project_id = ?");
      values.push(id);
    }
    const exact: [string, string | undefined][] = [
      ["r.ref", query.ref],
      ["r.flavor", query.flavor],
      ["r.status", query.status],
      ["r.sha1", query.sha1],
      ["r.distro", query.distro],
      ["r.distro_version", query.distro_version],
      ["r.distro_key", query.release?.distroKey],
      ["r.release_key", query.release?.releaseKey],
    ];
    for (const [column, value] of exact) {
      if (value === undefined) continue;
      parts.push(`${column} = ?`);
      values.push(value);
    }
    if (query.anyArch !== undefined) {
      if (query.anyArch.length === 0) return undefined;
      parts.push(`(${query.anyArch.map(() => "instr(r.arch_keys, ?) > 0").join(" OR ")})`);
      values.push(...query.anyArch.map((arch) => `/${arch}/`));
    }
    if (query.before !== undefined) {
      parts.push("(r.modified, r.id) < (?, ?)");
      values.push(query.before.modified, query.before.id);
    }
    return { sql: parts.length > 0 ? ` WHERE ${parts.join(" AND ")}` : "", values };
  };

  const buildWhere = (query: BuildQuery): { sql: string; values: unknown[] } | undefined => {
    const parts: string[] = [];
    const values: unknown[] = [];
    if (query.project !== undefined) {
      const id = projectIdOf(query.project);
      if (id === undefined) return undefined;
      parts.push("b.project_id = ?");
      values.push(id);
    }
    for (const [column, value] of [
      ["b.ref", query.ref],
      ["b.sha1", query.sha1],
      ["b.flavor", query.flavor],
      ["b.status", query.status],
    ] as const) {
      if (value === undefined) continue;
      parts.push(`${column} = ?`);
      values.push(value);
    }
    return { sql: parts.length > 0 ? ` WHERE ${parts.join(" AND ")}` : "", values };
  };

  const getRepoOrThrow = (id: number): RepoRecord => {
    const row = statements.repoById.get(id) as RepoRow | undefined;
    if (!row) throw new QuipuError("QUIPU_HTTP_NOT_FOUND", "repo not found", { details: { id } });
    return repoFromRow(row);
  };

  const getBuildOrThrow = (id: number): BuildRecord => {
    const row = statements.buildById.get(id) as BuildRow | undefined;
    if (!row) throw new QuipuError("QUIPU_HTTP_NOT_FOUND", "build not found", { details: { id } });
    return buildFromRow(row);
  };

  const buildValues = (build: BuildFields, now: number) => ({
    project_id: requireProjectId(build.project),
    ref: build.ref,
    sha1: build.sha1,
    flavor: build.flavor,
    distro: build.distro,
    distro_version: build.distro_version,
    distro_arch: build.distro_arch,
    url: build.url,
    log_url: build.log_url,
    build_id: build.build_id,
    status: build.status,
    extra: JSON.stringify(build.extra),
    completed: build.completed,
    now,
  });

  const repoQuerySql = (query: RepoQuery, where: { sql: string }) => {
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : "";
    // A sha1 has a few dozen repos at most, but without statistics SQLite may prefer an index
    // on the other filters (every ready repo of the ref); pin the one that is always right.
    const from = query.sha1 !== undefined ? REPO_SELECT.replace("FROM repos r", "FROM repos r INDEXED BY repos_sha1") : REPO_SELECT;
    return `${from}${where.sql} ORDER BY r.modified DESC, r.id DESC${limit}`;
  };

  const store: SqliteShamanStore = {
    transaction: (fn) => runInTransaction(db, fn),
    ping() {
      statements.ping.get();
    },
    close() {
      if (!db.open) return;
      // Keeps the planner's statistics current, as SQLite recommends before closing.
      try {
        db.pragma("optimize");
      } catch {
        // Statistics are an optimisation; closing matters more.
      }
      db.close();
    },

    ensureProject(name, now) {
      statements.insertProject.run(name, now);
    },
    hasProject(name) {
      return projectIdOf(name) !== undefined;
    },
    listProjects() {
      return statements.listProjects.all() as string[];
    },

    findRepoByChacraUrl(chacraUrl) {
      const row = statements.repoByChacraUrl.get(chacraUrl) as RepoRow | undefined;
      return row ? repoFromRow(row) : undefined;
    },
    getRepo(id) {
      const row = statements.repoById.get(id) as RepoRow | undefined;
      return row ? repoFromRow(row) : undefined;
    },
    insertRepo(repo, now) {
      const info = statements.insertRepo.run({
        project_id: requireProjectId(repo.project),
        chacra_url: repo.chacra_url,
        url: repo.url,
        ref: repo.ref,
        sha1: repo.sha1,
        flavor: repo.flavor,
        distro: repo.distro,
        distro_version: repo.distro_version,
        distro_key: repo.distroKey,
        release_key: repo.releaseKey,
        status: repo.status,
        generation: repo.generation,
        archs: JSON.stringify(repo.archs),
        arch_keys: archKeysColumn(repo.archs),
        extra: JSON.stringify(repo.extra),
        now,
      });
      // Built from what was written rather than read back: bulk loads (benchmarks) stay fast.
      return {
        id: Number(info.lastInsertRowid),
        project: repo.project,
        ref: repo.ref,
        sha1: repo.sha1,
        flavor: repo.flavor,
        distro: repo.distro,
        distro_version: repo.distro_version,
        status: repo.status,
        generation: repo.generation,
        url: repo.url,
        chacra_url: repo.chacra_url,
        archs: [...repo.archs],
        extra: structuredClone(repo.extra) as Record<string, unknown>,
        created: now,
        modified: now,
      };
    },
    updateRepo(id, patch, now, touch) {
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown) => {
        sets.push(`${column} = ?`);
        values.push(value);
      };
      if (patch.status !== undefined) set("status", patch.status);
      if (patch.generation !== undefined) set("generation", patch.generation);
      if (patch.url !== undefined) set("url", patch.url);
      if (patch.archs !== undefined) {
        set("archs", JSON.stringify(patch.archs));
        set("arch_keys", archKeysColumn(patch.archs));
      }
      if (patch.extra !== undefined) set("extra", JSON.stringify(patch.extra));
      if (touch) set("modified", now);
      if (sets.length > 0) statement(`UPDATE repos SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
      return getRepoOrThrow(id);
    },
    deleteRepo(id) {
      statements.deleteRepo.run(id);
    },
    findRepos(query) {
      const where = repoWhere(query);
      if (where === undefined) return [];
      return (statement(repoQuerySql(query, where)).all(...where.values) as RepoRow[]).map(repoFromRow);
    },
    explainRepoQuery(query) {
      const where = repoWhere(query);
      if (where === undefined) return [];
      const rows = db.prepare(`EXPLAIN QUERY PLAN ${repoQuerySql(query, where)}`).all(...where.values) as { detail: string }[];
      return rows.map((row) => row.detail);
    },
    distinctRepoValues(column, query) {
      if (!REPO_LIST_COLUMNS.has(column)) throw new TypeError(`not a listable repo column: ${column}`);
      const where = repoWhere(query);
      if (where === undefined) return [];
      const from = query.sha1 !== undefined ? "repos r INDEXED BY repos_sha1" : "repos r";
      return statement(`SELECT DISTINCT r.${column} FROM ${from}${where.sql} ORDER BY r.${column}`)
        .pluck()
        .all(...where.values) as string[];
    },
    countRepos() {
      return statements.countRepos.get() as number;
    },
    dailyReadyCounts(from, to) {
      return statements.dailyReady.all(from, to) as DailyCount[];
    },

    getTombstone(chacraUrl) {
      return statements.getTombstone.get(chacraUrl) as RepoTombstone | undefined;
    },
    putTombstone(tombstone) {
      statements.putTombstone.run(tombstone);
    },
    deleteTombstone(chacraUrl) {
      statements.deleteTombstone.run(chacraUrl);
    },
    pruneTombstones(before) {
      statements.pruneTombstones.run(before);
    },

    refreshReleaseKeys(fingerprint, keysOf) {
      if (statements.getMeta.get("release_keys") === fingerprint) return 0;
      return store.transaction(() => {
        let changed = 0;
        // One UPDATE per distinct spelling: a few dozen, however many rows there are.
        const pairs = statements.releasePairs.all() as { distro: string; distro_version: string; distro_key: string; release_key: string }[];
        for (const pair of pairs) {
          const keys: RepoReleaseKeys = keysOf(pair.distro, pair.distro_version);
          if (keys.distroKey === pair.distro_key && keys.releaseKey === pair.release_key) continue;
          changed += statements.rekeyRelease.run(keys.distroKey, keys.releaseKey, pair.distro, pair.distro_version).changes;
        }
        statements.setMeta.run("release_keys", fingerprint);
        return changed;
      });
    },

    findBuildToUpdate(keys: BuildKeys, url: string) {
      const projectId = projectIdOf(keys.project);
      if (projectId === undefined) return undefined;
      const values = {
        project_id: projectId,
        ref: keys.ref,
        sha1: keys.sha1,
        flavor: keys.flavor,
        distro: keys.distro,
        distro_version: keys.distro_version,
        distro_arch: keys.distro_arch,
      };
      const row = (statements.queuedBuild.get(values) ?? statements.buildByUrl.get({ ...values, url })) as BuildRow | undefined;
      return row ? buildFromRow(row) : undefined;
    },
    getBuild(id) {
      const row = statements.buildById.get(id) as BuildRow | undefined;
      return row ? buildFromRow(row) : undefined;
    },
    insertBuild(build, now) {
      const info = statements.insertBuild.run(buildValues(build, now));
      return getBuildOrThrow(Number(info.lastInsertRowid));
    },
    updateBuild(id, build, now) {
      statements.updateBuild.run({ ...buildValues(build, now), id });
      return getBuildOrThrow(id);
    },
    findBuilds(query) {
      const where = buildWhere(query);
      if (where === undefined) return [];
      const order = query.orderBy === "id" ? "b.id DESC" : "b.modified DESC, b.id DESC";
      const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : "";
      return (statement(`${BUILD_SELECT}${where.sql} ORDER BY ${order}${limit}`).all(...where.values) as BuildRow[]).map(buildFromRow);
    },
    distinctBuildValues(column, query) {
      if (!BUILD_LIST_COLUMNS.has(column)) throw new TypeError(`not a listable build column: ${column}`);
      const where = buildWhere(query);
      if (where === undefined) return [];
      return statement(`SELECT DISTINCT b.${column} FROM builds b${where.sql} ORDER BY b.${column}`)
        .pluck()
        .all(...where.values) as string[];
    },

    listNodes() {
      return (statements.listNodes.all() as NodeDbRow[]).map(nodeFromRow);
    },
    saveNode(node) {
      statements.saveNode.run({
        host: node.host,
        url: node.url,
        last_used: node.lastUsed,
        last_check: node.lastCheck,
        healthy: node.healthy ? 1 : 0,
        down_count: node.downCount,
        drained: node.drained ? 1 : 0,
      });
    },
    deleteNode(host) {
      statements.deleteNode.run(host);
    },
  };
  return store;
}
