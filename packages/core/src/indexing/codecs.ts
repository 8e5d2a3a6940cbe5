import { gunzipSync, gzipSync, constants as zlibConstants } from "node:zlib";
import { QuipuError } from "../errors/quipu-error.js";
import { decodeXz } from "./xz-decoder.js";

/**
 * Compression formats met in packages and repository metadata. gzip comes from node:zlib (a
 * compute-only built-in, allowed in the pure core) and xz decompression from our own decoder;
 * xz compression and zstd are not built into Node 20, so they enter through this port and are
 * supplied by an adapter (`@quipu/core/codecs`).
 */
export type CompressionFormat = "none" | "gzip" | "xz" | "zstd" | "bzip2";

export interface Codecs {
  decompress(format: CompressionFormat, data: Uint8Array): Uint8Array;
  compress(format: CompressionFormat, data: Uint8Array): Uint8Array;
  /**
   * Optional: the same bytes as `compress`, computed off the calling thread (a thread pool, another
   * process), so that an indexer can compress several documents at once. Callers fall back to
   * `compress` when it is absent.
   */
  compressAsync?(format: CompressionFormat, data: Uint8Array): Promise<Uint8Array>;
  supports(format: CompressionFormat, direction: "compress" | "decompress"): boolean;
}

export interface CodecImplementation {
  compress?: (data: Uint8Array) => Uint8Array;
  decompress?: (data: Uint8Array) => Uint8Array;
}

/**
 * Builds a Codecs from gzip and xz decompression (always available) plus any extra implementations. gzip output has a
 * zeroed mtime and no file name, so the same input always gives the same bytes.
 */
export function createCodecs(extra: Partial<Record<CompressionFormat, CodecImplementation>> = {}): Codecs {
  const table: Partial<Record<CompressionFormat, CodecImplementation>> = {
    none: { compress: (d) => d, decompress: (d) => d },
    gzip: {
      compress: (d) => gzipSync(d, { level: zlibConstants.Z_DEFAULT_COMPRESSION }),
      decompress: (d) => gunzipSync(d),
    },
    ...extra,
    xz: { decompress: decodeXz, ...extra.xz },
  };
  const pick = (format: CompressionFormat, direction: "compress" | "decompress") => {
    const fn = table[format]?.[direction];
    if (!fn) {
      throw new QuipuError("QUIPU_CODEC_UNSUPPORTED", `no ${direction}or for ${format} is configured`, {
        details: { format, direction },
      });
    }
    return fn;
  };
  return {
    decompress: (format, data) => {
      const decompress = pick(format, "decompress");
      try {
        return decompress(data);
      } catch (error) {
        if (error instanceof QuipuError) throw error;
        // zlib and third-party decoders throw plain errors; callers get one typed code instead.
        throw new QuipuError("QUIPU_CODEC_CORRUPT", `${format} data is corrupt: ${(error as Error).message}`, {
          details: { format },
          cause: error,
        });
      }
    },
    compress: (format, data) => pick(format, "compress")(data),
    supports: (format, direction) => table[format]?.[direction] !== undefined,
  };
}

/** Recognises a compressed stream by its magic bytes. */
export function sniffCompression(data: Uint8Array): CompressionFormat {
  if (data[0] === 0x1f && data[1] === 0x8b) return "gzip";
  if (data[0] === 0xfd && data[1] === 0x37 && data[2] === 0x7a && data[3] === 0x58 && data[4] === 0x5a && data[5] === 0x00) return "xz";
  if (data[0] === 0x28 && data[1] === 0xb5 && data[2] === 0x2f && data[3] === 0xfd) return "zstd";
  if (data[0] === 0x42 && data[1] === 0x5a && data[2] === 0x68) return "bzip2";
  return "none";
}
