import { z } from "zod";
import { QuipuError } from "../errors/quipu-error.js";
import { valueForDetails } from "./error-value.js";

/**
 * Every name in the address space (project, ref, sha1, distro, distro version, arch, flavor, file
 * name) is one URL path segment and one directory or file name on a chacra node
 * (`{binary_root}/{project}/{ref}/{sha1}/{distro}/{version}/{arch}/flavors/{flavor}/{name}`), so
 * each must be a *safe segment*: it can neither escape its directory nor split into two segments.
 */

/** Linux file systems cap a file name at 255 bytes; each segment becomes one on disk. */
export const MAX_SEGMENT_BYTES = 255;

/** The flavor of a binary or repo when none is given (chacra and shaman default). */
export const DEFAULT_FLAVOR = "default";

const utf8 = new TextEncoder();
// C0 controls, DEL and C1 controls never belong in a name and are dangerous in logs and shells.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// Lone surrogates cannot be encoded as UTF-8, so they cannot name a file either.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` is not a safe segment, or null when it is one. */
export function safeSegmentProblem(value: unknown): string | null {
  if (typeof value !== "string") return "must be a string";
  if (value.length === 0) return "must not be empty";
  if (value === "." || value === "..") return "must not be a dot segment";
  if (value.includes("/") || value.includes("\\")) return "must not contain a slash or backslash";
  if (CONTROL_CHARACTER.test(value)) return "must not contain control characters";
  if (LONE_SURROGATE.test(value)) return "must be well-formed Unicode";
  // " main" or "ceph " is always a copy-paste accident, and trailing spaces vanish on some tools.
  if (value.trim() !== value) return "must not start or end with whitespace";
  if (utf8.encode(value).length > MAX_SEGMENT_BYTES) return `must be at most ${MAX_SEGMENT_BYTES} bytes`;
  return null;
}

export function isSafeSegment(value: unknown): value is string {
  return safeSegmentProblem(value) === null;
}

/**
 * Returns `value` when it is a safe segment, else throws QUIPU_MODEL_INVALID_NAME with details
 * `{ what, value, problem }`. `what` names the role ("project", "ref", "arch", …).
 */
export function assertSafeSegment(value: unknown, what: string): string {
  const problem = safeSegmentProblem(value);
  if (problem === null) return value as string;
  throw new QuipuError("QUIPU_MODEL_INVALID_NAME", `invalid ${what}: ${problem}`, {
    details: { what, value: valueForDetails(value), problem },
  });
}

/** A zod string schema accepting safe segments only; issues read `<what> must …`. */
export function safeSegmentSchema(what: string): z.ZodString {
  return z.string().superRefine((value, ctx) => {
    const problem = safeSegmentProblem(value);
    if (problem !== null) ctx.addIssue({ code: "custom", message: `${what} ${problem}`, input: value });
  });
}

export const ProjectNameSchema = safeSegmentSchema("project");

/**
 * A ref (branch or tag name) is **one** segment: chacra and shaman route it as a single URL part
 * and chacra makes it a single directory. Git allows `wip/foo`, but ceph-build's
 * `branch_slash_filter` already strips the remote prefix (`origin/main` → `main`) and refuses
 * branches with more slashes, so a slash here is rejected rather than silently encoded.
 * `refFromBranch` does the same stripping for callers holding a Jenkins/git branch name.
 */
export const RefSchema = safeSegmentSchema("ref");

/** Flavor of a build (`default`, `debug`, historically `notcmalloc`, …); defaults to `default`. */
export const FlavorSchema = safeSegmentSchema("flavor").default(DEFAULT_FLAVOR);

/**
 * Architecture as it appears in URLs (`x86_64`, `arm64`, `aarch64`, `noarch`, `source`, …). Kept
 * verbatim: ceph-build uploads under `arm64` while RPM file names say `aarch64`, and stored repos
 * are matched on the exact string, so normalising here would break existing URLs. Use
 * `equivalentArchs` where aliases should match (search).
 */
export const ArchSchema = safeSegmentSchema("arch");

/**
 * Distro name as it appears in URLs (`ubuntu`, `centos`, `windows`, …). Any safe segment is
 * accepted, because chacra stores artefacts for distros the distro table does not know; use
 * `findDistro` to canonicalise a known one.
 */
export const DistroNameSchema = safeSegmentSchema("distro");

/** Distro version as it appears in URLs: a codename (`jammy`) or a number (`9`, `22.04`). */
export const DistroVersionSchema = safeSegmentSchema("distro version");

/** The file name of a binary (the last URL segment of a download). */
export const BinaryNameSchema = safeSegmentSchema("binary name");

/**
 * The ref segment for a git or Jenkins branch name. `refs/heads/x` and `refs/tags/x` give `x`;
 * `refs/remotes/origin/x` and `origin/x` drop the remote, like ceph-build's `branch_slash_filter`
 * (which, like this, reads any single-slash name as `remote/branch`). A name that still has a
 * slash (`wip/foo/bar`, `refs/heads/wip/foo`) cannot be one segment and throws
 * QUIPU_MODEL_INVALID_NAME.
 */
export function refFromBranch(branch: unknown): string {
  if (typeof branch !== "string") return assertSafeSegment(branch, "ref");
  for (const prefix of ["refs/heads/", "refs/tags/"]) {
    if (branch.startsWith(prefix)) return assertSafeSegment(branch.slice(prefix.length), "ref");
  }
  const withRemote = branch.startsWith("refs/remotes/") ? branch.slice("refs/remotes/".length) : branch;
  const parts = withRemote.split("/");
  return assertSafeSegment(parts.length === 2 ? parts[1] : withRemote, "ref");
}
