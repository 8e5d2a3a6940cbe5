import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CACHE_FORMAT } from "./index-cache.js";

let version: string | undefined;

/** The version of @quipu/core this code belongs to (found by walking up to its package.json), or `unknown`. */
export function quipuCoreVersion(): string {
  if (version !== undefined) return version;
  version = "unknown";
  try {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
        if (pkg.name === "@quipu/core") {
          version = String(pkg.version);
          break;
        }
      } catch {
        // no package.json here
      }
      dir = dirname(dir);
    }
  } catch {
    // not a file URL (bundled elsewhere): the renderer probe still guards the cache
  }
  return version;
}

/**
 * What cached pieces depend on besides the files: cache format, quipu version, the options that
 * shape rendering, and `probe` — the output of the renderers on a fixed input, so any change in
 * rendering invalidates old caches even without a version bump.
 */
export function cacheFingerprint(kind: string, options: Readonly<Record<string, unknown>>, probe: string): string {
  return createHash("sha256")
    .update(JSON.stringify({ format: CACHE_FORMAT, version: quipuCoreVersion(), kind, options }))
    .update("\0")
    .update(probe)
    .digest("hex");
}
