import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createCodecs, type Codecs } from "../../src/indexing/codecs.js";

/** Runs a filter program over `input`; a non-zero exit becomes an Error (as an adapter might throw). */
function filter(command: string, args: readonly string[], input: Uint8Array): Uint8Array {
  const result = spawnSync(command, args, { input, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.toString().trim()}`);
  return new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength);
}

/** Caches results (and failures) by input digest: spawning a process per call is slow on a busy machine. */
function memoize(fn: (data: Uint8Array) => Uint8Array): (data: Uint8Array) => Uint8Array {
  const cache = new Map<string, Uint8Array | Error>();
  return (data) => {
    const key = createHash("sha256").update(data).digest("hex");
    let hit = cache.get(key);
    if (hit === undefined) {
      try {
        hit = fn(data);
      } catch (error) {
        hit = error instanceof Error ? error : new Error(String(error));
      }
      if (cache.size > 2000) cache.clear();
      cache.set(key, hit);
    }
    if (hit instanceof Error) throw hit;
    return hit.slice();
  };
}

/** Codecs for tests: gzip from node:zlib, xz and zstd by shelling out to the Debian tools (memoised). */
export function createTestCodecs(): Codecs {
  return createCodecs({
    xz: { compress: memoize((d) => filter("xz", ["-c", "-6", "-T1", "-q"], d)), decompress: memoize((d) => filter("xz", ["-d", "-c", "-q"], d)) },
    zstd: { compress: memoize((d) => filter("zstd", ["-c", "-q", "-19"], d)), decompress: memoize((d) => filter("zstd", ["-d", "-c", "-q"], d)) },
  });
}
