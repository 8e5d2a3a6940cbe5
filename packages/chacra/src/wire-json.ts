/**
 * The JSON shapes chacra's clients read (chacractl, ceph-build scripts, shaman): binary JSON and
 * repo JSON with the original keys and timestamp spelling (Python's `str(datetime)`), plus a few
 * additions (`status`, `failure`, `generation`) that old clients ignore.
 */
import { join } from "node:path";
import { formatLegacyTimestamp, repoUriPath, timestampFromMs } from "@quipu/core";
import type { BinaryRecord, RepoRecord } from "./store/chacra-store.js";

export interface WirePaths {
  readonly binaryRoot: string;
  readonly reposRoot: string;
}

export type BinaryJson = Record<string, unknown> & { name: string; checksum: string | null; size: number };

/** "3 days, 2 hours ago": how long since a binary changed (the original dropped the days). */
export function lastChanged(fromMs: number, nowMs: number): string {
  let seconds = Math.max(0, Math.floor((nowMs - fromMs) / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ] as const) {
    const count = Math.floor(seconds / size);
    seconds -= count * size;
    if (count > 0) parts.push(`${count} ${unit}${count === 1 ? "" : "s"}`);
    if (parts.length === 2) break;
  }
  if (parts.length === 0) return "just now";
  return `${parts.join(", ")} ago`;
}

const legacy = (ms: number) => formatLegacyTimestamp(timestampFromMs(ms));

export function binaryJson(binary: BinaryRecord, paths: WirePaths, nowMs: number): BinaryJson {
  return {
    name: binary.name,
    project: binary.project,
    created: legacy(binary.created),
    modified: legacy(binary.modified),
    signed: false,
    size: binary.size,
    path: binary.path === null ? null : join(paths.binaryRoot, binary.path),
    last_changed: lastChanged(binary.modified, nowMs),
    built_by: binary.builtBy,
    distro: binary.distro,
    distro_version: binary.distro_version,
    checksum: binary.checksum,
    arch: binary.arch,
    ref: binary.ref,
    sha1: binary.sha1,
    flavor: binary.flavor,
  };
}

export function repoJson(repo: RepoRecord, archs: readonly string[], paths: WirePaths): Record<string, unknown> {
  return {
    path: repo.path === null ? null : join(paths.reposRoot, repo.path),
    project_name: repo.project,
    ref: repo.ref,
    sha1: repo.sha1,
    distro: repo.distro,
    distro_version: repo.distro_version,
    modified: legacy(repo.modified),
    signed: false,
    needs_update: repo.needsUpdate,
    is_updating: repo.isUpdating,
    is_queued: repo.isQueued,
    type: repo.type,
    size: 0,
    flavor: repo.flavor,
    archs: [...archs],
    extra: repo.extra,
    status: repo.status,
    generation: repo.generation,
    failure: repo.failure,
  };
}

/** `{project}/{ref}/{sha1}/{distro}/{distro_version}/flavors/{flavor}/` of a repo. */
export function repoUri(repo: RepoRecord): string {
  return repoUriPath({
    project: repo.project,
    ref: repo.ref,
    sha1: repo.sha1,
    distro: repo.distro,
    distro_version: repo.distro_version,
    flavor: repo.flavor,
  });
}
