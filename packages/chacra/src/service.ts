/**
 * The chacra service: every behaviour of the binary store and repository builder, with no HTTP.
 * `createChacraApp` maps routes onto it; another tool can embed it directly.
 *
 * Repo lifecycle (quipu's fix of the original's flags): an upload or `/update` makes a repo dirty
 * and starts a build cycle (a new `generation`, status `queued` or `requested`); the build loop
 * picks dirty repos once they have been quiet for `quietTimeMs`, reports `building`, builds, and
 * reports `ready` or `failed` (with the reason). Uploads during a build only set the dirty flag
 * again, so any number of them become exactly one more build. A build that throws is retried
 * with exponential backoff; a process killed mid-build resumes the build at the next start. Every
 * status change and its callback to shaman are written in one transaction (the outbox), so
 * shaman hears every status once, in order.
 */
import { existsSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import {
  DEFAULT_FLAVOR,
  QuipuError,
  isGenericDistroVersion,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type RepoStatus,
  type RepoType,
} from "@quipu/core";
import type { RepositorySigner } from "@quipu/core/signing";
import { buildRepoCallbackPayload } from "./callback-dispatcher.js";
import { projectOptions, projectsRelatedTo, type ProjectReposConfig } from "./project-options.js";
import type { BuildRepositoryOptions, RepoBuildInput, RepoBuildResult } from "./repo-builder.js";
import { commitStagedFile, discardStagedFile, removeStaleUploads, stageUpload, type StagedFile } from "./staged-upload.js";
import type { BinaryAddress, BinaryRecord, ChacraStore, RepoAddress, RepoPatch, RepoRecord } from "./store/chacra-store.js";
import { binaryJson, repoJson, repoUri, type BinaryJson } from "./wire-json.js";

export type RepositoryBuilder = (options: BuildRepositoryOptions) => Promise<RepoBuildResult>;

export interface ChacraPaths {
  readonly binaryRoot: string;
  readonly reposRoot: string;
}

export interface ChacraServiceOptions {
  readonly store: ChacraStore;
  readonly paths: ChacraPaths;
  /** Where clients reach this node, with a trailing slash (`https://1.chacra.example/`). */
  readonly publicUrl: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Per-project options (`automatic`, `disabled`, `combined`, extra projects), as in the original. */
  readonly repos?: ProjectReposConfig;
  readonly disableUnconfiguredRepos?: boolean;
  /** Callbacks to shaman are queued only when true (a shaman URL is configured). */
  readonly callbacks?: boolean;
  readonly quietTimeMs?: number;
  readonly buildRetryBaseMs?: number;
  readonly buildRetryMaxMs?: number;
  readonly buildMaxAttempts?: number;
  readonly maxUploadBytes?: number;
  readonly signer?: RepositorySigner | undefined;
  /** Replaces the repository builder (tests inject faults through it). */
  readonly builder?: RepositoryBuilder;
}

/** The address of an arch level (`…/{arch}/` or `…/{arch}/flavors/{flavor}/`), without a file name. */
export type ArchAddress = Omit<BinaryAddress, "name" | "flavor"> & { readonly flavor?: string | undefined };

export interface UploadOutcome {
  /** 201 for a new file, 200 when an existing one was replaced. */
  readonly status: 200 | 201;
  readonly binary: BinaryRecord;
}

export interface CommitUploadOptions {
  readonly force: boolean;
  /** SHA-512 hex the client says it sent; verified before anything is stored. */
  readonly expectedChecksum?: string | undefined;
  readonly builtBy?: string | undefined;
}

export type SearchFilters = Readonly<Record<string, string>>;

const SEARCH_KEYS = new Set(["distro", "distro_version", "arch", "ref", "sha1", "flavor", "project", "built_by", "size", "name", "name-has"]);

function notFound(what: string, details: Record<string, unknown>): QuipuError {
  return new QuipuError("QUIPU_HTTP_NOT_FOUND", `${what} not found`, { details });
}

function repoAddressOf(binary: BinaryAddress): RepoAddress {
  return {
    project: binary.project,
    ref: binary.ref,
    sha1: binary.sha1,
    distro: binary.distro,
    distro_version: binary.distro_version,
    flavor: binary.flavor,
  };
}

/** Repo type from a file name: `.rpm` → rpm; Debian files → deb; anything else says nothing. */
export function repoTypeOfFile(name: string): RepoType | null {
  if (name.endsWith(".rpm")) return "rpm";
  if (/\.(deb|ddeb|udeb|dsc|changes)$/.test(name)) return "deb";
  return null;
}

/** The repo type a distro implies when no file says: Debian-family distros are apt, the rest rpm. */
export function repoTypeOfDistro(distro: string): RepoType {
  return ["debian", "ubuntu", "raspbian", "devuan"].includes(distro.toLowerCase()) ? "deb" : "rpm";
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Record<string, T[]> {
  const groups: Record<string, T[]> = {};
  for (const item of items) (groups[key(item)] ??= []).push(item);
  return groups;
}

function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

export function createChacraService(options: ChacraServiceOptions) {
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const paths = options.paths;
  const publicUrl = options.publicUrl.endsWith("/") ? options.publicUrl : `${options.publicUrl}/`;
  const reposConfig = options.repos ?? {};
  const quietTimeMs = options.quietTimeMs ?? 10_000;
  const retryBaseMs = options.buildRetryBaseMs ?? 30_000;
  const retryMaxMs = options.buildRetryMaxMs ?? 3_600_000;
  const maxAttempts = options.buildMaxAttempts ?? 10;
  const maxUploadBytes = options.maxUploadBytes ?? 16 * 1024 ** 3;
  // Loaded on first use: the indexer is the heaviest part, and many processes never build.
  const builder: RepositoryBuilder = options.builder ?? (async (build) => (await import("./repo-builder.js")).buildRepository(build));
  const callbacksEnabled = options.callbacks ?? false;
  let lastLoopTick = clock.now();
  const building = new Set<number>();

  const optionsOf = (project: string) => projectOptions(reposConfig, project, options.disableUnconfiguredRepos ?? false);

  const binaryPath = (address: BinaryAddress): string =>
    join(address.project, address.ref, address.sha1, address.distro, address.distro_version, address.arch, "flavors", address.flavor, address.name);

  // ---------------------------------------------------------------- status and callbacks

  const repoView = (repo: RepoRecord) => repoJson(repo, store.archsOfRepo(repo.id), paths);

  /** Records `status` (and `patch`) and queues the matching callback, in the caller's transaction. */
  const setStatus = (repo: RepoRecord, status: RepoStatus, patch: RepoPatch = {}): RepoRecord => {
    const now = clock.now();
    const updated = store.updateRepo(repo.id, { ...patch, status }, now);
    if (callbacksEnabled) {
      const payload = buildRepoCallbackPayload(repoView(updated), { status, generation: updated.generation, publicUrl, uri: repoUri(updated) });
      store.enqueueCallback(updated.id, updated.project, payload, now);
    }
    logger.info({ event: "repo-status", repo: repoUri(updated), status, generation: updated.generation }, `repo ${status}`);
    return updated;
  };

  const nextGeneration = (repo: RepoRecord) => Math.max(clock.now(), repo.generation + 1);
  const cycleFinished = (repo: RepoRecord) => repo.status === null || repo.status === "ready" || repo.status === "failed" || repo.status === "deleted";

  /** An upload (or a related project's upload) changed what the repo should contain. */
  const markDirty = (repo: RepoRecord): RepoRecord => {
    const now = clock.now();
    if (repo.isUpdating || !cycleFinished(repo)) {
      return store.updateRepo(repo.id, { needsUpdate: true, dirtySince: now, nextAttemptAt: null }, now);
    }
    return setStatus(repo, "queued", {
      needsUpdate: true,
      isQueued: true,
      dirtySince: now,
      generation: nextGeneration(repo),
      attempts: 0,
      nextAttemptAt: null,
      failure: null,
    });
  };

  // ---------------------------------------------------------------- binaries

  const findRepoOrThrow = (key: RepoAddress): RepoRecord => {
    const repo = store.findRepo(key);
    if (!repo) throw new QuipuError("QUIPU_CHACRA_REPO_NOT_FOUND", "repo not found", { details: { ...key } });
    return repo;
  };

  const ensureRepoFor = (address: BinaryAddress): RepoRecord => {
    const now = clock.now();
    store.ensureProject(address.project, now);
    const { record } = store.ensureRepo(repoAddressOf(address), { type: repoTypeOfFile(address.name) }, now);
    if (record.type === null) {
      const type = repoTypeOfFile(address.name);
      if (type !== null) return store.updateRepo(record.id, { type }, now);
    }
    return record;
  };

  /** After a binary of `address` changed: mark its repo (and repos including it) dirty. */
  const afterBinaryChange = (address: BinaryAddress, repo: RepoRecord) => {
    const options = optionsOf(address.project);
    if (isGenericDistroVersion(address.distro_version)) {
      // Generic packages go into every codename's repo of the same build.
      for (const sibling of store.listRepos({ project: address.project, ref: address.ref, sha1: address.sha1, distro: address.distro, flavor: address.flavor })) {
        if (!isGenericDistroVersion(sibling.distro_version) && options.automatic) markDirty(sibling);
      }
    } else if (options.automatic && repo.type !== "raw") {
      markDirty(repo);
    }
    for (const [owner, { refs, sourceRefs }] of projectsRelatedTo(reposConfig, address.project)) {
      if (!sourceRefs.has("all") && !sourceRefs.has(address.ref)) continue;
      if (!optionsOf(owner).automatic) continue;
      for (const related of store.listRepos({ project: owner, distro: address.distro, distro_version: address.distro_version })) {
        if (refs.has("all") || refs.has(related.ref)) markDirty(related);
      }
    }
  };

  const archListing = (address: ArchAddress): Record<string, BinaryJson> | undefined => {
    const binaries = store.listBinaries({ ...address, flavor: address.flavor });
    if (binaries.length === 0) return undefined;
    const now = clock.now();
    const listing: Record<string, BinaryJson> = {};
    for (const binary of binaries) listing[binary.name] = binaryJson(binary, paths, now);
    return listing;
  };

  const deleteBinaryFile = (binary: BinaryRecord) => {
    if (binary.path !== null) rmSync(join(paths.binaryRoot, binary.path), { force: true });
  };

  const service = {
    paths,
    store,
    publicUrl,

    /** Clears what a killed process left: upload temporaries, and builds that were running. */
    recover(): void {
      const removed = removeStaleUploads(paths.binaryRoot);
      if (removed > 0) logger.warn({ event: "stale-uploads-removed", count: removed }, "removed interrupted uploads");
      store.transaction(() => {
        for (const repo of store.reposInterrupted()) {
          store.updateRepo(repo.id, { isUpdating: false, needsUpdate: true, dirtySince: null, nextAttemptAt: null }, clock.now());
          logger.warn({ event: "build-resumed", repo: repoUri(repo) }, "resuming a build interrupted by a restart");
        }
      });
    },

    // ------------------------------------------------------------ discovery

    /** `GET /` summary. */
    root(): Record<string, unknown> {
      const built = uniqueSorted(store.listRepos({}).filter((repo) => repo.path !== null).map((repo) => repo.project));
      return {
        description: "quipu chacra: binary store and repository builder (wire-compatible with ceph/chacra)",
        documentation: "https://github.com/ceph/chacra#readme",
        repos: built,
        binaries: store.listProjects(),
      };
    },

    /**
     * Discovery JSON for `/binaries/` down to the version level (0–5 segments):
     * projects → refs → sha1s → distros → versions → archs → file names. Undefined = 404.
     */
    binaryTree(segments: readonly string[]): Record<string, string[]> | undefined {
      const [project, ref, sha1, distro, distroVersion] = segments;
      if (segments.length === 0) {
        const all = store.listBinaries({});
        const tree: Record<string, string[]> = {};
        for (const name of store.listProjects()) tree[name] = [];
        for (const [name, binaries] of Object.entries(groupBy(all, (b) => b.project))) tree[name] = uniqueSorted(binaries.map((b) => b.ref));
        return tree;
      }
      const filter = { project, ref, sha1, distro, distro_version: distroVersion };
      const binaries = store.listBinaries(filter);
      if (binaries.length === 0) {
        if (segments.length === 1 && project !== undefined && store.hasProject(project)) return {};
        return undefined;
      }
      const keyOf: Record<number, [(b: BinaryRecord) => string, (b: BinaryRecord) => string]> = {
        1: [(b) => b.ref, (b) => b.sha1],
        2: [(b) => b.sha1, (b) => b.distro],
        3: [(b) => b.distro, (b) => b.distro_version],
        4: [(b) => b.distro_version, (b) => b.arch],
        5: [(b) => b.arch, (b) => b.name],
      };
      const pair = keyOf[segments.length];
      if (!pair) return undefined;
      const tree: Record<string, string[]> = {};
      for (const [key, group] of Object.entries(groupBy(binaries, pair[0]))) tree[key] = uniqueSorted(group.map(pair[1]));
      return tree;
    },

    archListing,

    /** `…/{arch}/flavors/`: `{flavor: [file names]}`. */
    flavorListing(address: ArchAddress): Record<string, string[]> | undefined {
      const binaries = store.listBinaries({ ...address, flavor: undefined });
      if (binaries.length === 0) return undefined;
      const tree: Record<string, string[]> = {};
      for (const [flavor, group] of Object.entries(groupBy(binaries, (b) => b.flavor))) tree[flavor] = uniqueSorted(group.map((b) => b.name));
      return tree;
    },

    getBinary(address: BinaryAddress): BinaryRecord | undefined {
      return store.findBinary(address);
    },

    /** Absolute path of a binary's file, or undefined when it has none (metadata-only) or it is gone. */
    binaryFile(binary: BinaryRecord): string | undefined {
      if (binary.path === null) return undefined;
      const file = join(paths.binaryRoot, binary.path);
      return existsSync(file) ? file : undefined;
    },

    binaryJson(binary: BinaryRecord): BinaryJson {
      return binaryJson(binary, paths, clock.now());
    },

    search(filters: SearchFilters): BinaryJson[] | Record<string, never> {
      const unknown = Object.keys(filters).filter((key) => !SEARCH_KEYS.has(key));
      if (unknown.length > 0) {
        throw new QuipuError("QUIPU_VALIDATION_FAILED", `invalid query params: ${unknown.join(", ")}`, {
          details: { issues: unknown.map((key) => `${key}: unknown search parameter`) },
        });
      }
      if (Object.keys(filters).length === 0) return {};
      let size: number | undefined;
      if (filters["size"] !== undefined) {
        size = Number(filters["size"]);
        if (!Number.isInteger(size) || size < 0) {
          throw new QuipuError("QUIPU_VALIDATION_FAILED", "size must be a whole number of bytes", { details: { issues: ["size: must be a whole number"] } });
        }
      }
      const binaries = store.listBinaries({
        project: filters["project"],
        ref: filters["ref"],
        sha1: filters["sha1"],
        distro: filters["distro"],
        distro_version: filters["distro_version"],
        arch: filters["arch"],
        flavor: filters["flavor"],
        name: filters["name"],
        nameContains: filters["name-has"],
        builtBy: filters["built_by"],
        size,
      });
      const now = clock.now();
      return binaries.map((binary) => binaryJson(binary, paths, now));
    },

    /** `POST /binaries/{project}/`: creates the project (authenticated, unlike the original). */
    createProject(project: string): Record<string, string[]> {
      store.ensureProject(project, clock.now());
      return service.binaryTree([project]) ?? {};
    },

    // ------------------------------------------------------------ uploads

    /** Streams an upload's bytes into a temporary file next to where the binary will live. */
    async receiveUpload(address: BinaryAddress, source: Readable): Promise<StagedFile> {
      const directory = dirname(join(paths.binaryRoot, binaryPath(address)));
      return stageUpload(source, { directory, maxBytes: maxUploadBytes });
    },

    /**
     * Stores a received upload: 400 when the binary exists and `force` was not given, or when the
     * client's checksum does not match; otherwise the file is renamed into place and the row
     * written in one step. Always consumes `staged`.
     */
    commitUpload(address: BinaryAddress, staged: StagedFile, commit: CommitUploadOptions): UploadOutcome {
      try {
        const expected = commit.expectedChecksum?.toLowerCase().replace(/^sha512:/, "");
        if (expected !== undefined && expected !== "" && expected !== staged.checksum) {
          throw new QuipuError("QUIPU_CHACRA_CHECKSUM_MISMATCH", `checksum mismatch for ${address.name}: the upload was corrupted on the way`, {
            details: { name: address.name, expected, actual: staged.checksum },
          });
        }
        const relativePath = binaryPath(address);
        const target = join(paths.binaryRoot, relativePath);
        return store.transaction(() => {
          const existing = store.findBinary(address);
          const fileExists = existsSync(target);
          if (existing && fileExists && !commit.force) {
            throw new QuipuError("QUIPU_CHACRA_BINARY_EXISTS", 'resource already exists and "force" key was not used', {
              details: { name: address.name },
            });
          }
          const repo = ensureRepoFor(address);
          // The rename happens inside the transaction: if it fails, no row points at a missing file;
          // if the commit fails after it, the next upload of the same name simply replaces the file.
          commitStagedFile(staged, target);
          const { record } = store.putBinary(
            address,
            repo.id,
            { path: relativePath, size: staged.size, checksum: staged.checksum, builtBy: commit.builtBy ?? null },
            clock.now(),
          );
          afterBinaryChange(address, repo);
          logger.info({ event: "binary-stored", binary: relativePath, size: staged.size, replaced: fileExists }, "binary stored");
          return { status: fileExists ? 200 : 201, binary: record } satisfies UploadOutcome;
        });
      } finally {
        discardStagedFile(staged);
      }
    },

    /**
     * The legacy JSON `POST …/{name}/` (register a binary without uploading its bytes): creates a
     * metadata-only binary; with `force`, updates the whitelisted fields of an existing one.
     */
    postBinaryMetadata(address: BinaryAddress, body: { force?: boolean; built_by?: string | null; size?: number }): UploadOutcome {
      return store.transaction(() => {
        const existing = store.findBinary(address);
        if (existing && !body.force) {
          throw new QuipuError("QUIPU_CHACRA_BINARY_EXISTS", 'file already exists and "force" flag was not used', { details: { name: address.name } });
        }
        const repo = ensureRepoFor(address);
        const { record, created } = store.putBinary(
          address,
          repo.id,
          {
            path: existing?.path ?? null,
            size: body.size ?? existing?.size ?? 0,
            checksum: existing?.checksum ?? null,
            builtBy: body.built_by ?? existing?.builtBy ?? null,
          },
          clock.now(),
        );
        return { status: created ? 201 : 200, binary: record } satisfies UploadOutcome;
      });
    },

    /**
     * Deletes a binary and its file. The repo is rebuilt without it, or — when it was the last
     * binary — deleted (directory included, shaman told); a project with nothing left goes too.
     */
    deleteBinary(address: BinaryAddress): void {
      const binary = store.findBinary(address);
      if (!binary) throw notFound("binary", { ...address });
      store.transaction(() => {
        store.deleteBinary(binary.id);
        deleteBinaryFile(binary);
        const repo = store.getRepo(binary.repoId);
        if (repo) {
          if (store.binariesOfRepo(repo.id).length > 0) afterBinaryChange(address, repo);
          else service.deleteRepoRecord(repo);
        }
        if (store.listBinaries({ project: address.project }).length === 0 && store.listRepos({ project: address.project }).length === 0) {
          store.deleteProject(address.project);
        }
      });
    },

    // ------------------------------------------------------------ repos

    /** Discovery JSON for `/repos/` (0–4 segments): projects → refs → sha1s → distros → versions. */
    repoTree(segments: readonly string[]): Record<string, string[]> | string[] | undefined {
      const [project, ref, sha1, distro] = segments;
      const repos = store.listRepos({ project, ref, sha1, distro }).filter((repo) => !isGenericDistroVersion(repo.distro_version));
      if (segments.length === 0) {
        const tree: Record<string, string[]> = {};
        for (const [name, group] of Object.entries(groupBy(repos, (r) => r.project))) tree[name] = uniqueSorted(group.map((r) => r.ref));
        return tree;
      }
      if (repos.length === 0) return undefined;
      if (segments.length === 4) return uniqueSorted(repos.map((r) => r.distro_version));
      const pairs: Record<number, [(r: RepoRecord) => string, (r: RepoRecord) => string]> = {
        1: [(r) => r.ref, (r) => r.sha1],
        2: [(r) => r.sha1, (r) => r.distro],
        3: [(r) => r.distro, (r) => r.distro_version],
      };
      const pair = pairs[segments.length];
      if (!pair) return undefined;
      const tree: Record<string, string[]> = {};
      for (const [key, group] of Object.entries(groupBy(repos, pair[0]))) tree[key] = uniqueSorted(group.map(pair[1]));
      return tree;
    },

    /** `…/{ver}/flavors/`: the flavors of repos at that version. */
    repoFlavors(key: Omit<RepoAddress, "flavor">): string[] | undefined {
      const repos = store.listRepos(key);
      return repos.length === 0 ? undefined : uniqueSorted(repos.map((r) => r.flavor));
    },

    getRepo(key: RepoAddress): RepoRecord | undefined {
      return store.findRepo(key);
    },

    repoJson(repo: RepoRecord): Record<string, unknown> {
      return repoView(repo);
    },

    /** `POST` on a repo: sets `type`, `needs_update`, `ref`, `distro`, `distro_version` (validated by the caller). */
    updateRepoFields(key: RepoAddress, fields: { type?: RepoType; needs_update?: boolean; ref?: string; distro?: string; distro_version?: string }): RepoRecord {
      return store.transaction(() => {
        let repo = findRepoOrThrow(key);
        const patch: RepoPatch = {};
        if (fields.type !== undefined) Object.assign(patch, { type: fields.type });
        if (fields.ref !== undefined) Object.assign(patch, { ref: fields.ref });
        if (fields.distro !== undefined) Object.assign(patch, { distro: fields.distro });
        if (fields.distro_version !== undefined) Object.assign(patch, { distro_version: fields.distro_version });
        repo = store.updateRepo(repo.id, patch, clock.now());
        if (fields.needs_update === true) repo = markDirty(repo);
        if (fields.needs_update === false) repo = store.updateRepo(repo.id, { needsUpdate: false, isQueued: false }, clock.now());
        return repo;
      });
    },

    /**
     * `POST …/update`: build now (no quiet time). Raw repos are published immediately. While a
     * build runs, the request only makes sure one more build follows it.
     */
    async requestUpdate(key: RepoAddress): Promise<RepoRecord> {
      const repo = store.transaction(() => {
        const current = findRepoOrThrow(key);
        const now = clock.now();
        if (current.isUpdating) return store.updateRepo(current.id, { needsUpdate: true, dirtySince: null, nextAttemptAt: null }, now);
        return setStatus(current, "requested", {
          needsUpdate: true,
          isQueued: false,
          dirtySince: null,
          nextAttemptAt: null,
          attempts: 0,
          failure: null,
          generation: nextGeneration(current),
        });
      });
      if (repo.type === "raw" && !repo.isUpdating) {
        await service.buildRepo(repo.id);
        return store.getRepo(repo.id) ?? repo;
      }
      return repo;
    },

    /** `POST …/recreate`: removes the built tree, then as `update`. */
    async recreate(key: RepoAddress): Promise<RepoRecord> {
      const repo = findRepoOrThrow(key);
      if (!repo.isUpdating) rmSync(join(paths.reposRoot, repoUri(repo)), { recursive: true, force: true });
      return service.requestUpdate(key);
    },

    /** `POST …/extra`: replaces the repo's `extra` metadata (shaman sees it with the next status). */
    setExtra(key: RepoAddress, extra: Record<string, unknown>): RepoRecord {
      return store.transaction(() => store.updateRepo(findRepoOrThrow(key).id, { extra }, clock.now()));
    },

    /** `DELETE` a repo: its directory, binaries (files and rows), the row; shaman is told `deleted`. */
    deleteRepo(key: RepoAddress): void {
      store.transaction(() => {
        const repo = findRepoOrThrow(key);
        for (const binary of store.binariesOfRepo(repo.id)) {
          store.deleteBinary(binary.id);
          deleteBinaryFile(binary);
        }
        service.deleteRepoRecord(repo);
        if (store.listBinaries({ project: key.project }).length === 0 && store.listRepos({ project: key.project }).length === 0) {
          store.deleteProject(key.project);
        }
      });
    },

    /** Removes a repo's row and tree and reports `deleted` (the binaries must be gone already). */
    deleteRepoRecord(repo: RepoRecord): void {
      rmSync(join(paths.reposRoot, repoUri(repo)), { recursive: true, force: true });
      setStatus(repo, "deleted", { generation: repo.generation });
      store.deleteRepo(repo.id);
    },

    /** `GET …/repo`: the `.repo` file (rpm) or sources line (deb); empty for raw repos. */
    async repoFile(key: RepoAddress): Promise<string> {
      const repo = findRepoOrThrow(key);
      const { renderRepoFile } = await import("./repo-file.js");
      const type = repo.type ?? repoTypeOfDistro(repo.distro);
      return renderRepoFile({
        type,
        project: repo.project,
        distro: repo.distro,
        distroVersion: repo.distro_version,
        baseUrl: `${publicUrl}r/${repoUri(repo)}`,
        keyUrl: options.signer ? `${publicUrl}repo-key.asc` : undefined,
      });
    },

    // ------------------------------------------------------------ building

    /** The files a repo is built from: its own binaries, generic ones, combined codenames, extra projects. */
    repoInputs(repo: RepoRecord): { inputs: RepoBuildInput[]; codenames: string[] } {
      const options = optionsOf(repo.project);
      // Keyed by file and codename: a generic package goes into every codename's pool.
      const inputs = new Map<string, RepoBuildInput>();
      const add = (binary: BinaryRecord, distroVersion: string) => {
        const file = binary.path === null ? undefined : join(paths.binaryRoot, binary.path);
        if (file === undefined || !existsSync(file)) return;
        const key = `${file}\u0000${distroVersion}`;
        if (!inputs.has(key)) inputs.set(key, { file, name: binary.name, arch: binary.arch, distroVersion });
      };
      for (const binary of store.binariesOfRepo(repo.id)) add(binary, repo.distro_version);
      const codenames = [repo.distro_version];
      const type = repo.type ?? repoTypeOfDistro(repo.distro);
      if (type === "deb") {
        const combined = options.combined.includes(repo.distro_version) ? options.combined : [];
        for (const codename of combined) {
          if (codename === repo.distro_version) continue;
          // Same build (sha1) and flavor only: the original once mixed both (chacra#196).
          const siblings = store.listBinaries({ project: repo.project, ref: repo.ref, sha1: repo.sha1, distro_version: codename, flavor: repo.flavor });
          if (siblings.length > 0) codenames.push(codename);
          for (const binary of siblings) add(binary, codename);
        }
        for (const version of ["generic", "universal", "any"]) {
          for (const binary of store.listBinaries({ project: repo.project, ref: repo.ref, sha1: repo.sha1, distro: repo.distro, distro_version: version, flavor: repo.flavor })) {
            for (const codename of codenames) add(binary, codename);
          }
        }
      }
      for (const [other, refs] of options.extraProjects(repo.ref)) {
        const candidates = store
          .listRepos({ project: other, distro: repo.distro, distro_version: repo.distro_version })
          .filter((candidate) => refs.includes("all") || refs.includes(candidate.ref))
          .filter((candidate) => candidate.flavor === repo.flavor || candidate.flavor === DEFAULT_FLAVOR);
        // One build of each extra project and ref: the newest, preferring the same flavor.
        for (const [, group] of Object.entries(groupBy(candidates, (c) => c.ref))) {
          const newest = group.sort((a, b) => Number(b.flavor === repo.flavor) - Number(a.flavor === repo.flavor) || b.created - a.created || b.id - a.id)[0];
          if (newest) for (const binary of store.binariesOfRepo(newest.id)) add(binary, repo.distro_version);
        }
      }
      return { inputs: [...inputs.values()], codenames };
    },

    /**
     * Builds one repo now (the build loop calls this for due repos). Returns the final status, or
     * null when there was nothing to do.
     */
    async buildRepo(repoId: number, signal?: AbortSignal): Promise<RepoStatus | null> {
      if (building.has(repoId)) return null;
      building.add(repoId);
      try {
        const started = store.transaction(() => {
          let repo = store.getRepo(repoId);
          if (!repo || !repo.needsUpdate || repo.isUpdating) return undefined;
          const options = optionsOf(repo.project);
          if (options.disabled) {
            store.updateRepo(repo.id, { needsUpdate: false, isQueued: false }, clock.now());
            logger.info({ event: "repo-build-skipped", repo: repoUri(repo) }, "repos of this project are disabled");
            return undefined;
          }
          if (cycleFinished(repo)) repo = setStatus(repo, "queued", { generation: nextGeneration(repo), isQueued: true });
          else if (repo.status === "requested") repo = setStatus(repo, "queued", { isQueued: true });
          const type = repo.type ?? repoTypeOfDistro(repo.distro);
          repo = setStatus(repo, "building", { type, isUpdating: true, needsUpdate: false, isQueued: false, dirtySince: null });
          return { repo, ...service.repoInputs(repo) };
        });
        if (!started) return null;
        const { repo, inputs, codenames } = started;
        const relativeDir = repoUri(repo);
        const directory = join(paths.reposRoot, relativeDir);
        const startedAt = clock.now();
        let result: RepoBuildResult | undefined;
        let failure: unknown;
        try {
          result = await builder({
            directory,
            type: repo.type ?? repoTypeOfDistro(repo.distro),
            distro: repo.distro,
            distroVersion: repo.distro_version,
            inputs,
            codenames,
            signer: options.signer,
            logger,
            signal,
          } as BuildRepositoryOptions);
        } catch (error) {
          failure = error;
        }
        return store.transaction(() => {
          const current = store.getRepo(repo.id);
          if (!current) return null;
          const now = clock.now();
          if (result !== undefined && result.problems.length === 0) {
            setStatus(current, "ready", { isUpdating: false, path: relativeDir, attempts: 0, failure: null, nextAttemptAt: null, builtAt: now });
            logger.info({ event: "repo-built", repo: relativeDir, packages: result.packages, ms: now - startedAt }, "repo built");
            return "ready" as const;
          }
          if (result !== undefined) {
            // Bad packages: the rest is published and served, the repo says which files are bad.
            // Retrying cannot fix a corrupt file, so it waits for a new upload or /update.
            const reason = result.problems.map((problem) => `${problem.file}: ${problem.message}`).join("; ");
            setStatus(current, "failed", { isUpdating: false, path: relativeDir, failure: reason, builtAt: now });
            logger.warn({ event: "repo-build-problems", repo: relativeDir, problems: result.problems }, "repo built with bad packages left out");
            return "failed" as const;
          }
          const attempts = current.attempts + 1;
          const reason = failure instanceof Error ? failure.message : String(failure);
          const retry = attempts < maxAttempts;
          const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempts - 1));
          setStatus(current, "failed", {
            isUpdating: false,
            attempts,
            failure: reason,
            // A new upload during the failed build already asked for another one.
            needsUpdate: retry || current.needsUpdate,
            nextAttemptAt: retry ? now + delay : null,
          });
          logger.error(
            { event: "repo-build-failed", repo: relativeDir, reason, attempts, retryInMs: retry ? delay : null },
            retry ? "repo build failed; will retry" : "repo build failed; giving up until the next update",
          );
          return "failed" as const;
        });
      } finally {
        building.delete(repoId);
      }
    },

    /** Builds every repo that is due, one at a time; returns how many were built. */
    async processDueRepos(signal?: AbortSignal): Promise<number> {
      lastLoopTick = clock.now();
      let count = 0;
      for (const repo of store.reposDue(clock.now(), quietTimeMs)) {
        if (signal?.aborted) break;
        if (isGenericDistroVersion(repo.distro_version)) {
          store.updateRepo(repo.id, { needsUpdate: false, isQueued: false }, clock.now());
          continue;
        }
        if ((await service.buildRepo(repo.id, signal)) !== null) count += 1;
      }
      return count;
    },

    /** The build loop: `processDueRepos` every `intervalMs` until `signal` aborts. */
    async runBuildLoop({ signal, intervalMs }: { signal: AbortSignal; intervalMs: number }): Promise<void> {
      while (!signal.aborted) {
        try {
          await service.processDueRepos(signal);
        } catch (error) {
          logger.error({ event: "build-loop-error", err: error }, "build loop pass failed");
        }
        try {
          await clock.sleep(intervalMs, signal);
        } catch {
          return;
        }
      }
    },

    /** How the build queue stands, for `/health/`. */
    queueState(intervalMs: number): { stalled: boolean; detail: string } {
      const idleFor = clock.now() - lastLoopTick;
      const dirty = store.listRepos({}).filter((repo) => repo.needsUpdate).length;
      return {
        stalled: dirty > 0 && idleFor > Math.max(5 * intervalMs, 60_000) && building.size === 0,
        detail: `${dirty} dirty, ${building.size} building, ${store.pendingCallbackCount()} callbacks pending`,
      };
    },

    /** Deletes the repos with the given ids entirely (purge). */
    purgeRepos(ids: readonly number[]): number {
      let removed = 0;
      for (const id of ids) {
        store.transaction(() => {
          const repo = store.getRepo(id);
          if (!repo || repo.isUpdating) return;
          for (const binary of store.binariesOfRepo(repo.id)) {
            store.deleteBinary(binary.id);
            deleteBinaryFile(binary);
          }
          service.deleteRepoRecord(repo);
          removed += 1;
        });
      }
      return removed;
    },

    /** Sizes on disk, for operators (not part of the original API). */
    diskUsage(): { binaries: number } {
      let total = 0;
      for (const binary of store.listBinaries({})) {
        if (binary.path !== null) {
          try {
            total += statSync(join(paths.binaryRoot, binary.path)).size;
          } catch {
            // A missing file counts as nothing.
          }
        }
      }
      return { binaries: total };
    },

    /** The armored public key built repos are signed with (served at `/repo-key.asc`), if any. */
    signingKey(): string | undefined {
      return options.signer?.publicKeyArmored;
    },

    /** Whether a path below the repos root is inside it (for `/r/`). */
    isInsideReposRoot(absolute: string): boolean {
      const rel = relative(paths.reposRoot, absolute);
      return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep));
    },
  };
  return service;
}

export type ChacraService = ReturnType<typeof createChacraService>;
