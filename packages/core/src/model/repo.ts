import { z } from "zod";
import { HttpUrlSchema } from "./http-url.js";
import { ArchSchema, DistroNameSchema, DistroVersionSchema, FlavorSchema, ProjectNameSchema, RefSchema } from "./names.js";
import { RepoStatusSchema } from "./repo-status.js";
import { StoredSha1Schema } from "./sha1.js";
import { TimestampSchema } from "./timestamp.js";

/*
 * Field names are snake_case wherever the originals' JSON uses them (`distro_version`,
 * `chacra_url`, …): these records travel on the wire unchanged, and chacractl, ceph-build,
 * teuthology and shaman's own clients read those exact keys.
 */

/**
 * What identifies a repo: one per project/ref/sha1/distro/distro_version/flavor on a chacra node.
 * Arch is deliberately not part of it — every arch (and `source`) lands in the same repo (§1.2).
 */
export const RepoKeySchema = z.object({
  project: ProjectNameSchema,
  ref: RefSchema,
  sha1: StoredSha1Schema,
  distro: DistroNameSchema,
  distro_version: DistroVersionSchema,
  flavor: FlavorSchema,
});
export type RepoKey = z.infer<typeof RepoKeySchema>;

/** How chacra builds a repo: apt (reprepro-style), yum/dnf (createrepo-style), or raw files. */
export const RepoTypeSchema = z.enum(["rpm", "deb", "raw"]);
export type RepoType = z.infer<typeof RepoTypeSchema>;

/**
 * Free-form metadata a build job attaches to a repo (`POST …/extra/`). The keys ceph-build sends
 * and teuthology reads are typed; anything else is kept as is.
 */
export const RepoExtraSchema = z.looseObject({
  version: z.string().optional(),
  package_manager_version: z.string().optional(),
  build_url: z.string().optional(),
  root_build_cause: z.string().optional(),
  node_name: z.string().optional(),
  job_name: z.string().optional(),
});
export type RepoExtra = z.infer<typeof RepoExtraSchema>;

const ArchListSchema = z.array(ArchSchema).overwrite((archs) => [...new Set(archs)]);

/**
 * A repo as shaman records it (one record per `chacra_url`: the same logical repo on two nodes,
 * or on Pulp, is two records). `url` is the browsable root (`…/r/…/flavors/{flavor}/`),
 * `chacra_url` the repo API URL (`…/repos/…/flavors/{flavor}/`); `generation` orders callbacks
 * (see `classifyRepoStatusChange`) and is null for senders that do not provide one.
 */
export const RepoSchema = RepoKeySchema.extend({
  status: RepoStatusSchema,
  generation: z.number().int().nonnegative().nullable().default(null),
  archs: ArchListSchema.default([]),
  url: HttpUrlSchema.nullable().default(null),
  chacra_url: HttpUrlSchema,
  extra: RepoExtraSchema.default({}),
  modified: TimestampSchema,
});
export type Repo = z.infer<typeof RepoSchema>;

/**
 * The body chacra POSTs to shaman's `/api/repos/{project}/` on every status change (§1.7, §2.4):
 * chacra's repo JSON plus `status`, `chacra_url` and `url`. The keys shaman does not use (`path`,
 * `needs_update`, `modified`, …) are dropped. Unlike the original, an absent `extra` means "keep
 * what is stored", not "wipe it".
 */
export const RepoStatusReportSchema = z.object({
  ref: RefSchema,
  sha1: StoredSha1Schema,
  distro: DistroNameSchema,
  distro_version: DistroVersionSchema,
  flavor: FlavorSchema,
  status: RepoStatusSchema,
  generation: z.number().int().nonnegative().optional(),
  archs: ArchListSchema.default([]),
  // The original defaulted a missing url to ""; accept that spelling of "none".
  url: z.preprocess((value) => (value === "" ? undefined : value), HttpUrlSchema.optional()),
  chacra_url: HttpUrlSchema,
  extra: RepoExtraSchema.optional(),
});
export type RepoStatusReport = z.infer<typeof RepoStatusReportSchema>;

/**
 * The path of a repo below a node's `/r/` (static tree) or `/repos/` (API) prefix, with the
 * trailing slash clients expect: `{project}/{ref}/{sha1}/{distro}/{distro_version}/flavors/{flavor}/`
 * (§3.2). Segments are joined verbatim: they are safe segments by construction of `RepoKey`.
 */
export function repoUriPath(key: RepoKey): string {
  return `${key.project}/${key.ref}/${key.sha1}/${key.distro}/${key.distro_version}/flavors/${key.flavor}/`;
}
