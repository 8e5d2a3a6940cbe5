/** zstd and xz for tests, through the command-line tools (the real adapter comes later). */
import { spawnSync } from "node:child_process";
import { createCodecs, type Codecs } from "../../src/indexing/codecs.js";

function run(command: string, args: string[], input: Uint8Array): Uint8Array {
  const r = spawnSync(command, args, { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

export function cliCodecs(): Codecs {
  return createCodecs({
    zstd: { compress: (d) => run("zstd", ["-q", "-c", "-10"], d), decompress: (d) => run("zstd", ["-q", "-d", "-c"], d) },
    xz: { compress: (d) => run("xz", ["-q", "-c", "-6"], d), decompress: (d) => run("xz", ["-q", "-d", "-c"], d) },
  });
}
