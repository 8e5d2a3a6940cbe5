/**
 * `ShamanUiData` over plain arrays: for tests, demos, and as the reference behaviour an adapter
 * over the real service must match (filtering, ordering, limits, per-day counts).
 */
import { lastUtcDays, parseTimestamp, utcDay } from "./utc-days.js";
import type { ShamanUiData, UiBuildRecord, UiDayCount, UiRecordFilter, UiRepoRecord } from "./ui-data.js";

export interface MemoryUiRecords {
  readonly builds?: readonly UiBuildRecord[];
  readonly repos?: readonly UiRepoRecord[];
  /** Extra project names with neither builds nor repos yet. */
  readonly projects?: readonly string[];
  /** The clock; defaults to the system clock. */
  readonly now?: () => Date;
}

type FilterableRecord = UiBuildRecord | UiRepoRecord;

function matches(record: FilterableRecord, filter: UiRecordFilter): boolean {
  return (
    (filter.project === undefined || record.project === filter.project) &&
    (filter.ref === undefined || record.ref === filter.ref) &&
    (filter.sha1 === undefined || record.sha1 === filter.sha1) &&
    (filter.flavor === undefined || record.flavor === filter.flavor) &&
    (filter.status === undefined || record.status === filter.status)
  );
}

const time = (record: FilterableRecord) => parseTimestamp(record.modified)?.getTime() ?? 0;

function select<T extends FilterableRecord>(records: readonly T[], filter: UiRecordFilter): T[] {
  const selected = records.filter((record) => matches(record, filter)).sort((a, b) => time(b) - time(a) || b.id - a.id);
  return filter.limit === undefined ? selected : selected.slice(0, Math.max(0, filter.limit));
}

export function createMemoryUiData(records: MemoryUiRecords): ShamanUiData {
  const builds = [...(records.builds ?? [])];
  const repos = [...(records.repos ?? [])];
  const now = records.now ?? (() => new Date());
  return {
    projects: () => [...new Set([...(records.projects ?? []), ...builds.map((b) => b.project), ...repos.map((r) => r.project)])].sort(),
    builds: (filter) => select(builds, filter),
    repos: (filter) => select(repos, filter),
    build: (id) => builds.find((build) => build.id === id),
    repo: (id) => repos.find((repo) => repo.id === id),
    readyReposPerDay: (days) => {
      const counts = new Map<string, Record<string, number>>(lastUtcDays(now(), days).map((day) => [day, {}]));
      for (const repo of repos) {
        const modified = parseTimestamp(repo.modified);
        const perProject = modified && repo.status === "ready" ? counts.get(utcDay(modified)) : undefined;
        if (perProject) perProject[repo.project] = (perProject[repo.project] ?? 0) + 1;
      }
      return [...counts].map(([day, perProject]): UiDayCount => ({ day, counts: perProject }));
    },
    now,
  };
}
