/**
 * How repos are matched by release and arch. A repo stores its release as the sender spelled it
 * (`jammy`, `22.04`, `9`, `9.4`); search and `latest` compare canonical keys from the core distro
 * table instead, so `ubuntu/22.04` finds repos stored as `jammy` and `debian/bookworm` finds `12`,
 * for every distro the table knows. Archs match by their spellings (`arm64` ≡ `aarch64`).
 */
import { createHash } from "node:crypto";
import { distroTable, equivalentArchs, findDistro, normalizeDistroRelease, type DistroQueryPart } from "@quipu/core";
import type { RepoReleaseKeys } from "./store/shaman-store.js";

/** Canonical distro name and release spelling; unknown releases keep the sender's spelling. */
export function releaseKeysOf(distro: string, distroVersion: string): RepoReleaseKeys {
  const release = normalizeDistroRelease(distro, distroVersion);
  return { distroKey: release.distro, releaseKey: release.pathVersion };
}

/** The keys a search part (`ubuntu/22.04/x86_64`) matches. */
export function releaseKeysOfPart(part: DistroQueryPart): RepoReleaseKeys {
  return { distroKey: part.distro, releaseKey: part.pathVersion };
}

/** Every spelling of `arch` (`arm64` → `arm64`, `aarch64`). */
export function archSpellings(arch: string): string[] {
  return equivalentArchs(arch);
}

/**
 * Identifies the distro table and the key function: stored keys are recomputed when it changes
 * (a release added to the table changes which spellings are the same release).
 */
export const releaseKeysFingerprint: string = createHash("sha256")
  .update(JSON.stringify({ keys: 1, distroTable }))
  .digest("hex")
  .slice(0, 32);

/** The canonical name of a distro (`redhat` → `rhel`), or the name as given when the table lacks it. */
export function distroKeyOf(distro: string): string {
  return findDistro(distro)?.name ?? distro.trim();
}
