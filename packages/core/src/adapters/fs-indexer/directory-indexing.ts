/** Pieces shared by the rpm and deb directory indexers. */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import type { ErrorCode } from "../../errors/error-codes.js";
import { isQuipuError, QuipuError } from "../../errors/quipu-error.js";
import { parseOrThrow } from "../../errors/zod-errors.js";
import type { Codecs } from "../../indexing/codecs.js";
import { silentLogger, type Logger } from "../../ports/logger.js";
import { createNodeCodecs } from "../codecs/index.js";
import type { CacheRecord } from "./index-cache.js";
import type { DirectoryIndexOptions, IndexProblem } from "./index-types.js";
import type { ScannedFile } from "./directory-scan.js";

/** zod shape of the plain-data options every indexer takes (functions and objects are typed, not parsed). */
export const commonOptionsShape = {
  cache: z.boolean().optional(),
  cacheFile: z.string().min(1).optional(),
  strict: z.boolean().optional(),
  sourceDateEpoch: z.number().int().nonnegative().max(253402300799).optional(),
};

/** Validates the plain-data part of `options` with `schema` (all problems at once, `QUIPU_VALIDATION_FAILED`). */
export function parseIndexOptions<S extends z.ZodObject>(schema: S, options: object, what: string): z.output<S> {
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) plain[key] = value;
  }
  return parseOrThrow(schema, plain, what);
}

export interface RunContext {
  readonly root: string;
  readonly logger: Logger;
  readonly codecs: Codecs;
  readonly started: number;
}

export function runContext(directory: string, options: DirectoryIndexOptions): RunContext {
  if (typeof directory !== "string" || directory === "") {
    throw new QuipuError("QUIPU_INDEX_DIRECTORY_INVALID", "no directory to index was given", { details: { directory: String(directory), reason: "empty path" } });
  }
  return {
    root: resolve(directory),
    logger: options.logger ?? silentLogger,
    codecs: options.codecs ?? createNodeCodecs(),
    started: performance.now(),
  };
}

export function cachePathFor(root: string, kind: string, cacheFile: string | undefined): string {
  if (cacheFile === undefined) return join(root, ".quipu", `${kind}-index-cache`);
  return isAbsolute(cacheFile) ? cacheFile : resolve(cacheFile);
}

export function lockPathFor(root: string): string {
  return join(root, ".quipu", "index.lock");
}

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

/** `QUIPU_INDEX_STRICT_FAILED` listing every problem. */
export function strictFailure(root: string, problems: readonly IndexProblem[]): QuipuError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new QuipuError("QUIPU_INDEX_STRICT_FAILED", `strict index of ${root} failed, nothing was written: ${first.message}${more}`, {
    details: { directory: root, problems: problems.map((p) => ({ file: p.file, code: p.code, message: p.message })) },
  });
}

/** Content id of a fragment: the first 32 hex digits of its SHA-256. */
export function contentId(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 32);
}

export function utf8(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

/** The stat part of a cache key: size, mtime, ctime, inode (numbers 0–3 of every record). */
export function statNumbers(file: ScannedFile): [number, number, number, number] {
  return [file.size, file.mtimeMs, file.ctimeMs, file.ino];
}

export function sameStat(record: CacheRecord, file: ScannedFile): boolean {
  const n = record.numbers;
  return n[0] === file.size && n[1] === file.mtimeMs && n[2] === file.ctimeMs && n[3] === file.ino;
}

/**
 * Merges `fresh` (any order) into `kept` (already in `compare` order, as saved by the last run):
 * O(n) plus O(k log n) comparisons, so an incremental run does not re-sort everything. Falls back
 * to a full sort if `kept` turns out not to be ordered.
 */
export function mergeOrdered<T>(kept: readonly T[], fresh: readonly T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < kept.length; i++) {
    if (compare(kept[i - 1]!, kept[i]!) > 0) return [...kept, ...fresh].sort(compare);
  }
  if (fresh.length === 0) return [...kept];
  const sortedFresh = [...fresh].sort(compare);
  const out: T[] = [];
  let from = 0;
  for (const item of sortedFresh) {
    let lo = from;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(kept[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = from; i < lo; i++) out.push(kept[i]!);
    out.push(item);
    from = lo;
  }
  for (let i = from; i < kept.length; i++) out.push(kept[i]!);
  return out;
}

/** Code-point comparison (what createrepo_c's strcmp on UTF-8 gives). */
export function compareCodePoints(x: string, y: string): number {
  if (x === y) return 0;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const cx = x.codePointAt(i)!;
    const cy = y.codePointAt(i)!;
    if (cx !== cy) return cx - cy;
    if (cx > 0xffff) i++;
  }
  return x.length - y.length;
}

/** Milliseconds spent in each phase of a run (logged at debug level as `index.timings`). */
export class PhaseTimer {
  readonly #marks: Record<string, number> = {};
  #last = performance.now();

  mark(phase: string): void {
    const now = performance.now();
    this.#marks[phase] = Math.round((now - this.#last) * 10) / 10 + (this.#marks[phase] ?? 0);
    this.#last = now;
  }

  get marks(): Readonly<Record<string, number>> {
    return this.#marks;
  }
}

export function elapsed(context: RunContext): number {
  return Math.round((performance.now() - context.started) * 10) / 10;
}
