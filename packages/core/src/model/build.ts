import { z } from "zod";
import { HttpUrlSchema } from "./http-url.js";
import { ArchSchema, DistroNameSchema, DistroVersionSchema, FlavorSchema, ProjectNameSchema, RefSchema } from "./names.js";
import { Sha1Schema } from "./sha1.js";
import { TimestampSchema } from "./timestamp.js";

/**
 * Build status as Jenkins jobs report it to shaman (§2.7, §2.9): `queued` (the trigger job, before
 * any distro is known), `started`, `completed`, `failed`.
 */
export const BuildStatusSchema = z.enum(["queued", "started", "completed", "failed"]);
export type BuildStatus = z.infer<typeof BuildStatusSchema>;

export function isFinalBuildStatus(status: BuildStatus): boolean {
  return status === "completed" || status === "failed";
}

/** Free-form build metadata; the keys ceph-build sends are typed, anything else is kept. */
export const BuildExtraSchema = z.looseObject({
  version: z.string().optional(),
  root_build_cause: z.string().optional(),
  node_name: z.string().optional(),
  job_name: z.string().optional(),
  build_user: z.string().optional(),
});
export type BuildExtra = z.infer<typeof BuildExtraSchema>;

// Failure scripts post `"distro": ""` when the failing step ran before a distro was known.
function emptyAsNull<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value === "" || value === undefined ? null : value), schema.nullable());
}

/**
 * A Jenkins build as shaman records it (§2.2, §2.7). snake_case fields match shaman's build JSON.
 * The distro fields are null for trigger-level records; `node_name`, `job_name` and the like live
 * in `extra`, where ceph-build puts them. `completed` is set when a `completed` status arrives.
 */
export const BuildSchema = z.object({
  project: ProjectNameSchema,
  ref: RefSchema,
  sha1: Sha1Schema,
  flavor: FlavorSchema,
  distro: emptyAsNull(DistroNameSchema),
  distro_version: emptyAsNull(DistroVersionSchema),
  distro_arch: emptyAsNull(ArchSchema),
  status: BuildStatusSchema,
  url: HttpUrlSchema,
  log_url: emptyAsNull(HttpUrlSchema),
  build_id: emptyAsNull(z.string().max(255)),
  extra: BuildExtraSchema.default({}),
  started: TimestampSchema,
  completed: TimestampSchema.nullable().default(null),
  modified: TimestampSchema,
});
export type Build = z.infer<typeof BuildSchema>;
