import { z } from "zod";

/**
 * The status of a repo as chacra reports it to shaman (§1.7, §2.9): `requested` (`/update` or
 * `/recreate`), `queued` (a build is scheduled), `building`, `ready`, and `deleted` (purge; a
 * delete signal, not a state worth keeping). `failed` is quipu's addition: the original had no
 * failure state and a crashed build stayed `building` forever.
 */
export const RepoStatusSchema = z.enum(["requested", "queued", "building", "ready", "failed", "deleted"]);
export type RepoStatus = z.infer<typeof RepoStatusSchema>;

/**
 * Build cycles and out-of-order callbacks. chacra delivers callbacks from parallel tasks with
 * retries, so shaman sees them out of order (`ready` before `building`). Within one build cycle
 * statuses only move forward (requested → queued → building → ready | failed → deleted), but a
 * repo is rebuilt many times, and `ready → queued` is then legitimate. So each callback may carry
 * a `generation`: a number the sender increases whenever a new build cycle starts (quipu's chacra
 * uses its clock's milliseconds at the start of the cycle, so it keeps increasing even when a repo
 * is deleted and created again). A higher generation always wins; within a generation the status
 * must move forward.
 *
 * Callbacks without a generation (the original chacra, the Pulp notifier) fall back to a best
 * effort: forward moves are accepted, and after a finished cycle (`ready`, `failed`, `deleted`) a
 * `requested` or `queued` starts a new one — those are the only statuses a new cycle starts with.
 * A late `building` after `ready` is then correctly ignored; a late duplicate `queued` after
 * `ready` cannot be told apart from a rebuild and is accepted.
 */
export interface RepoStatusPoint {
  readonly status: RepoStatus;
  readonly generation?: number | null | undefined;
}

/** `advance`: apply it; `same`: a re-delivery (other fields may still be merged); `stale`: ignore it. */
export type RepoStatusChange = "advance" | "same" | "stale";

const CYCLE_RANK: Readonly<Record<RepoStatus, number>> = {
  requested: 0,
  queued: 1,
  building: 2,
  ready: 3,
  failed: 3,
  deleted: 4,
};

const CYCLE_ENDS: ReadonlySet<RepoStatus> = new Set(["ready", "failed", "deleted"]);
const CYCLE_STARTS: ReadonlySet<RepoStatus> = new Set(["requested", "queued"]);

function asPoint(value: RepoStatusPoint | RepoStatus): RepoStatusPoint {
  return typeof value === "string" ? { status: value } : value;
}

function withinCycle(from: RepoStatus, to: RepoStatus): RepoStatusChange {
  if (from === to) return "same";
  // ready and failed share a rank: the first outcome reported for a cycle stands.
  return CYCLE_RANK[to] > CYCLE_RANK[from] ? "advance" : "stale";
}

/**
 * How an incoming status relates to the current one (null when there is no record yet). See
 * `RepoStatusPoint` for the rules.
 */
export function classifyRepoStatusChange(
  current: RepoStatusPoint | RepoStatus | null | undefined,
  incoming: RepoStatusPoint | RepoStatus,
): RepoStatusChange {
  if (current === null || current === undefined) return "advance";
  const from = asPoint(current);
  const to = asPoint(incoming);
  if (typeof from.generation === "number" && typeof to.generation === "number") {
    if (to.generation > from.generation) return "advance";
    if (to.generation < from.generation) return "stale";
    return withinCycle(from.status, to.status);
  }
  if (from.status !== to.status && CYCLE_ENDS.has(from.status) && CYCLE_STARTS.has(to.status)) return "advance";
  return withinCycle(from.status, to.status);
}

/** True when `to` should replace `from` (see `classifyRepoStatusChange`). */
export function isStatusAdvance(
  from: RepoStatusPoint | RepoStatus | null | undefined,
  to: RepoStatusPoint | RepoStatus,
): boolean {
  return classifyRepoStatusChange(from, to) === "advance";
}
