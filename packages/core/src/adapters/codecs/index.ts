/**
 * `@quipu/core/codecs`: the Codecs port filled in for Node. gzip (node:zlib) and xz decompression
 * (quipu's own decoder) come from the core; zstd decompression uses `fzstd` (pure JavaScript, an
 * optional peer dependency); xz and zstd compression run the `xz` and `zstd` programs, because
 * Node 20 has neither and the native npm bindings do not install reliably offline.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { QuipuError } from "../../errors/quipu-error.js";
import { createCodecs, type CodecImplementation, type Codecs, type CompressionFormat } from "../../indexing/codecs.js";

export interface NodeCodecsOptions {
  /** xz preset (0–9); 6 is xz's own default and what Debian archives use. */
  xzPreset?: number;
  /** zstd level (1–19). */
  zstdLevel?: number;
  /** Program paths, for machines where they are not on PATH. */
  programs?: { xz?: string; zstd?: string };
}

const MAX_PROGRAM_OUTPUT = 2 * 1024 * 1024 * 1024;

function programAvailable(program: string): boolean {
  const probe = spawnSync(program, ["--version"], { stdio: "ignore" });
  return probe.error === undefined && probe.status === 0;
}

function runCompressor(program: string, args: string[], format: CompressionFormat, data: Uint8Array): Uint8Array {
  try {
    return execFileSync(program, args, { input: data, maxBuffer: MAX_PROGRAM_OUTPUT, stdio: ["pipe", "pipe", "pipe"] });
  } catch (cause) {
    throw new QuipuError("QUIPU_CODEC_UNSUPPORTED", `${program} failed to compress ${format} data`, {
      details: { format, direction: "compress", program },
      cause,
    });
  }
}

/** A lazily probed external compressor: `supports` is true only when the program runs. */
function externalCompressor(program: string, args: string[], format: CompressionFormat) {
  let available: boolean | undefined;
  return {
    available: () => (available ??= programAvailable(program)),
    compress: (data: Uint8Array) => runCompressor(program, args, format, data),
  };
}

type FzstdModule = { decompress(data: Uint8Array): Uint8Array };

function loadFzstd(): FzstdModule | undefined {
  try {
    return createRequire(import.meta.url)("fzstd") as FzstdModule;
  } catch {
    return undefined;
  }
}

export function createNodeCodecs(options: NodeCodecsOptions = {}): Codecs {
  // Threaded mode with fixed 512 KiB blocks: one xz stream (apt and dnf read multi-block streams,
  // unlike concatenated streams), about twice as fast on two cores for ~3 % more bytes, and the
  // bytes do not depend on the machine's core count because the thread count is fixed.
  const xz = externalCompressor(
    options.programs?.xz ?? "xz",
    [`-${options.xzPreset ?? 6}`, "-c", "-T2", "--block-size=524288", "--no-warn"],
    "xz",
  );
  const zstd = externalCompressor(options.programs?.zstd ?? "zstd", [`-${options.zstdLevel ?? 10}`, "-c", "-q"], "zstd");
  const fzstd = loadFzstd();
  const zstdImplementation: CodecImplementation = {};
  if (fzstd) zstdImplementation.decompress = (data) => fzstd.decompress(data);
  const base = createCodecs({ zstd: zstdImplementation });
  const externals: Partial<Record<CompressionFormat, ReturnType<typeof externalCompressor>>> = { xz, zstd };
  return {
    decompress: (format, data) => base.decompress(format, data),
    compress: (format, data) => {
      const external = externals[format];
      if (external) {
        if (!external.available()) {
          throw new QuipuError("QUIPU_CODEC_UNSUPPORTED", `no ${format} compressor: install the ${format} program`, {
            details: { format, direction: "compress" },
          });
        }
        return external.compress(data);
      }
      return base.compress(format, data);
    },
    supports: (format, direction) => {
      const external = externals[format];
      if (direction === "compress" && external) return external.available();
      return base.supports(format, direction);
    },
  };
}

export { createCodecs, sniffCompression, type Codecs, type CompressionFormat } from "../../indexing/codecs.js";
