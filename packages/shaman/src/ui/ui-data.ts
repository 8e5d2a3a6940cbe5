/**
 * What the web UI reads, and nothing more. The UI never touches the store or the service
 * directly: `mountShamanUi(app, data)` takes any object with these methods, so the daemon
 * passes a thin adapter over its service and tests pass `createMemoryUiData(records)`.
 *
 * The records mirror ceph/shaman's wire JSON (reference §2.2) plus the numeric `id` that the
 * original's detail URLs use (`/builds/{p}/{ref}/{sha1}/{flavor}/{id}/`), so an adapter can
 * spread the service's JSON into them. Timestamps are ISO 8601 strings (with a zone; UTC
 * when none is given).
 *
 * Every method may answer synchronously or with a promise.
 */

export type MaybePromise<T> = T | Promise<T>;

/** Repo JSON (`url, chacra_url, ref, sha1, distro, distro_version, distro_codename, modified, status, flavor, project, archs, extra`) plus `id`. */
export interface UiRepoRecord {
  readonly id: number;
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly flavor: string;
  readonly distro: string;
  /** Normalised: `22.04` for ubuntu jammy, `9` for centos 9. */
  readonly distro_version: string;
  readonly distro_codename: string | null;
  /** `requested`, `queued`, `building`, `ready` — or whatever chacra sent (unvalidated upstream). */
  readonly status: string;
  readonly url: string;
  readonly chacra_url: string;
  readonly archs: readonly string[];
  readonly extra: unknown;
  readonly modified: string;
}

/** Build JSON (`url, log_url, ref, sha1, flavor, status, extra, modified, started, completed, project, distro, distro_version, distro_codename, distro_arch`) plus `id`. */
export interface UiBuildRecord {
  readonly id: number;
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly flavor: string;
  /** The distro fields are null for the trigger job's `queued` report, sent before a distro is known. */
  readonly distro: string | null;
  readonly distro_version: string | null;
  readonly distro_codename: string | null;
  readonly distro_arch: string | null;
  /** `queued`, `started`, `completed`, `failed` — or whatever the build scripts sent. */
  readonly status: string;
  /** The Jenkins build URL. */
  readonly url: string;
  readonly log_url: string;
  readonly extra: unknown;
  readonly modified: string;
  readonly started: string | null;
  readonly completed: string | null;
}

/** Exact-match filters; an absent field matches everything. */
export interface UiRecordFilter {
  readonly project?: string;
  readonly ref?: string;
  readonly sha1?: string;
  readonly flavor?: string;
  readonly status?: string;
  /** At most this many records (the newest). */
  readonly limit?: number;
}

/** Ready repos per project on one UTC day; projects with none that day are absent. */
export interface UiDayCount {
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  readonly counts: Readonly<Record<string, number>>;
}

export interface ShamanUiData {
  /** Every project name (projects come into being with their first build or repo). */
  projects(): MaybePromise<readonly string[]>;
  /** Builds matching `filter`, newest `modified` first (ties: higher id first). */
  builds(filter: UiRecordFilter): MaybePromise<readonly UiBuildRecord[]>;
  /** Repos matching `filter`, newest `modified` first (ties: higher id first). */
  repos(filter: UiRecordFilter): MaybePromise<readonly UiRepoRecord[]>;
  build(id: number): MaybePromise<UiBuildRecord | undefined>;
  repo(id: number): MaybePromise<UiRepoRecord | undefined>;
  /**
   * For each of the last `days` UTC days (oldest first, the last one being today per `now()`),
   * how many repos with status `ready` were last modified that day, per project.
   */
  readyReposPerDay(days: number): MaybePromise<readonly UiDayCount[]>;
  /** The clock "N ago" is measured against. */
  now(): Date;
}
