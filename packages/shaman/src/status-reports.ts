/**
 * The bodies shaman accepts on `POST /api/repos/{p}/` and `POST /api/builds/{p}/`, as zod schemas
 * from the core model with the leniencies real senders need: ceph-build's scripts post
 * `"flavor": ""` when `$FLAVOR` is unset (the original then stored an empty flavor; it means the
 * default) and failure scripts post empty distro fields; hand-written JSON sometimes has
 * `"distro_version": 9`. Every problem is reported at once (400), never a 500.
 */
import { z } from "zod";
import { BuildSchema, BuildExtraSchema, RepoStatusReportSchema } from "@quipu/core";

function lenient(body: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...body };
  if (copy["flavor"] === "" || copy["flavor"] === null) delete copy["flavor"];
  if (typeof copy["distro_version"] === "number") copy["distro_version"] = String(copy["distro_version"]);
  return copy;
}

/**
 * A repo status report (chacra's callback, the Pulp notifier). Keys that identify the repo are
 * needed only to create its record, as in the original, which looked the record up by
 * `chacra_url` first; `checkCreatable` says which are missing.
 */
export const RepoReportSchema = z.preprocess(
  (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? lenient(value as Record<string, unknown>) : value),
  RepoStatusReportSchema.partial({ ref: true, sha1: true, distro: true, distro_version: true }),
);
export type RepoReport = z.output<typeof RepoReportSchema>;

export const REPO_CREATION_KEYS = ["ref", "sha1", "distro", "distro_version"] as const;

/** The creation keys a report lacks, as `key: message` issues. */
export function missingCreationKeys(report: RepoReport): string[] {
  return REPO_CREATION_KEYS.filter((key) => report[key] === undefined).map((key) => `${key}: required to create a repo record`);
}

/** A build status report (ceph-build's `update_shaman.sh` / `submit_build_status`). */
export const BuildReportSchema = z.preprocess(
  (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? lenient(value as Record<string, unknown>) : value),
  BuildSchema.pick({
    url: true,
    log_url: true,
    build_id: true,
    ref: true,
    sha1: true,
    flavor: true,
    distro: true,
    distro_version: true,
    distro_arch: true,
    status: true,
  }).extend({
    // Absent = keep what is stored (the original wiped it).
    extra: BuildExtraSchema.optional(),
  }),
);
export type BuildReport = z.output<typeof BuildReportSchema>;
