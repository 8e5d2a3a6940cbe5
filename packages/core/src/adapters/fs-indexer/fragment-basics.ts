/**
 * The few helpers a parse worker shares with the indexers, kept apart so that a worker loads the
 * package readers and nothing else (no zod, no options parsing).
 */
import { Buffer } from "node:buffer";
import { hash } from "node:crypto";
import type { ErrorCode } from "../../errors/error-codes.js";
import { isQuipuError } from "../../errors/quipu-error.js";
import type { IndexProblem } from "./index-types.js";

/** The problem entry for a file that could not be indexed. */
export function problemFrom(file: string, error: unknown, fallback: ErrorCode): IndexProblem {
  if (isQuipuError(error)) return { file, code: error.code, message: error.message };
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === "string") {
    return { file, code: "QUIPU_INDEX_FILE_UNREADABLE", message: `${file}: cannot read the file (${errno}: ${(error as Error).message})` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { file, code: fallback, message: `${file}: unexpected error while reading the package: ${message}` };
}

/** Content id of a fragment: the first 32 hex digits of its SHA-256 (one-shot `hash`: no Hash object per fragment). */
export function contentId(bytes: Uint8Array): string {
  return hash("sha256", bytes, "hex").slice(0, 32);
}

export function utf8(text: string): Buffer {
  return Buffer.from(text, "utf8");
}


/**
 * Rendered fragments encoded back to back into large chunks instead of one small buffer each:
 * far fewer allocations for the garbage collector to move, and with chunks from a run's scratch
 * pool, memory that the next run in the process reuses instead of faulting in.
 */
export class FragmentArena {
  #chunk: Buffer | undefined;
  #used = 0;

  constructor(
    private readonly allocate: (size: number) => Buffer,
    private readonly chunkSize = 4 * 1024 * 1024,
  ) {}

  /** `text` as UTF-8, in the arena (a view: valid as long as the arena's chunks are). */
  put(text: string): Buffer {
    const most = text.length * 3;
    if (this.#chunk === undefined || this.#used + most > this.#chunk.length) {
      this.#chunk = this.allocate(Math.max(this.chunkSize, most));
      this.#used = 0;
    }
    const length = this.#chunk.write(text, this.#used, "utf8");
    const view = this.#chunk.subarray(this.#used, this.#used + length);
    this.#used += length;
    return view;
  }
}
