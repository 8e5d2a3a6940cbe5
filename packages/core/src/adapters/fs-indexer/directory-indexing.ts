/** Pieces shared by the rpm and deb directory indexers. */
import { isAbsolute, join, resolve } from "node:path";
import * as z from "zod/mini";
import { QuipuError } from "../../errors/quipu-error.js";
import { parseOrThrow } from "../../errors/zod-errors.js";
import type { Codecs } from "../../indexing/codecs.js";
import { silentLogger, type Logger } from "../../ports/logger.js";
import { createNodeCodecs } from "../codecs/index.js";
import { NO_FRAGMENT, recordNumber, type CacheRecord, type FragmentRef, type IndexCache } from "./index-cache.js";
import type { DirectoryIndexOptions, IndexProblem } from "./index-types.js";
import { coveredBy, normaliseRelativePath, scanPackageFiles, statChangedPaths, type ScannedFile, type ScanOptions } from "./directory-scan.js";
import { readPackageFiles, type ReadFilesOptions } from "./parse-pool.js";

export { contentId, problemFrom, utf8 } from "./fragment-basics.js";

/*
 * The indexers' option schemas use `zod/mini`: the same validation as `zod`, but a command-line
 * run of the indexer then loads ~40 KB of zod instead of ~750 KB (compiling and initialising the
 * full library took ~60 ms of every `quipu-chacra index` start).
 */

/** zod shape of the plain-data options every indexer takes (functions and objects are typed, not parsed). */
export const commonOptionsShape = {
  cache: z.optional(z.boolean()),
  threads: z.optional(z.int().check(z.minimum(1), z.maximum(256))),
  cacheFile: z.optional(z.string().check(z.minLength(1))),
  strict: z.optional(z.boolean()),
  sourceDateEpoch: z.optional(z.int().check(z.minimum(0), z.maximum(253402300799))),
};

/** Validates the plain-data part of `options` with `schema` (all problems at once, `QUIPU_VALIDATION_FAILED`). */
export function parseIndexOptions<S extends z.ZodMiniObject>(schema: S, options: object, what: string): z.output<S> {
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

/** `QUIPU_INDEX_STRICT_FAILED` listing every problem. */
export function strictFailure(root: string, problems: readonly IndexProblem[]): QuipuError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new QuipuError("QUIPU_INDEX_STRICT_FAILED", `strict index of ${root} failed, nothing was written: ${first.message}${more}`, {
    details: { directory: root, problems: problems.map((p) => ({ file: p.file, code: p.code, message: p.message })) },
  });
}

/** Whether a record's stat key (numbers 0–3) is that of `stat`. */
export function sameStat(record: CacheRecord, stat: readonly number[]): boolean {
  return recordNumber(record, 0) === stat[0] && recordNumber(record, 1) === stat[1] && recordNumber(record, 2) === stat[2] && recordNumber(record, 3) === stat[3];
}

/** What a run reads and what it reuses. */
export interface Selection {
  /** Cached records still valid, in the cache's order. */
  readonly kept: CacheRecord[];
  /** Files to read, sorted by path. */
  readonly toRead: ScannedFile[];
  /** Cached records outside what this run looks at (`packageDirectories`): saved again untouched. */
  readonly carried: CacheRecord[];
  /** How the directory was looked at (for the timings log). */
  readonly mode: "scan" | "changed-paths";
}

export interface SelectOptions {
  readonly scan: ScanOptions;
  /** Relative, normalised paths that may have changed since the last run (the `changedPaths` hint). */
  readonly changedPaths: readonly string[] | undefined;
  /**
   * Whether a cached record whose file has modification time `mtimeMs` is still valid beyond its
   * stat key (rpm: the file time it rendered still matches `sourceDateEpoch`). Default: yes.
   */
  readonly stillValid?: ((record: CacheRecord, mtimeMs: number) => boolean) | undefined;
  readonly onUnreadable: (path: string, error: unknown) => void;
}

/**
 * Decides what to read. With a loaded cache and a `changedPaths` hint, only the hinted paths are
 * stat'ed and every other cached record is taken as it is (as if its file had been stat'ed and
 * found unchanged). Otherwise the directory is scanned — without a stat per file when there is no
 * cache to compare with (the reader takes the open file's stat).
 */
export function selectFiles(root: string, cache: IndexCache, options: SelectOptions): Selection {
  const kept: CacheRecord[] = [];
  const carried: CacheRecord[] = [];
  const stillValid = options.stillValid ?? (() => true);
  const directories = options.scan.directories;
  const inScope = (path: string) => directories === undefined || coveredBy(directories, path);

  if (cache.loaded && options.changedPaths !== undefined) {
    const changed = statChangedPaths(root, options.changedPaths, options.scan, options.onUnreadable);
    const byPath = new Map(changed.files.map((file) => [file.path, file]));
    const keptCovered = new Set<string>();
    const recheck: string[] = [];
    // Cached paths are unique (each save writes every path once), so only hinted ones need the set.
    for (const record of cache.records) {
      const path = record.path;
      if (!inScope(path)) {
        carried.push(record);
        continue;
      }
      if (coveredBy(changed.covered, path)) {
        const file = byPath.get(path);
        if (file === undefined || keptCovered.has(path) || !sameStat(record, file.stat!) || !stillValid(record, file.stat![1])) continue;
        keptCovered.add(path);
      } else if (!stillValid(record, recordNumber(record, 1))) {
        recheck.push(path);
        continue;
      }
      kept.push(record);
    }
    // Records that need reading again for a reason of their own (another sourceDateEpoch) are stat'ed now.
    const again = recheck.length === 0 ? [] : statChangedPaths(root, recheck, options.scan, options.onUnreadable).files;
    const toRead = new Map<string, ScannedFile>();
    for (const file of [...changed.files, ...again]) if (!keptCovered.has(file.path)) toRead.set(file.path, file);
    return { kept, carried, toRead: [...toRead.values()].sort(byFilePath), mode: "changed-paths" };
  }

  const files = scanPackageFiles(root, { ...options.scan, stat: cache.loaded }, options.onUnreadable);
  if (!cache.loaded) return { kept, carried, toRead: files, mode: "scan" };
  const byPath = new Map(files.map((file) => [file.path, file]));
  const keptPaths = new Set<string>();
  for (const record of cache.records) {
    const path = record.path;
    if (!inScope(path)) {
      carried.push(record);
      continue;
    }
    const file = byPath.get(path);
    if (file === undefined || keptPaths.has(path) || !sameStat(record, file.stat!) || !stillValid(record, file.stat![1])) continue;
    kept.push(record);
    keptPaths.add(path);
  }
  return { kept, carried, toRead: files.filter((file) => !keptPaths.has(file.path)), mode: "scan" };
}

function byFilePath(a: ScannedFile, b: ScannedFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Reads `files` (on worker threads when there are many) into new cache records, in `files` order. */
export async function readIntoCache(
  files: readonly ScannedFile[],
  cache: IndexCache,
  fragmentFields: number,
  options: Omit<ReadFilesOptions, "onProgress"> & { readonly onProgress?: DirectoryIndexOptions["onProgress"] },
): Promise<CacheRecord[]> {
  const parsed = await readPackageFiles(files, {
    ...options,
    onProgress: options.onProgress && ((done, total) => options.onProgress!({ phase: "read", done, total })),
  });
  return parsed.map((file) => {
    const fragments: FragmentRef[] = [];
    for (let i = 0; i < fragmentFields; i++) fragments.push(i < file.fragments.length ? cache.add(file.fragments[i]!, file.ids[i]!) : NO_FRAGMENT);
    return { path: file.text[0]!, text: file.text, numbers: file.numbers, fragments };
  });
}

/** zod schema of `changedPaths`: paths under the directory, normalised. */
export const changedPathsSchema = z
  .array(normalisedPath((path) => normaliseRelativePath(path), (path) => `'${path}' is not a path under the directory (relative, no '..')`))
  .check(z.maxLength(1_000_000));

/** A string turned into `normalise(string)`, or an issue `problem(string)` when that is undefined. */
export function normalisedPath(normalise: (path: string) => string | undefined, problem: (path: string) => string) {
  return z.pipe(
    z.string(),
    z.transform((path: string, context) => {
      const normalised = normalise(path);
      if (normalised === undefined) {
        context.issues.push({ code: "custom", message: problem(path), input: path });
        return z.NEVER;
      }
      return normalised;
    }),
  );
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
  return compareCodePointsFrom(x, 0, y, 0);
}

/** `compareCodePoints(x.slice(xStart), y.slice(yStart))` without slicing (it runs for every pair the sort compares). */
export function compareCodePointsFrom(x: string, xStart: number, y: string, yStart: number): number {
  const xLength = x.length - xStart;
  const yLength = y.length - yStart;
  const n = Math.min(xLength, yLength);
  let i = 0;
  while (i < n && x.charCodeAt(xStart + i) === y.charCodeAt(yStart + i)) i++;
  if (i === n) return xLength - yLength;
  const a = x.charCodeAt(xStart + i);
  const b = y.charCodeAt(yStart + i);
  // UTF-16 unit order is code-point order except between a surrogate (a code point above U+FFFF) and U+E000–U+FFFF.
  const surrogateA = a >= 0xd800 && a <= 0xdfff;
  const surrogateB = b >= 0xd800 && b <= 0xdfff;
  if (surrogateA !== surrogateB) return surrogateA ? 1 : -1;
  return a - b;
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
