import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync, type Dirent, type Stats } from "node:fs";
import { QuipuError } from "../../errors/quipu-error.js";

/** A package file found under the indexed directory. */
export interface ScannedFile {
  /** Path relative to the directory, `/`-separated. */
  readonly path: string;
  readonly absolute: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export interface ScanOptions {
  /** File name endings to pick (`.rpm`; `.deb`, `.dsc`). */
  readonly extensions: readonly string[];
  /** Names of top-level directories not to enter (the output: `repodata`, `dists`, …). */
  readonly skipTopLevel: readonly string[];
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
 * Every file under `root` whose name ends in one of `extensions`, sorted by relative path (code
 * unit order). Hidden entries (`.name`) and the `skipTopLevel` directories are not entered;
 * symbolic links to files are followed, links to directories are not (no loops). An unreadable
 * root is `QUIPU_INDEX_DIRECTORY_INVALID`; an unreadable subdirectory is reported through
 * `onUnreadable` and skipped.
 */
export function scanPackageFiles(root: string, options: ScanOptions, onUnreadable: (path: string, error: unknown) => void): ScannedFile[] {
  const found: ScannedFile[] = [];
  const skip = new Set(options.skipTopLevel);
  const wanted = (name: string) => options.extensions.some((ext) => name.endsWith(ext) && name.length > ext.length);
  const walk = (absolute: string, relative: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(absolute, { withFileTypes: true });
    } catch (error) {
      if (relative === "") {
        throw directoryInvalid(root, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, error);
      }
      onUnreadable(relative, error);
      return;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith(".")) continue;
      const childAbsolute = `${absolute}/${name}`;
      const childRelative = relative === "" ? name : `${relative}/${name}`;
      if (entry.isDirectory()) {
        if (relative === "" && skip.has(name)) continue;
        walk(childAbsolute, childRelative);
        continue;
      }
      if (!wanted(name) || !(entry.isFile() || entry.isSymbolicLink())) continue;
      let stats: Stats;
      try {
        stats = statSync(childAbsolute);
      } catch (error) {
        onUnreadable(childRelative, error);
        continue;
      }
      if (!stats.isFile()) continue;
      found.push({ path: childRelative, absolute: childAbsolute, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino });
    }
  };
  walk(root, "");
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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
 * (parsers copy what they keep). The size is taken from the open file, not from the scan.
 */
export function readFileView(path: string): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > sharedBuffer.length) sharedBuffer = Buffer.allocUnsafe(Math.max(size, sharedBuffer.length * 2));
    const read = readFully(fd, sharedBuffer, size, 0);
    return sharedBuffer.subarray(0, read);
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
