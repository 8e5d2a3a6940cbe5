/**
 * The shaman store port: what the service remembers. Synchronous, like chacra's: the embedded
 * default is SQLite through better-sqlite3, so one `transaction(fn)` reads, decides (is this status
 * newer than the stored one?) and writes with no other request in between.
 *
 * Times are milliseconds since the epoch (the service's `Clock`); the HTTP layer formats them.
 * Field names that travel on the wire unchanged (`distro_version`, `chacra_url`, …) keep the
 * original's snake_case, as in the core model.
 */
import type { BuildStatus, RepoStatus } from "@quipu/core";

/**
 * Match keys of a repo's release, computed by the service from the core distro table: the
 * canonical distro name and release spelling (`ubuntu` + `jammy` for `ubuntu/22.04` and
 * `ubuntu/jammy`), so numeric and codename queries hit the same index entries.
 */
export interface RepoReleaseKeys {
  readonly distroKey: string;
  readonly releaseKey: string;
}

export interface RepoRecord {
  readonly id: number;
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly flavor: string;
  readonly distro: string;
  /** As the sender spelled it (`jammy`, `9`); RepoJSON shows the normalised pair. */
  readonly distro_version: string;
  readonly status: RepoStatus;
  /** The sender's build-cycle number (quipu chacra sends one), null when it sends none. */
  readonly generation: number | null;
  /** Browsable root (`…/r/…/flavors/{flavor}/`); null when the sender gave none. */
  readonly url: string | null;
  /** The record's identity: chacra's repo API URL, or a Pulp API URL. */
  readonly chacra_url: string;
  /** As last reported, in the sender's spelling. */
  readonly archs: readonly string[];
  readonly extra: Readonly<Record<string, unknown>>;
  readonly created: number;
  /** When the record last changed status or content: the age "latest" orders by. */
  readonly modified: number;
}

export interface NewRepo extends RepoReleaseKeys {
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly flavor: string;
  readonly distro: string;
  readonly distro_version: string;
  readonly status: RepoStatus;
  readonly generation: number | null;
  readonly url: string | null;
  readonly chacra_url: string;
  readonly archs: readonly string[];
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface RepoPatch {
  readonly status?: RepoStatus;
  readonly generation?: number | null;
  readonly url?: string | null;
  readonly archs?: readonly string[];
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * A repo lookup: every given field must match. Results are newest first (`modified`, then id),
 * so `limit: 1` is "the newest such repo". `before` continues a listing after its last row.
 */
export interface RepoQuery {
  readonly project?: string | undefined;
  readonly ref?: string | undefined;
  readonly sha1?: string | undefined;
  readonly flavor?: string | undefined;
  readonly status?: string | undefined;
  /** Exact stored spellings (the read tree). */
  readonly distro?: string | undefined;
  readonly distro_version?: string | undefined;
  /** Normalised match (search, `latest`, the read tree): the distro, and the release when given. */
  readonly release?: { readonly distroKey: string; readonly releaseKey?: string | undefined } | undefined;
  /** The repo must have at least one of these archs (the spellings of one arch, `equivalentArchs`). */
  readonly anyArch?: readonly string[] | undefined;
  readonly before?: { readonly modified: number; readonly id: number } | undefined;
  readonly limit?: number | undefined;
}

/** The repo columns whose distinct values the read tree lists. */
export type RepoListColumn = "ref" | "sha1" | "distro" | "distro_version" | "flavor";

/** What `deleted` leaves behind, so a late status of a deleted repo cannot bring it back. */
export interface RepoTombstone {
  readonly chacra_url: string;
  readonly generation: number | null;
  readonly deleted: number;
}

export interface BuildKeys {
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly flavor: string;
  readonly distro: string | null;
  readonly distro_version: string | null;
  readonly distro_arch: string | null;
}

export interface BuildFields extends BuildKeys {
  readonly url: string;
  readonly log_url: string | null;
  readonly build_id: string | null;
  readonly status: BuildStatus;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly completed: number | null;
}

export interface BuildRecord extends BuildFields {
  readonly id: number;
  readonly started: number;
  readonly modified: number;
}

export interface BuildQuery {
  readonly project?: string | undefined;
  readonly ref?: string | undefined;
  readonly sha1?: string | undefined;
  readonly flavor?: string | undefined;
  readonly status?: string | undefined;
  readonly limit?: number | undefined;
  /** `modified` (newest first, the API's order) or `id` (newest record first, the UI's). */
  readonly orderBy?: "modified" | "id" | undefined;
}

export type BuildListColumn = "ref" | "sha1" | "flavor";

/** A node's persisted row: the core selector's snapshot without its in-memory counters. */
export interface NodeRow {
  readonly host: string;
  readonly url: string | null;
  readonly lastUsed: number;
  readonly lastCheck: number | null;
  readonly healthy: boolean;
  readonly downCount: number;
  readonly drained: boolean;
}

export interface DailyCount {
  readonly project: string;
  /** `YYYY-MM-DD` in UTC. */
  readonly day: string;
  readonly count: number;
}

export interface ShamanStore {
  /** Runs `fn` in one transaction: all its writes land, or none do. Nested calls join the outer one. */
  transaction<T>(fn: () => T): T;
  /** Cheap query proving the database answers (health). */
  ping(): void;
  close(): void;

  ensureProject(name: string, now: number): void;
  hasProject(name: string): boolean;
  listProjects(): string[];

  findRepoByChacraUrl(chacraUrl: string): RepoRecord | undefined;
  getRepo(id: number): RepoRecord | undefined;
  insertRepo(repo: NewRepo, now: number): RepoRecord;
  /** Applies `patch`; `modified` becomes `now` when `touch` (a status or content change). */
  updateRepo(id: number, patch: RepoPatch, now: number, touch: boolean): RepoRecord;
  deleteRepo(id: number): void;
  findRepos(query: RepoQuery): RepoRecord[];
  /** Sorted distinct values of `column` among the repos matching `query` (no limit). */
  distinctRepoValues(column: RepoListColumn, query: RepoQuery): string[];
  countRepos(): number;
  /** Ready repos per project and UTC day, modified in [from, to). */
  dailyReadyCounts(from: number, to: number): DailyCount[];

  getTombstone(chacraUrl: string): RepoTombstone | undefined;
  putTombstone(tombstone: RepoTombstone): void;
  deleteTombstone(chacraUrl: string): void;
  /** Forgets tombstones older than `before`. */
  pruneTombstones(before: number): void;

  /**
   * Recomputes every repo's release keys with `keysOf` when the distro table changed since the
   * keys were written (`fingerprint` differs from the stored one); returns how many rows changed.
   */
  refreshReleaseKeys(fingerprint: string, keysOf: (distro: string, distroVersion: string) => RepoReleaseKeys): number;

  /**
   * The build a report updates: first a `queued` build with the same keys (a trigger job's record,
   * whose URL differs), then one with the same keys and URL.
   */
  findBuildToUpdate(keys: BuildKeys, url: string): BuildRecord | undefined;
  getBuild(id: number): BuildRecord | undefined;
  insertBuild(build: BuildFields, now: number): BuildRecord;
  updateBuild(id: number, build: BuildFields, now: number): BuildRecord;
  findBuilds(query: BuildQuery): BuildRecord[];
  distinctBuildValues(column: BuildListColumn, query: BuildQuery): string[];

  listNodes(): NodeRow[];
  saveNode(node: NodeRow): void;
  deleteNode(host: string): void;
}
