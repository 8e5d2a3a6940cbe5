/**
 * The chacra store port: what the service needs to remember. Synchronous on purpose: the embedded
 * default is SQLite through better-sqlite3, whose calls are synchronous, so one `transaction(fn)`
 * can read, decide and write with no other request interleaving — which is what keeps an upload,
 * its repo's dirty flag and a callback in the outbox consistent with each other.
 *
 * Times are milliseconds since the epoch (the service's `Clock`); the HTTP layer formats them.
 * Paths of stored files are relative to the binary root, so a data directory can be moved.
 */
import type { RepoStatus, RepoType } from "@quipu/core";

/** Where a binary lives in chacra's address space (one URL, one file). */
export interface BinaryAddress {
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly distro: string;
  readonly distro_version: string;
  readonly arch: string;
  readonly flavor: string;
  readonly name: string;
}

/** What identifies a repo: arch is not part of it (every arch lands in one repo). */
export interface RepoAddress {
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly distro: string;
  readonly distro_version: string;
  readonly flavor: string;
}

export interface BinaryRecord extends BinaryAddress {
  readonly id: number;
  readonly repoId: number;
  /** Relative to the binary root; null for metadata-only binaries. */
  readonly path: string | null;
  readonly size: number;
  readonly checksum: string | null;
  readonly builtBy: string | null;
  readonly created: number;
  readonly modified: number;
}

export interface BinaryFields {
  readonly path: string | null;
  readonly size: number;
  readonly checksum: string | null;
  readonly builtBy?: string | null | undefined;
}

/**
 * A repo and its build state. `needsUpdate` = dirty (rebuild wanted); `dirtySince` starts the
 * debounce; `isQueued` = a build is scheduled (quiet time running); `isUpdating` = a build runs.
 * `status` is the last status reported for the current `generation` (a build cycle).
 */
export interface RepoRecord extends RepoAddress {
  readonly id: number;
  readonly type: RepoType | null;
  /** Relative to the repos root once built. */
  readonly path: string | null;
  readonly needsUpdate: boolean;
  readonly isQueued: boolean;
  readonly isUpdating: boolean;
  readonly status: RepoStatus | null;
  readonly generation: number;
  readonly dirtySince: number | null;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly failure: string | null;
  readonly extra: Record<string, unknown>;
  readonly created: number;
  readonly modified: number;
  /** Set when a build succeeded: when, and which binaries were in it. */
  readonly builtAt: number | null;
}

export type RepoPatch = Partial<
  Pick<
    RepoRecord,
    | "type"
    | "path"
    | "needsUpdate"
    | "isQueued"
    | "isUpdating"
    | "status"
    | "generation"
    | "dirtySince"
    | "attempts"
    | "nextAttemptAt"
    | "failure"
    | "extra"
    | "builtAt"
    | "ref"
    | "distro"
    | "distro_version"
  >
>;

/** Filters for listing binaries: exact matches, plus a substring of the name. */
export type BinaryFilter = Partial<BinaryAddress> & {
  readonly nameContains?: string | undefined;
  readonly size?: number | undefined;
  readonly builtBy?: string | undefined;
};

export type RepoFilter = Partial<RepoAddress>;

export interface PendingCallbackRecord {
  readonly id: number;
  readonly repoId: number;
  readonly project: string;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
}

export interface ChacraStore {
  /** Runs `fn` in one transaction: all its writes land, or none do. Nested calls join the outer one. */
  transaction<T>(fn: () => T): T;
  /** Cheap query proving the database answers (health). */
  ping(): void;
  close(): void;

  ensureProject(name: string, now: number): void;
  hasProject(name: string): boolean;
  listProjects(): string[];
  deleteProject(name: string): void;

  findBinary(address: BinaryAddress): BinaryRecord | undefined;
  /** Binaries of any flavor at one arch level (the arch route lists all flavors). */
  listBinaries(filter: BinaryFilter): BinaryRecord[];
  /** Inserts or updates the binary at `address`, which belongs to repo `repoId`. */
  putBinary(address: BinaryAddress, repoId: number, fields: BinaryFields, now: number): { record: BinaryRecord; created: boolean };
  deleteBinary(id: number): void;
  binariesOfRepo(repoId: number): BinaryRecord[];

  findRepo(address: RepoAddress): RepoRecord | undefined;
  getRepo(id: number): RepoRecord | undefined;
  /** Finds the repo at `address` or creates it with `initial`. */
  ensureRepo(address: RepoAddress, initial: RepoPatch, now: number): { record: RepoRecord; created: boolean };
  updateRepo(id: number, patch: RepoPatch, now: number): RepoRecord;
  deleteRepo(id: number): void;
  listRepos(filter: RepoFilter): RepoRecord[];
  /** Repos with work to do at `now`: dirty and past their debounce / retry time, not building. */
  reposDue(now: number, quietTimeMs: number): RepoRecord[];
  /** Repos left `isUpdating` by a process that died mid-build. */
  reposInterrupted(): RepoRecord[];
  /** The arch names of a repo's binaries. */
  archsOfRepo(repoId: number): string[];

  enqueueCallback(repoId: number, project: string, payload: Record<string, unknown>, now: number): void;
  /** The oldest undelivered callback of each repo, when due. */
  dueCallbacks(now: number, limit: number): PendingCallbackRecord[];
  callbackDelivered(id: number): void;
  callbackRetryLater(id: number, attempts: number, nextAttemptAt: number, lastError: string): void;
  pendingCallbackCount(): number;
}
