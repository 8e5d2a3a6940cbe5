/**
 * `@quipu/core/codecs`: the Codecs port filled in for Node. gzip (node:zlib) and xz decompression
 * (quipu's own decoder) come from the core; zstd decompression uses `fzstd` (pure JavaScript, an
 * optional peer dependency); xz and zstd compression run the `xz` and `zstd` programs, because
 * Node 20 has neither and the native npm bindings do not install reliably offline.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, closeSync, constants as fsConstants, fstatSync, openSync, readSync, statSync, unlinkSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
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

const availability = new Map<string, boolean>();

/**
 * Whether `program` can be run: an executable file at that path, or in a PATH directory (looked
 * up once per process). Not by running `program --version`: a process start costs tens of
 * milliseconds on a busy machine, per index run. A program that is there but broken still fails
 * at compression, with the same typed error.
 */
function programAvailable(program: string): boolean {
  let known = availability.get(program);
  if (known === undefined) {
    const candidates = program.includes("/") ? [program] : (process.env["PATH"] ?? "").split(delimiter).filter((dir) => dir !== "").map((dir) => join(dir, program));
    known = candidates.some((candidate) => {
      try {
        accessSync(candidate, fsConstants.X_OK);
        return statSync(candidate).isFile();
      } catch {
        return false;
      }
    });
    availability.set(program, known);
  }
  return known;
}

function runCompressor(program: string, args: string[], format: CompressionFormat, data: Uint8Array): Uint8Array {
  try {
    return execFileSync(program, args, { input: data, maxBuffer: MAX_PROGRAM_OUTPUT, stdio: ["pipe", "pipe", "pipe"] });
  } catch (cause) {
    throw compressorFailed(program, format, cause);
  }
}

function compressorFailed(program: string, format: CompressionFormat, cause: unknown): QuipuError {
  return new QuipuError("QUIPU_CODEC_UNSUPPORTED", `${program} failed to compress ${format} data`, {
    details: { format, direction: "compress", program },
    cause,
  });
}

/**
 * The same as `runCompressor`, without blocking: the program runs while this thread does other
 * work. Input and output go through unlinked temporary files rather than pipes, so the program
 * never waits for this thread to feed or drain a pipe (it may be busy compressing something else).
 */
function runCompressorAsync(program: string, args: string[], format: CompressionFormat, data: Uint8Array): Promise<Uint8Array> {
  let input: number | undefined;
  let output: number | undefined;
  const closeAll = () => {
    if (input !== undefined) closeSync(input);
    if (output !== undefined) closeSync(output);
    input = output = undefined;
  };
  try {
    input = anonymousFile();
    output = anonymousFile();
    // Positioned writes leave the file offset at 0, where the program starts reading.
    for (let done = 0; done < data.length; ) done += writeSync(input, data, done, data.length - done, done);
  } catch (error) {
    closeAll();
    return Promise.reject(compressorFailed(program, format, error));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: [input!, output!, "pipe"] });
    // The child has its own copy of the input descriptor now.
    closeSync(input!);
    input = undefined;
    const err: Buffer[] = [];
    child.stderr?.on("data", (chunk: Buffer) => void err.push(chunk));
    child.on("error", (error) => {
      closeAll();
      reject(compressorFailed(program, format, error));
    });
    child.on("close", (code, signal) => {
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}: ${Buffer.concat(err).toString("utf8").trim()}`);
        const size = fstatSync(output!).size;
        if (size > MAX_PROGRAM_OUTPUT) throw new Error(`output larger than ${MAX_PROGRAM_OUTPUT} bytes`);
        const out = Buffer.allocUnsafe(size);
        for (let done = 0; done < size; ) {
          const n = readSync(output!, out, done, size - done, done);
          if (n === 0) throw new Error("output ended early");
          done += n;
        }
        resolve(out);
      } catch (error) {
        reject(compressorFailed(program, format, error));
      } finally {
        closeAll();
      }
    });
  });
}

/** A temporary file that is already unlinked: it disappears with its last descriptor, whatever happens. */
function anonymousFile(): number {
  const path = join(tmpdir(), `.quipu-codec-${process.pid}-${randomBytes(8).toString("hex")}`);
  const fd = openSync(path, "wx+", 0o600);
  unlinkSync(path);
  return fd;
}

/** A lazily probed external compressor: `supports` is true only when the program runs. */
function externalCompressor(program: string, args: string[], format: CompressionFormat) {
  let available: boolean | undefined;
  return {
    available: () => (available ??= programAvailable(program)),
    compress: (data: Uint8Array) => runCompressor(program, args, format, data),
    compressAsync: (data: Uint8Array) => runCompressorAsync(program, args, format, data),
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
  const missing = (format: CompressionFormat) =>
    new QuipuError("QUIPU_CODEC_UNSUPPORTED", `no ${format} compressor: install the ${format} program`, {
      details: { format, direction: "compress" },
    });
  return {
    decompress: (format, data) => base.decompress(format, data),
    compress: (format, data) => {
      const external = externals[format];
      if (external) {
        if (!external.available()) throw missing(format);
        return external.compress(data);
      }
      return base.compress(format, data);
    },
    compressAsync: async (format, data) => {
      const external = externals[format];
      if (external) {
        if (!external.available()) throw missing(format);
        return external.compressAsync(data);
      }
      // gzip stays in this thread: see block-compression.ts on node:zlib's asynchronous API.
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
