/**
 * `GET /api/search/` (reference §2.6): filters, the `distros` list, and `sha1=latest`.
 *
 * Differences from the original, each fixing a reported problem:
 * - versions match by release, not spelling: `ubuntu/24.04` finds repos stored as `noble`;
 * - arch-aware: a part's arch (`ubuntu/22.04/x86_64`) must be one of the repo's archs, also when
 *   choosing `latest`, and `arm64` ≡ `aarch64`; an arm64-only repo never answers an x86_64 question;
 * - `latest` without `status` means `status=ready` (the original could name a sha1 still building);
 * - no parameter at all is a 400, not a dump of the whole database.
 *
 * `latest` = the sha1 of the newest matching repo among those sha1s that have a match for every
 * requested part; the answer is the newest matching repo of that sha1 per part, in request order.
 * It walks each part's repos newest first through the `repos_search` index a page at a time and
 * checks each new sha1 with one indexed lookup, so it reads a few dozen rows however many exist.
 */
import { QuipuError, parseDistroQuery, type DistroQueryPart } from "@quipu/core";
import { archSpellings, releaseKeysOf, releaseKeysOfPart } from "./release-keys.js";
import type { RepoQuery, RepoRecord, ShamanStore } from "./store/shaman-store.js";

export const SEARCH_PARAMETERS = ["project", "distros", "ref", "sha1", "flavor", "status"] as const;
export type SearchParameter = (typeof SEARCH_PARAMETERS)[number];

export interface SearchQuery {
  readonly project?: string | undefined;
  readonly ref?: string | undefined;
  /** A sha1, or undefined; `latest` is `latest: true`. */
  readonly sha1?: string | undefined;
  readonly flavor?: string | undefined;
  readonly status?: string | undefined;
  readonly distros: readonly DistroQueryPart[];
  readonly latest: boolean;
}

const ALLOWED: ReadonlySet<string> = new Set(SEARCH_PARAMETERS);
// The answer is usually among the first rows; pages grow when it is not.
const FIRST_PAGE = 8;
const LAST_PAGE = 256;

/**
 * Validates search parameters: unknown or repeated names and an empty query are 400
 * (QUIPU_SHAMAN_SEARCH_INVALID), a bad `distros` part is 400 (QUIPU_MODEL_INVALID_DISTRO_QUERY).
 * Empty values count as absent.
 */
export function parseSearchParams(params: Iterable<readonly [string, string]>): SearchQuery {
  const values = new Map<string, string>();
  const unknown: string[] = [];
  const repeated: string[] = [];
  let count = 0;
  for (const [name, value] of params) {
    count += 1;
    if (!ALLOWED.has(name)) unknown.push(name);
    else if (values.has(name)) repeated.push(name);
    else values.set(name, value.trim());
  }
  const allowed = [...SEARCH_PARAMETERS];
  if (unknown.length > 0 || repeated.length > 0) {
    const problems = [
      ...(unknown.length > 0 ? [`unknown parameter${unknown.length === 1 ? "" : "s"}: ${unknown.join(", ")}`] : []),
      ...(repeated.length > 0 ? [`repeated parameter${repeated.length === 1 ? "" : "s"}: ${repeated.join(", ")}`] : []),
    ];
    throw new QuipuError("QUIPU_SHAMAN_SEARCH_INVALID", `invalid search: ${problems.join("; ")} (allowed: ${allowed.join(", ")})`, {
      details: { unknown, repeated, allowed },
    });
  }
  if (count === 0) {
    throw new QuipuError("QUIPU_SHAMAN_SEARCH_INVALID", `invalid search: give at least one of ${allowed.join(", ")}`, {
      details: { unknown: [], repeated: [], allowed },
    });
  }
  const given = (name: SearchParameter) => {
    const value = values.get(name);
    return value === undefined || value === "" ? undefined : value;
  };
  const sha1 = given("sha1");
  const latest = sha1?.toLowerCase() === "latest";
  return {
    project: given("project"),
    ref: given("ref"),
    // Stored sha1s are lowercase.
    sha1: latest || sha1 === undefined ? undefined : /^[0-9a-f]{40}$/i.test(sha1) ? sha1.toLowerCase() : sha1,
    flavor: given("flavor"),
    status: given("status") ?? (latest ? "ready" : undefined),
    distros: parseDistroQuery(given("distros") ?? ""),
    latest,
  };
}

function baseQuery(query: SearchQuery): RepoQuery {
  return { project: query.project, ref: query.ref, sha1: query.sha1, flavor: query.flavor, status: query.status };
}

function partQuery(part: DistroQueryPart): RepoQuery {
  return { release: releaseKeysOfPart(part), anyArch: part.arch === null ? undefined : archSpellings(part.arch) };
}

function newerFirst(a: RepoRecord, b: RepoRecord): number {
  return b.modified - a.modified || b.id - a.id;
}

/** Whether `repo` answers `part` (same release, and one of its archs when the part names one). */
export function repoMatchesPart(repo: RepoRecord, part: DistroQueryPart): boolean {
  const keys = releaseKeysOf(repo.distro, repo.distro_version);
  const wanted = releaseKeysOfPart(part);
  if (keys.distroKey !== wanted.distroKey || keys.releaseKey !== wanted.releaseKey) return false;
  if (part.arch === null) return true;
  const spellings = archSpellings(part.arch);
  return repo.archs.some((arch) => spellings.includes(arch));
}

/** Runs a parsed search; results are newest first. */
export function searchRepos(store: ShamanStore, query: SearchQuery): RepoRecord[] {
  const base = baseQuery(query);
  if (!query.latest) {
    if (query.distros.length === 0) return store.findRepos(base);
    const byId = new Map<number, RepoRecord>();
    for (const part of query.distros) {
      for (const repo of store.findRepos({ ...base, ...partQuery(part) })) byId.set(repo.id, repo);
    }
    return [...byId.values()].sort(newerFirst);
  }
  if (query.distros.length === 0) {
    const newest = store.findRepos({ ...base, limit: 1 })[0];
    return newest === undefined ? [] : store.findRepos({ ...base, sha1: newest.sha1 });
  }
  return latestForParts(store, base, query.distros);
}

interface Cursor {
  readonly query: RepoQuery;
  rows: RepoRecord[];
  position: number;
  exhausted: boolean;
  pageSize: number;
}

function head(store: ShamanStore, cursor: Cursor): RepoRecord | undefined {
  if (cursor.position >= cursor.rows.length && !cursor.exhausted) {
    const last = cursor.rows[cursor.rows.length - 1];
    const limit = cursor.pageSize;
    cursor.rows = store.findRepos({ ...cursor.query, limit, before: last === undefined ? undefined : { modified: last.modified, id: last.id } });
    cursor.position = 0;
    cursor.exhausted = cursor.rows.length < limit;
    cursor.pageSize = Math.min(LAST_PAGE, limit * 2);
  }
  return cursor.rows[cursor.position];
}

function latestForParts(store: ShamanStore, base: RepoQuery, parts: readonly DistroQueryPart[]): RepoRecord[] {
  const cursors: Cursor[] = parts.map((part) => ({ query: { ...base, ...partQuery(part) }, rows: [], position: 0, exhausted: false, pageSize: FIRST_PAGE }));
  const seen = new Set<string>();
  for (;;) {
    // The newest row among every part's next row: the walk of the original's OR query.
    let best: { cursor: Cursor; repo: RepoRecord } | undefined;
    for (const cursor of cursors) {
      const repo = head(store, cursor);
      if (repo !== undefined && (best === undefined || newerFirst(repo, best.repo) < 0)) best = { cursor, repo };
    }
    if (best === undefined) return [];
    best.cursor.position += 1;
    const sha1 = best.repo.sha1;
    if (seen.has(sha1)) continue;
    seen.add(sha1);
    const candidates = store.findRepos({ ...base, sha1 });
    const answer: RepoRecord[] = [];
    for (const part of parts) {
      const match = candidates.find((repo) => repoMatchesPart(repo, part));
      if (match === undefined) break;
      answer.push(match);
    }
    if (answer.length === parts.length) return answer;
  }
}
