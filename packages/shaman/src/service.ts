/**
 * The shaman service: every behaviour of the coordinator, with no HTTP. `createShamanApp` maps
 * routes onto it; the web UI and other tools call it directly.
 *
 * - Nodes: the core selector (LRU, probe before hand-out with a timeout, fail-over within one
 *   call, down after `healthCheckRetries` failures, race-free under concurrency, drain) with its
 *   rows persisted, a short cache of good probes (balanced bursts), and a re-probe loop so a
 *   recovered node comes back without re-registering.
 * - Repos: status reports upserted by `chacra_url`; statuses arriving out of order never move a
 *   repo backwards (`classifyRepoStatusChange`, with tombstones so a late status cannot resurrect
 *   a deleted repo); the read tree with `latest` and the redirect targets.
 * - Builds: upserts matched as the original did (a trigger's `queued` record, then URL + keys).
 * - Search, health, and the figures of the dashboard.
 */
import { existsSync } from "node:fs";
import {
  DEFAULT_FLAVOR,
  HttpUrlSchema,
  QuipuError,
  chacraNodeBaseUrl,
  classifyRepoStatusChange,
  createNodeSelector,
  parseOrThrow,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type NodeSelectorEvent,
  type NodeSnapshot,
  type ReprobeReport,
} from "@quipu/core";
import { z } from "zod";
import { archSpellings, distroKeyOf, releaseKeysFingerprint, releaseKeysOf } from "./release-keys.js";
import { parseSearchParams, searchRepos } from "./repo-search.js";
import { BuildReportSchema, RepoReportSchema, missingCreationKeys } from "./status-reports.js";
import type {
  BuildListColumn,
  BuildQuery,
  BuildRecord,
  NodeRow,
  RepoListColumn,
  RepoQuery,
  RepoRecord,
  ShamanStore,
} from "./store/shaman-store.js";
import { buildJson, nodeJson, repoJson, type BuildJson, type NodeJson, type RepoJson } from "./wire-json.js";

export interface ShamanServiceOptions {
  readonly store: ShamanStore;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How registered chacra hosts are reached: `{scheme}://{host}/`. Default https, as the original. */
  readonly nodeScheme?: "http" | "https";
  /** Consecutive failed probes before a node is marked down. Default 3. */
  readonly healthCheckRetries?: number;
  /** How long one probe of `/health/` may take. Default 10 s (the original waited 60 s). */
  readonly probeTimeoutMs?: number;
  /** How often `runNodeLoop` re-probes down nodes. Default 30 s. */
  readonly reprobeIntervalMs?: number;
  /**
   * A node that passed a probe less than this long ago is handed out without probing it again.
   * Default 2 s; 0 probes on every hand-out, as the original did. See `createShamanService`.
   */
  readonly probeCacheMs?: number;
  /** Used for probes; tests and embedders may inject one. */
  readonly fetch?: typeof globalThis.fetch;
  /** While this file exists `health()` fails (the original's `fail_check_trigger_path`). */
  readonly maintenanceFile?: string | undefined;
  /** Default cap of `listBuilds` (the UI's rows per page). Default 1000. */
  readonly buildLimit?: number;
  /** Told about every node event after it is persisted (metrics, tests). */
  readonly onNodeEvent?: (event: NodeSelectorEvent) => void;
}

/** A node as the service shows it: the selector's row plus the URL it is handed out as. */
export interface NodeView extends NodeSnapshot {
  readonly baseUrl: string;
}

/** A point in the repo tree below `/api/repos/{project}/{ref}/{sha1}/`; `sha1` may be `latest`. */
export interface RepoLevel {
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly distro: string;
  readonly distro_version: string;
  /** Default `default`, as the plain (non-`flavors/`) URLs mean. */
  readonly flavor?: string | undefined;
}

export interface RepoRedirectRequest extends RepoLevel {
  /** Only repos having this arch (any spelling of it) qualify. */
  readonly arch?: string | undefined;
  /** `repo-file`: `{chacra_url}repo`; `tree`: `{url}` + `path`. */
  readonly target: "repo-file" | "tree";
  /** Path below the flavor root, for `tree` (`["noarch", "repodata", "repomd.xml"]`). */
  readonly path?: readonly string[] | undefined;
  /** Keep a trailing slash after `path`. */
  readonly trailingSlash?: boolean | undefined;
}

export type RepoReportOutcome =
  | { readonly action: "created" | "updated" | "unchanged"; readonly repo: RepoRecord }
  | { readonly action: "stale"; readonly repo: RepoRecord | undefined }
  | { readonly action: "deleted" | "ignored"; readonly repo: undefined };

export interface ShamanHealthReport {
  readonly healthy: boolean;
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail?: string | undefined }[];
}

export interface RepoFilter {
  readonly project?: string | undefined;
  readonly ref?: string | undefined;
  readonly sha1?: string | undefined;
  readonly flavor?: string | undefined;
  readonly distro?: string | undefined;
  readonly distro_version?: string | undefined;
  readonly status?: string | undefined;
}

export interface BuildFilter {
  readonly project?: string | undefined;
  readonly ref?: string | undefined;
  readonly sha1?: string | undefined;
  readonly flavor?: string | undefined;
  readonly status?: string | undefined;
}

export interface DashboardDay {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  /** Ready repos per project that day; projects with none are left out, as the original did. */
  readonly counts: Readonly<Record<string, number>>;
}

export interface ShamanDashboard {
  readonly projects: string[];
  /** Newest `completed` builds first. */
  readonly latestBuilds: BuildRecord[];
  /** Newest `ready` repos first. */
  readonly latestRepos: RepoRecord[];
  /** Oldest day first, ending today. */
  readonly readyReposPerDay: DashboardDay[];
}

const DAY_MS = 86_400_000;
// A late callback arrives within the sender's retry window; a week is far beyond chacra's.
const TOMBSTONE_TTL_MS = 7 * DAY_MS;

const NodeRegistrationBodySchema = z.object({ url: HttpUrlSchema.optional() });

function notReady(project: string, ref: string, details: Record<string, unknown> = {}): QuipuError {
  return new QuipuError("QUIPU_SHAMAN_NOT_READY", `no repository is ready for: ${project}/${ref}`, { details: { project, ref, ...details } });
}

function projectNotFound(project: string): QuipuError {
  return new QuipuError("QUIPU_HTTP_NOT_FOUND", `project ${project} not found`, { details: { project } });
}

/** `os.path.join(base, ...parts)` for URLs, as the original built redirect targets. */
function joinUrl(base: string, parts: readonly string[], trailingSlash = false): string {
  if (parts.length === 0) return base;
  const root = base.endsWith("/") ? base : `${base}/`;
  return `${root}${parts.map(encodeURIComponent).join("/")}${trailingSlash ? "/" : ""}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function createShamanService(options: ShamanServiceOptions) {
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const scheme = options.nodeScheme ?? "https";
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const buildLimit = options.buildLimit ?? 1000;
  const reprobeIntervalMs = options.reprobeIntervalMs ?? 30_000;

  // Stored release keys follow the distro table of this release.
  const rekeyed = store.refreshReleaseKeys(releaseKeysFingerprint, releaseKeysOf);
  if (rekeyed > 0) logger.info({ event: "release-keys-refreshed", repos: rekeyed }, "distro table changed: release keys recomputed");

  // ------------------------------------------------------------------ nodes

  const baseUrlOf = (node: Pick<NodeSnapshot, "host" | "url">): string => chacraNodeBaseUrl({ host: node.host, url: node.url ?? null }, scheme);
  const view = (node: NodeSnapshot): NodeView => ({ ...node, baseUrl: baseUrlOf(node) });
  const rowOf = (node: NodeSnapshot): NodeRow => ({
    host: node.host,
    url: node.url ?? null,
    lastUsed: node.lastUsed,
    lastCheck: node.lastCheck,
    healthy: node.healthy,
    downCount: node.downCount,
    drained: node.drained,
  });

  let restoring = false;
  // Hand-outs only move `lastUsed`; writing (and fsyncing) on each one would cap `/next/` at the
  // disk's sync rate. They are written in batches by the node loop and at close: a crash loses at
  // most the LRU order of one interval, never a node's health or drain state.
  const usedSinceFlush = new Set<string>();

  const persistNodeEvent = (event: NodeSelectorEvent) => {
    if (restoring) return;
    try {
      if (event.type === "node-removed") {
        usedSinceFlush.delete(event.host);
        store.deleteNode(event.host);
      } else if (event.type === "node-selected") {
        usedSinceFlush.add(event.host);
      } else {
        usedSinceFlush.delete(event.host);
        store.saveNode(rowOf(event.node));
      }
    } catch (error) {
      logger.error({ event: "node-persist-failed", host: event.host, err: error }, "could not save the node's state");
    }
    options.onNodeEvent?.(event);
  };

  // Why a short cache of good probes: the selector skips a node while its probe is in flight, so
  // under a burst of `/next/` calls the nodes whose probes answer first get more than their share.
  // A node that passed a probe moments ago is handed out at once, the hand-outs stay strictly
  // least-recently-used (balanced), and a burst does not turn into a burst of probes. Failures are
  // never cached: a failing node is probed (and failed over) on every call until it is down.
  const probeCacheMs = options.probeCacheMs ?? 2_000;
  const healthyUntil = new Map<string, number>();

  const selector = createNodeSelector({
    clock,
    logger,
    retries: options.healthCheckRetries ?? 3,
    probeTimeoutMs: options.probeTimeoutMs ?? 10_000,
    reprobeIntervalMs,
    onEvent: persistNodeEvent,
    // shaman's health check: GET {node}/health/ answering 2xx.
    prober: async (node, { signal }) => {
      if (node.healthy && (healthyUntil.get(node.host) ?? -Infinity) > clock.now()) return true;
      healthyUntil.delete(node.host);
      const response = await fetchImpl(new URL("health/", baseUrlOf(node)), { signal, redirect: "manual" });
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) return { healthy: false, detail: `health check answered ${response.status}` };
      if (probeCacheMs > 0) healthyUntil.set(node.host, clock.now() + probeCacheMs);
      return true;
    },
  });

  restoring = true;
  try {
    for (const row of store.listNodes()) {
      selector.register(row.host, {
        ...(row.url === null ? {} : { url: row.url }),
        lastUsed: row.lastUsed,
        lastCheck: row.lastCheck,
        downCount: row.downCount,
        healthy: row.healthy,
        drained: row.drained,
      });
    }
  } finally {
    restoring = false;
  }

  const flushNodeUsage = (): void => {
    if (usedSinceFlush.size === 0) return;
    const hosts = [...usedSinceFlush];
    usedSinceFlush.clear();
    store.transaction(() => {
      for (const host of hosts) if (selector.has(host)) store.saveNode(rowOf(selector.get(host)));
    });
  };

  // ------------------------------------------------------------------ repos

  const requireProject = (project: string) => {
    if (!store.hasProject(project)) throw projectNotFound(project);
  };

  const releaseFilter = (distro: string, distroVersion?: string) =>
    distroVersion === undefined ? { distroKey: distroKeyOf(distro) } : releaseKeysOf(distro, distroVersion);

  /**
   * The sha1 a tree URL means: itself, or for `latest` the sha1 of the newest ready repo of the
   * ref — of that distro, release and flavor (`default` unless given) when the URL names them,
   * and having the arch when the request names one (the original ignored the arch, so an
   * arm64-only repo could win and the x86_64 redirect then failed).
   */
  const resolveSha1 = (
    project: string,
    ref: string,
    sha1: string,
    // flavor: null = any flavor (the `flavors/` listing).
    context: { distro?: string | undefined; distro_version?: string | undefined; flavor?: string | null | undefined; arch?: string | undefined } = {},
  ): string => {
    requireProject(project);
    if (sha1 !== "latest") return /^[0-9A-F]{40}$/i.test(sha1) ? sha1.toLowerCase() : sha1;
    const query: RepoQuery = {
      project,
      ref,
      status: "ready",
      release: context.distro === undefined ? undefined : releaseFilter(context.distro, context.distro_version),
      flavor: context.distro_version === undefined || context.flavor === null ? undefined : (context.flavor ?? DEFAULT_FLAVOR),
      anyArch: context.arch === undefined ? undefined : archSpellings(context.arch),
      limit: 1,
    };
    const newest = store.findRepos(query)[0];
    if (newest === undefined) throw notReady(project, ref, { sha1, ...context });
    return newest.sha1;
  };

  const reposAt = (level: RepoLevel, extra: RepoQuery = {}, arch?: string): RepoRecord[] => {
    const flavor = level.flavor ?? DEFAULT_FLAVOR;
    const sha1 = resolveSha1(level.project, level.ref, level.sha1, { distro: level.distro, distro_version: level.distro_version, flavor, arch });
    return store.findRepos({
      project: level.project,
      ref: level.ref,
      sha1,
      release: releaseFilter(level.distro, level.distro_version),
      flavor,
      ...extra,
    });
  };

  const archsOf = (report: Record<string, unknown>, parsed: readonly string[]): readonly string[] | undefined =>
    Object.hasOwn(report, "archs") ? parsed : undefined;

  /** Applies one status report in the caller's transaction. */
  const applyRepoReport = (project: string, body: Record<string, unknown>): RepoReportOutcome => {
    const report = parseOrThrow(RepoReportSchema, body, "repo status report");
    const now = clock.now();
    const incoming = { status: report.status, generation: report.generation ?? null };
    const existing = store.findRepoByChacraUrl(report.chacra_url);

    if (report.status === "deleted") {
      if (existing && classifyRepoStatusChange(existing, incoming) === "stale") return { action: "stale", repo: existing };
      if (existing) store.deleteRepo(existing.id);
      // Remembered, so that a status of the deleted cycle arriving late does not bring it back.
      store.putTombstone({ chacra_url: report.chacra_url, generation: incoming.generation ?? existing?.generation ?? null, deleted: now });
      store.pruneTombstones(now - TOMBSTONE_TTL_MS);
      return existing ? { action: "deleted", repo: undefined } : { action: "ignored", repo: undefined };
    }

    if (!existing) {
      const tombstone = store.getTombstone(report.chacra_url);
      if (tombstone && classifyRepoStatusChange({ status: "deleted", generation: tombstone.generation }, incoming) !== "advance") {
        return { action: "stale", repo: undefined };
      }
      const missing = missingCreationKeys(report);
      if (missing.length > 0) {
        throw new QuipuError("QUIPU_VALIDATION_FAILED", `invalid repo status report: ${missing.join("; ")}`, {
          details: { what: "repo status report", issues: missing },
        });
      }
      store.ensureProject(project, now);
      if (tombstone) store.deleteTombstone(report.chacra_url);
      const repo = store.insertRepo(
        {
          project,
          ref: report.ref!,
          sha1: report.sha1!,
          flavor: report.flavor,
          distro: report.distro!,
          distro_version: report.distro_version!,
          ...releaseKeysOf(report.distro!, report.distro_version!),
          status: report.status,
          generation: incoming.generation,
          url: report.url ?? null,
          chacra_url: report.chacra_url,
          archs: report.archs,
          extra: report.extra ?? {},
        },
        now,
      );
      return { action: "created", repo };
    }

    const change = classifyRepoStatusChange(existing, incoming);
    if (change === "stale") return { action: "stale", repo: existing };
    const archs = archsOf(body, report.archs);
    const patch = {
      status: report.status,
      generation: incoming.generation ?? existing.generation,
      ...(report.url === undefined ? {} : { url: report.url }),
      ...(report.extra === undefined ? {} : { extra: report.extra }),
      ...(archs === undefined ? {} : { archs }),
    };
    const changed =
      change === "advance" ||
      patch.generation !== existing.generation ||
      (patch.url !== undefined && patch.url !== existing.url) ||
      (patch.extra !== undefined && !sameJson(patch.extra, existing.extra)) ||
      (patch.archs !== undefined && !sameJson(patch.archs, existing.archs));
    if (!changed) return { action: "unchanged", repo: existing };
    return { action: "updated", repo: store.updateRepo(existing.id, patch, now, true) };
  };

  // ------------------------------------------------------------------ builds

  const applyBuildReport = (project: string, body: Record<string, unknown>): BuildRecord => {
    const report = parseOrThrow(BuildReportSchema, body, "build status report");
    const now = clock.now();
    store.ensureProject(project, now);
    const keys = {
      project,
      ref: report.ref,
      sha1: report.sha1,
      flavor: report.flavor,
      distro: report.distro,
      distro_version: report.distro_version,
      distro_arch: report.distro_arch,
    };
    const existing = store.findBuildToUpdate(keys, report.url);
    const given = (key: string) => Object.hasOwn(body, key);
    const fields = {
      ...keys,
      url: report.url,
      // Absent keeps what is stored; an explicit null or "" clears it.
      log_url: given("log_url") ? report.log_url : (existing?.log_url ?? null),
      build_id: given("build_id") ? report.build_id : (existing?.build_id ?? null),
      status: report.status,
      extra: report.extra ?? existing?.extra ?? {},
      completed: report.status === "completed" ? now : null,
    };
    return existing ? store.updateBuild(existing.id, fields, now) : store.insertBuild(fields, now);
  };

  // ------------------------------------------------------------------ the service

  const service = {
    store,
    clock,

    /** Every project (from repos and builds), sorted. */
    projects(): string[] {
      return store.listProjects();
    },

    // ---------------------------------------------------------------- nodes

    listNodes(): NodeView[] {
      return selector.list().map(view);
    },

    /** Throws QUIPU_NODE_NOT_FOUND for an unknown host. */
    getNode(host: string): NodeView {
      return view(selector.get(host));
    },

    /**
     * Register-or-ping (`POST /api/nodes/{host}/`): adds the node (or puts a down one back on
     * probation) and probes its `/health/` now. `url` overrides `{scheme}://{host}/`.
     */
    async registerNode(host: string, body: unknown = {}): Promise<NodeView> {
      const { url } = parseOrThrow(NodeRegistrationBodySchema, body ?? {}, "node registration");
      const registered = selector.register(host, url === undefined ? {} : { url });
      // Register-or-ping means "probe now".
      healthyUntil.delete(registered.host);
      const checked = await selector.check(registered.host);
      store.saveNode(rowOf(checked));
      logger.info({ event: "node-checked", host: checked.host, healthy: checked.healthy, downCount: checked.downCount }, "node registered or pinged");
      return view(checked);
    },

    /** The next healthy node (probed just now); throws QUIPU_NODE_NONE_AVAILABLE when none is left. */
    async nextNode(): Promise<NodeView> {
      return view(await selector.next());
    },

    /** Maintenance: stop handing the node out; it stays listed and probed. */
    drainNode(host: string): NodeView {
      return view(selector.drain(host));
    },

    undrainNode(host: string): NodeView {
      return view(selector.undrain(host));
    },

    removeNode(host: string): NodeView {
      const removed = selector.remove(host);
      healthyUntil.delete(removed.host);
      return view(removed);
    },

    /** One re-probe pass over the down nodes. */
    async reprobeDownNodes(signal?: AbortSignal): Promise<ReprobeReport> {
      const report = await selector.reprobeDown(signal === undefined ? {} : { signal });
      if (report.recovered.length > 0) logger.info({ event: "nodes-recovered", hosts: report.recovered }, "down nodes answered again");
      return report;
    },

    /** Writes the hand-out times not yet saved (the node loop and `close` call it). */
    flushNodeUsage,

    /**
     * The node loop: every `intervalMs` (default `reprobeIntervalMs`) re-probes the down nodes
     * and saves hand-out times, until `signal` aborts.
     */
    async runNodeLoop({ signal, intervalMs = reprobeIntervalMs }: { signal: AbortSignal; intervalMs?: number }): Promise<void> {
      while (!signal.aborted) {
        try {
          await clock.sleep(intervalMs, signal);
        } catch {
          return;
        }
        try {
          await service.reprobeDownNodes(signal);
          flushNodeUsage();
        } catch (error) {
          logger.error({ event: "node-loop-error", err: error }, "node loop pass failed");
        }
      }
    },

    nodeJson(node: NodeView): NodeJson {
      return nodeJson(node, node.baseUrl);
    },

    // ---------------------------------------------------------------- repos

    /**
     * `POST /api/repos/{project}/`: upserts the record keyed by `chacra_url`. `deleted` removes it;
     * otherwise status, `url`, `extra` and `archs` are updated from what the report carries
     * (absent keys keep what is stored) unless the status is older than the stored one.
     */
    reportRepoStatus(project: string, body: Record<string, unknown>): RepoReportOutcome {
      const outcome = store.transaction(() => applyRepoReport(project, body));
      const repo = outcome.repo;
      const fields = { event: "repo-status", action: outcome.action, status: body["status"], chacraUrl: body["chacra_url"], generation: body["generation"] };
      if (outcome.action === "stale") logger.info({ ...fields, current: repo?.status ?? "deleted" }, "ignored an out-of-date repo status");
      else logger.info({ ...fields, project, repo: repo?.id }, `repo ${String(body["status"])}`);
      return outcome;
    },

    /** `GET /api/repos/`: `{project: {refs, sha1s}}`. */
    repoIndex(): Record<string, { refs: string[]; sha1s: string[] }> {
      const index: Record<string, { refs: string[]; sha1s: string[] }> = {};
      for (const project of store.listProjects()) {
        index[project] = { refs: store.distinctRepoValues("ref", { project }), sha1s: store.distinctRepoValues("sha1", { project }) };
      }
      return index;
    },

    /** `GET /api/repos/{p}/`: the refs; QUIPU_HTTP_NOT_FOUND for an unknown project. */
    repoRefs(project: string): string[] {
      requireProject(project);
      return store.distinctRepoValues("ref", { project });
    },

    repoSha1s(project: string, ref: string): string[] {
      requireProject(project);
      return store.distinctRepoValues("sha1", { project, ref });
    },

    /** `GET …/{sha1|latest}/`: the distros; QUIPU_SHAMAN_NOT_READY when `latest` finds nothing ready. */
    repoDistros(project: string, ref: string, sha1: string): string[] {
      const resolved = resolveSha1(project, ref, sha1);
      return store.distinctRepoValues("distro", { project, ref, sha1: resolved });
    },

    repoDistroVersions(project: string, ref: string, sha1: string, distro: string): string[] {
      const resolved = resolveSha1(project, ref, sha1, { distro });
      return store.distinctRepoValues("distro_version", { project, ref, sha1: resolved, release: releaseFilter(distro) });
    },

    /** `GET …/{distro}/{ver}/[flavors/{f}/]`: the repos, newest first (`ubuntu/22.04` ≡ `ubuntu/jammy`). */
    reposAt(level: RepoLevel): RepoRecord[] {
      return reposAt(level);
    },

    /** `GET …/{ver}/flavors/`: the flavors of the matching repos (deduplicated, unlike the original). */
    repoFlavors(level: Omit<RepoLevel, "flavor">): string[] {
      const sha1 = resolveSha1(level.project, level.ref, level.sha1, { distro: level.distro, distro_version: level.distro_version, flavor: null });
      return store.distinctRepoValues("flavor", { project: level.project, ref: level.ref, sha1, release: releaseFilter(level.distro, level.distro_version) });
    },

    /**
     * Where `…/repo[?arch=]` and `…/{arch}/{path}` redirect: the newest ready repo at `request`
     * (having the arch, when given); QUIPU_SHAMAN_NOT_READY when there is none.
     */
    repoRedirect(request: RepoRedirectRequest): string {
      const repo = reposAt(request, { status: "ready", anyArch: request.arch === undefined ? undefined : archSpellings(request.arch), limit: 1 }, request.arch)[0];
      if (repo === undefined) throw notReady(request.project, request.ref, { distro: request.distro, distro_version: request.distro_version, flavor: request.flavor ?? DEFAULT_FLAVOR, arch: request.arch });
      if (request.target === "repo-file") return joinUrl(repo.chacra_url, ["repo"]);
      if (repo.url === null) throw notReady(request.project, request.ref, { reason: "the ready repo has no url" });
      return joinUrl(repo.url, request.path ?? [], request.trailingSlash ?? false);
    },

    repoJson(repo: RepoRecord): RepoJson {
      return repoJson(repo);
    },

    getRepo(id: number): RepoRecord | undefined {
      return store.getRepo(id);
    },

    /** Repos newest first (by `modified`), for the UI; `distro_version` matches by release. */
    listRepos(filter: RepoFilter = {}, listOptions: { limit?: number } = {}): RepoRecord[] {
      return store.findRepos({
        project: filter.project,
        ref: filter.ref,
        sha1: filter.sha1,
        flavor: filter.flavor,
        status: filter.status,
        release: filter.distro === undefined ? undefined : releaseFilter(filter.distro, filter.distro_version),
        limit: listOptions.limit,
      });
    },

    /** Sorted distinct values of one column among the repos matching `filter` (UI side panels). */
    distinctRepoValues(column: RepoListColumn, filter: RepoFilter = {}): string[] {
      return store.distinctRepoValues(column, {
        project: filter.project,
        ref: filter.ref,
        sha1: filter.sha1,
        flavor: filter.flavor,
        status: filter.status,
        release: filter.distro === undefined ? undefined : releaseFilter(filter.distro, filter.distro_version),
      });
    },

    // ---------------------------------------------------------------- search

    /** `GET /api/search/`: parameters as received (name, value pairs); results newest first. */
    search(params: Iterable<readonly [string, string]>): RepoRecord[] {
      return searchRepos(store, parseSearchParams(params));
    },

    // ---------------------------------------------------------------- builds

    /** `POST /api/builds/{project}/`: creates or updates a build record (reference §2.7). */
    reportBuildStatus(project: string, body: Record<string, unknown>): BuildRecord {
      const build = store.transaction(() => applyBuildReport(project, body));
      logger.info({ event: "build-status", project, build: build.id, status: build.status, url: build.url }, `build ${build.status}`);
      return build;
    },

    /** `GET /api/builds/`: `{project: [refs]}`. */
    buildIndex(): Record<string, string[]> {
      const index: Record<string, string[]> = {};
      for (const project of store.listProjects()) index[project] = store.distinctBuildValues("ref", { project });
      return index;
    },

    buildRefs(project: string): string[] {
      requireProject(project);
      return store.distinctBuildValues("ref", { project });
    },

    buildSha1s(project: string, ref: string): string[] {
      requireProject(project);
      return store.distinctBuildValues("sha1", { project, ref });
    },

    /** `GET /api/builds/{p}/{ref}/{sha1}/`: newest `modified` first. */
    buildsOf(project: string, ref: string, sha1: string): BuildRecord[] {
      requireProject(project);
      return store.findBuilds({ project, ref, sha1: /^[0-9A-F]{40}$/i.test(sha1) ? sha1.toLowerCase() : sha1 });
    },

    buildJson(build: BuildRecord): BuildJson {
      return buildJson(build);
    },

    getBuild(id: number): BuildRecord | undefined {
      return store.getBuild(id);
    },

    /**
     * Builds for the UI, newest `modified` first (or newest record first with `orderBy: "id"`, the
     * original UI's order), capped at `limit` (default `buildLimit`).
     */
    listBuilds(filter: BuildFilter = {}, listOptions: { limit?: number; orderBy?: "modified" | "id" } = {}): BuildRecord[] {
      const query: BuildQuery = { ...filter, orderBy: listOptions.orderBy ?? "modified", limit: listOptions.limit ?? buildLimit };
      return store.findBuilds(query);
    },

    distinctBuildValues(column: BuildListColumn, filter: BuildFilter = {}): string[] {
      return store.distinctBuildValues(column, filter);
    },

    // ---------------------------------------------------------------- dashboard and health

    /**
     * Ready repos per project for each of the last `days` UTC days (oldest first, ending today),
     * counted by the day they were last modified, as the original's chart did.
     */
    readyReposPerDay(days = 10): DashboardDay[] {
      const today = Math.floor(clock.now() / DAY_MS) * DAY_MS;
      const from = today - (days - 1) * DAY_MS;
      const counts = store.dailyReadyCounts(from, today + DAY_MS);
      const result: DashboardDay[] = [];
      for (let day = from; day <= today; day += DAY_MS) {
        const name = new Date(day).toISOString().slice(0, 10);
        const entries = counts.filter((count) => count.day === name).map((count) => [count.project, count.count] as const);
        result.push({ day: name, counts: Object.fromEntries(entries) });
      }
      return result;
    },

    /** What the home page shows (reference §2.8). */
    dashboard(dashboardOptions: { days?: number; latest?: number } = {}): ShamanDashboard {
      const latest = dashboardOptions.latest ?? 10;
      return {
        projects: store.listProjects(),
        latestBuilds: store.findBuilds({ status: "completed", limit: latest }),
        latestRepos: store.findRepos({ status: "ready", limit: latest }),
        readyReposPerDay: service.readyReposPerDay(dashboardOptions.days ?? 10),
      };
    },

    /** `/_health/`: the database answers and the maintenance file is absent. */
    health(): ShamanHealthReport {
      const checks: { name: string; ok: boolean; detail?: string }[] = [];
      try {
        store.ping();
        checks.push({ name: "database", ok: true });
      } catch (error) {
        checks.push({ name: "database", ok: false, detail: (error as Error).message });
      }
      if (options.maintenanceFile !== undefined && existsSync(options.maintenanceFile)) {
        checks.push({ name: "maintenance", ok: false, detail: `${options.maintenanceFile} exists` });
      }
      return { healthy: checks.every((check) => check.ok), checks };
    },

    /** Saves what is pending; the caller closes the store. */
    close(): void {
      flushNodeUsage();
    },
  };
  return service;
}

export type ShamanService = ReturnType<typeof createShamanService>;
