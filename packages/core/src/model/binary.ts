import { z } from "zod";
import { Sha512HexSchema } from "./checksum.js";
import { ArchSchema, BinaryNameSchema } from "./names.js";
import { RepoKeySchema } from "./repo.js";
import { TimestampSchema } from "./timestamp.js";

/**
 * A stored build artefact on a chacra node (§1.2), addressed by
 * `/binaries/{project}/{ref}/{sha1}/{distro}/{distro_version}/{arch}/flavors/{flavor}/{name}/`.
 * snake_case fields match chacra's binary JSON. `checksum` is the server-computed SHA-512 and
 * `path` where the file lives; both are null for metadata-only binaries (no file).
 */
export const BinarySchema = RepoKeySchema.extend({
  arch: ArchSchema,
  name: BinaryNameSchema,
  size: z.number().int().nonnegative().default(0),
  checksum: Sha512HexSchema.nullable().default(null),
  path: z.string().min(1).nullable().default(null),
  built_by: z.string().nullable().default(null),
  // Always false in the original (nothing signs); kept for wire compatibility.
  signed: z.boolean().default(false),
  created: TimestampSchema,
  modified: TimestampSchema,
});
export type Binary = z.infer<typeof BinarySchema>;

/**
 * Distro versions that mark a distro-independent binary (`ceph-deploy_x_all.deb`): chacra adds
 * such binaries to every codename's repo and never builds a repo of their own.
 */
export const GENERIC_DISTRO_VERSIONS = ["generic", "universal", "any"] as const;

export function isGenericDistroVersion(distroVersion: string): boolean {
  return (GENERIC_DISTRO_VERSIONS as readonly string[]).includes(distroVersion);
}
