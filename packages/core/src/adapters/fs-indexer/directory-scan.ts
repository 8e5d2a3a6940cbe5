import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { accessSync, closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync, type Dirent, type Stats } from "node:fs";
import { isAbsolute } from "node:path";
import { QuipuError } from "../../errors/quipu-error.js";

/** A package file found under the indexed directory. */
export interface ScannedFile {
  /** Path relative to the directory, `/`-separated. */
  readonly path: string;
  readonly absolute: string;
  /** size, mtimeMs, ctimeMs, ino — absent when the scan was asked not to stat (the reader then uses the open file's). */
  readonly stat: readonly [number, number, number, number] | undefined;
}

export interface ScanOptions {
  /** File name endings to pick (`.rpm`; `.deb`, `.dsc`). */
  readonly extensions: readonly string[];
  /** Names of top-level directories not to enter (the output: `repodata`, `dists`, …). */
  readonly skipTopLevel: readonly string[];
  /**
   * Stat every file (default true). Without a usable cache nothing needs the stat before the file
   * is opened, and one `stat` per file is a good part of a scan: the reader takes the open file's.
   * Symbolic links are always stat'ed (to know they lead to a file).
   */
  readonly stat?: boolean | undefined;
  /** Scan only these subdirectories (relative, normalised; see `normaliseRelativePath`), not the whole directory. */
  readonly directories?: readonly string[] | undefined;
}

export function directoryInvalid(directory: string, reason: string, cause?: unknown): QuipuError {
  return new QuipuError("QUIPU_INDEX_DIRECTORY_INVALID", `cannot index ${directory}: ${reason}`, { details: { directory, reason }, cause });
}

/** Checks that `directory` exists and is a directory (`QUIPU_INDEX_DIRECTORY_INVALID` otherwise). */
export function checkDirectory(directory: string): void {
  let stats: Stats;
  try {
    stats = statSync(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw directoryInvalid(directory, code === "ENOENT" ? "no such directory" : `cannot stat it (${code ?? (error as Error).message})`, error);
  }
  if (!stats.isDirectory()) throw directoryInvalid(directory, "not a directory");
}

/**
 * A relative path as the scan spells it (`a/b/c.rpm`): repeated slashes and `.` segments are
 * tolerated; absolute paths, `..` segments and empty paths are not (undefined: the path cannot
 * name something under the directory).
 */
export function normaliseRelativePath(path: string): string | undefined {
  if (path === "" || path.includes("\0") || isAbsolute(path) || path.startsWith("/")) return undefined;
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.length === 0 || segments.includes("..")) return undefined;
  return segments.join("/");
}

/** Whether the full scan would look at `path` (relative, normalised): no hidden segment, not under a skipped top-level directory. */
function scanVisits(path: string, options: ScanOptions): boolean {
  const segments = path.split("/");
  if (segments.some((s) => s.startsWith("."))) return false;
  if (segments.length > 1 && options.skipTopLevel.includes(segments[0]!)) return false;
  if (options.directories !== undefined && !options.directories.some((d) => path === d || path.startsWith(`${d}/`))) return false;
  return true;
}

function wantedName(name: string, extensions: readonly string[]): boolean {
  return extensions.some((ext) => name.endsWith(ext) && name.length > ext.length);
}

function statNumbersOf(stats: Stats): [number, number, number, number] {
  return [stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino];
}

/**
 * Every file under `root` whose name ends in one of `extensions`, sorted by relative path (code
 * unit order). Hidden entries (`.name`) and the `skipTopLevel` directories are not entered;
 * symbolic links to files are followed, links to directories are not (no loops). An unreadable
 * root is `QUIPU_INDEX_DIRECTORY_INVALID`; an unreadable subdirectory is reported through
 * `onUnreadable` and skipped. With `directories`, only those subdirectories are walked (a missing
 * one is simply empty).
 */
export function scanPackageFiles(root: string, options: ScanOptions, onUnreadable: (path: string, error: unknown) => void): ScannedFile[] {
  const found: ScannedFile[] = [];
  const skip = new Set(options.skipTopLevel);
  const withStat = options.stat ?? true;
  const walk = (absolute: string, relative: string, quietIfMissing: boolean) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(absolute, { withFileTypes: true });
    } catch (error) {
      if (relative === "") {
        throw directoryInvalid(root, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, error);
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (!(quietIfMissing && (code === "ENOENT" || code === "ENOTDIR"))) onUnreadable(relative, error);
      return;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith(".")) continue;
      const childAbsolute = `${absolute}/${name}`;
      const childRelative = relative === "" ? name : `${relative}/${name}`;
      if (entry.isDirectory()) {
        if (relative === "" && skip.has(name)) continue;
        walk(childAbsolute, childRelative, false);
        continue;
      }
      if (!wantedName(name, options.extensions)) continue;
      if (entry.isFile() && !withStat) {
        found.push({ path: childRelative, absolute: childAbsolute, stat: undefined });
        continue;
      }
      if (!(entry.isFile() || entry.isSymbolicLink())) continue;
      let stats: Stats;
      try {
        stats = statSync(childAbsolute);
      } catch (error) {
        onUnreadable(childRelative, error);
        continue;
      }
      if (!stats.isFile()) continue;
      found.push({ path: childRelative, absolute: childAbsolute, stat: statNumbersOf(stats) });
    }
  };
  if (options.directories === undefined) {
    walk(root, "", false);
  } else {
    checkReadable(root);
    // Outermost first, and a directory inside another listed one is walked once.
    const listed = [...new Set(options.directories)].sort((a, b) => a.length - b.length);
    const walked: string[] = [];
    for (const directory of listed) {
      if (walked.some((w) => directory.startsWith(`${w}/`))) continue;
      if (!scanVisits(directory, { ...options, directories: undefined }) || !reachable(root, directory, true)) continue;
      walked.push(directory);
      walk(`${root}/${directory}`, directory, true);
    }
  }
  const sorted = found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return options.directories === undefined ? sorted : sorted.filter((file, i) => i === 0 || sorted[i - 1]!.path !== file.path);
}

/** The root must be listable and enterable even when only subdirectories are walked (without listing a large root). */
function checkReadable(root: string): void {
  try {
    accessSync(root, fsConstants.R_OK | fsConstants.X_OK);
  } catch (error) {
    throw directoryInvalid(root, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, error);
  }
}

/** Whether the scan would enter every directory on the way to `path`: each one a real directory, not a symbolic link. */
function reachable(root: string, path: string, includingLast: boolean): boolean {
  const segments = path.split("/");
  const upTo = includingLast ? segments.length : segments.length - 1;
  let current = root;
  for (let i = 0; i < upTo; i++) {
    current = `${current}/${segments[i]!}`;
    try {
      if (!lstatSync(current).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** What `statChangedPaths` found for the paths it was given. */
export interface ChangedPathsScan {
  /** Package files found at or under the given paths (stat'ed), sorted by path. */
  readonly files: ScannedFile[];
  /**
   * Paths (files or directories) whose cached entries are all replaced by `files`: a cached
   * record at or under one of them that is not in `files` no longer exists.
   */
  readonly covered: readonly string[];
}

/**
 * The `changedPaths` hint: stats just those paths (relative, normalised) instead of scanning
 * everything — a file is looked at as the full scan would look at it, a directory is scanned, a
 * missing path means whatever was there is gone. Paths the scan would never visit (hidden,
 * output directories, outside `directories`) cover nothing.
 */
export function statChangedPaths(root: string, paths: readonly string[], options: ScanOptions, onUnreadable: (path: string, error: unknown) => void): ChangedPathsScan {
  const files = new Map<string, ScannedFile>();
  const covered: string[] = [];
  for (const path of [...new Set(paths)].sort()) {
    if (!scanVisits(path, options)) {
      // A listed directory may still hold package directories below it (hint `pool` with directories [`pool/jammy`]).
      if (options.directories === undefined || !options.directories.some((d) => d.startsWith(`${path}/`))) continue;
      for (const directory of options.directories.filter((d) => d.startsWith(`${path}/`))) {
        covered.push(directory);
        for (const file of scanPackageFiles(root, { ...options, stat: true, directories: [directory] }, onUnreadable)) files.set(file.path, file);
      }
      continue;
    }
    covered.push(path);
    if (!reachable(root, path, false)) continue;
    const absolute = `${root}/${path}`;
    let stats: Stats;
    try {
      stats = lstatSync(absolute);
      if (stats.isSymbolicLink()) {
        // Followed only to a file, as the scan does.
        stats = statSync(absolute);
        if (!stats.isFile()) continue;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") onUnreadable(path, error);
      continue;
    }
    if (stats.isDirectory()) {
      for (const file of scanPackageFiles(root, { ...options, stat: true, directories: [path] }, onUnreadable)) files.set(file.path, file);
      continue;
    }
    if (!stats.isFile() || !wantedName(path.slice(path.lastIndexOf("/") + 1), options.extensions)) continue;
    files.set(path, { path, absolute, stat: statNumbersOf(stats) });
  }
  return { files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), covered };
}

/** Whether `path` is one of `covered` or lies under one of them. */
export function coveredBy(covered: readonly string[], path: string): boolean {
  for (const c of covered) if (path === c || (path.length > c.length && path.charCodeAt(c.length) === 47 && path.startsWith(c))) return true;
  return false;
}

/** Files up to this size are read whole; larger ones are hashed in chunks. */
export const WHOLE_READ_LIMIT = 64 * 1024 * 1024;
const CHUNK = 8 * 1024 * 1024;

let sharedBuffer: Buffer = Buffer.allocUnsafe(1024 * 1024);

function readFully(fd: number, target: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, target, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Reads a whole file into a reused buffer and returns a view of it, valid until the next call
 * (parsers copy what they keep), with the open file's stat. A file larger than `limit` is not
 * read (`bytes` undefined). The size is taken from the open file, not from the scan.
 */
export function readFileView(path: string, limit = Infinity): { bytes: Uint8Array | undefined; stat: Stats } {
  const fd = openSync(path, "r");
  try {
    const stat = fstatSync(fd);
    const size = stat.size;
    if (size > limit) return { bytes: undefined, stat };
    if (size > sharedBuffer.length) sharedBuffer = Buffer.allocUnsafe(Math.max(size, sharedBuffer.length * 2));
    const read = readFully(fd, sharedBuffer, size, 0);
    return { bytes: sharedBuffer.subarray(0, read), stat };
  } finally {
    closeSync(fd);
  }
}

/** The first `length` bytes of a file (a fresh buffer). */
export function readFileHead(path: string, length: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(length);
    return buffer.subarray(0, readFully(fd, buffer, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Hex digests of a file, read in 8 MiB chunks into one reused buffer; also returns its size. */
export function hashFileInChunks(path: string, algorithms: readonly string[]): { size: number; digests: Record<string, string> } {
  const fd = openSync(path, "r");
  try {
    const hashes = algorithms.map((name) => createHash(name));
    if (sharedBuffer.length < CHUNK) sharedBuffer = Buffer.allocUnsafe(CHUNK);
    let position = 0;
    for (;;) {
      const n = readFully(fd, sharedBuffer, CHUNK, position);
      if (n === 0) break;
      const view = sharedBuffer.subarray(0, n);
      for (const hash of hashes) hash.update(view);
      position += n;
      if (n < CHUNK) break;
    }
    return { size: position, digests: Object.fromEntries(algorithms.map((name, i) => [name, hashes[i]!.digest("hex")])) };
  } finally {
    closeSync(fd);
  }
}
