/**
 * The JSON shapes shaman's clients read (teuthology, ceph-build scripts, dashboards): repo, build
 * and node JSON with the original keys and timestamp spelling (Python's `str(datetime)`).
 * `distro_version` / `distro_codename` are normalised from the core distro table, so noble,
 * bookworm and trixie get both (the original's maps stopped at jammy and bullseye).
 * Additions old clients ignore: nodes carry `url` and `drained`.
 */
import { formatLegacyTimestamp, normalizeDistroRelease, timestampFromMs, type NodeSnapshot } from "@quipu/core";
import type { BuildRecord, RepoRecord } from "./store/shaman-store.js";

export interface RepoJson {
  url: string;
  chacra_url: string;
  ref: string;
  sha1: string;
  distro: string;
  distro_version: string | null;
  distro_codename: string | null;
  modified: string;
  status: string;
  flavor: string;
  project: string;
  archs: string[];
  extra: Record<string, unknown>;
}

export interface BuildJson {
  url: string;
  log_url: string | null;
  ref: string;
  sha1: string;
  flavor: string;
  status: string;
  extra: Record<string, unknown>;
  modified: string;
  started: string;
  completed: string | null;
  project: string;
  distro_version: string | null;
  distro_codename: string | null;
  distro: string | null;
  distro_arch: string | null;
}

export interface NodeJson {
  host: string;
  last_used: string;
  last_check: string | null;
  healthy: boolean;
  down_count: number;
  drained: boolean;
  /** Where the node is reached (`{scheme}://{host}/` unless it registered another URL). */
  url: string;
}

/** Python's `str(datetime)` of a naive UTC value, as the original's JSON carried timestamps. */
export function legacyTime(ms: number): string {
  return formatLegacyTimestamp(timestampFromMs(ms));
}

/** The (codename, version) pair the original's `parse_distro_release` gave, from the full table. */
export function distroReleasePair(distro: string, distroVersion: string): { distro_version: string | null; distro_codename: string | null } {
  const release = normalizeDistroRelease(distro, distroVersion);
  return { distro_version: release.version, distro_codename: release.codename };
}

export function repoJson(repo: RepoRecord): RepoJson {
  return {
    // The original stored "" for a report without `url`.
    url: repo.url ?? "",
    chacra_url: repo.chacra_url,
    ref: repo.ref,
    sha1: repo.sha1,
    distro: repo.distro,
    ...distroReleasePair(repo.distro, repo.distro_version),
    modified: legacyTime(repo.modified),
    status: repo.status,
    flavor: repo.flavor,
    project: repo.project,
    archs: [...repo.archs],
    extra: { ...repo.extra },
  };
}

export function buildJson(build: BuildRecord): BuildJson {
  const release =
    build.distro !== null && build.distro_version !== null
      ? distroReleasePair(build.distro, build.distro_version)
      : { distro_version: build.distro_version, distro_codename: null };
  return {
    url: build.url,
    log_url: build.log_url,
    ref: build.ref,
    sha1: build.sha1,
    flavor: build.flavor,
    status: build.status,
    extra: { ...build.extra },
    modified: legacyTime(build.modified),
    started: legacyTime(build.started),
    completed: build.completed === null ? null : legacyTime(build.completed),
    project: build.project,
    ...release,
    distro: build.distro,
    distro_arch: build.distro_arch,
  };
}

export function nodeJson(node: NodeSnapshot, url: string): NodeJson {
  return {
    host: node.host,
    last_used: legacyTime(node.lastUsed),
    last_check: node.lastCheck === null ? null : legacyTime(node.lastCheck),
    healthy: node.healthy,
    down_count: node.downCount,
    drained: node.drained,
    url,
  };
}
