import { QuipuError } from "../errors/quipu-error.js";
import { normalizeDistroRelease, type NormalizedDistroRelease } from "./distro-release.js";
import { valueForDetails } from "./error-value.js";
import { safeSegmentProblem } from "./names.js";

/** One `distro/version[/arch]` part of a search `distros` parameter. */
export interface DistroQueryPart extends NormalizedDistroRelease {
  /** Only repos having this arch match; null when the part names no arch. */
  readonly arch: string | null;
}

function invalidPart(part: unknown, reason: string): QuipuError {
  return new QuipuError("QUIPU_MODEL_INVALID_DISTRO_QUERY", `Invalid version or codename for distro: ${String(valueForDetails(part))}`, {
    details: { value: valueForDetails(part), reason },
  });
}

/**
 * Parses shaman's `distros` search parameter, a comma-separated list of
 * `distro/codename-or-version[/arch]` (`ubuntu/22.04/x86_64,centos/9`). Each part is normalised
 * like shaman's `parse_distro_query` — unknown distros and releases pass through, so
 * `windows/1809` still works — but with the full distro table behind it (noble, bookworm and
 * trixie included). As in the original, a part without a slash (`centos7`) is refused, and so are
 * empty parts, empty or unsafe segments, and more than three segments (the original crashed on
 * those); a trailing slash means "no arch", as it did. Throws QUIPU_MODEL_INVALID_DISTRO_QUERY
 * with `details.value` (the part) and `details.reason`. An empty query gives `[]`.
 */
export function parseDistroQuery(query: string): DistroQueryPart[] {
  if (typeof query !== "string") throw invalidPart(query, "the query must be a string");
  if (query.trim() === "") return [];
  return query.split(",").map((rawPart) => {
    const part = rawPart.trim();
    const segments = part.split("/").map((segment) => segment.trim());
    if (segments.length === 3 && segments[2] === "") segments.pop();
    if (segments.length < 2) throw invalidPart(part, "expected distro/version[/arch]");
    if (segments.length > 3) throw invalidPart(part, "expected at most distro/version/arch");
    const [distro = "", version = "", arch = null] = segments;
    for (const segment of segments) {
      const problem = safeSegmentProblem(segment);
      if (problem !== null) throw invalidPart(part, `each segment ${problem}`);
    }
    return { ...normalizeDistroRelease(distro, version), arch };
  });
}
