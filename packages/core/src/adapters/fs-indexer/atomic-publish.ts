/**
 * Publishing a generation of index files so that a reader never sees a mixed generation and a
 * crash leaves the previous one intact:
 *
 * 1. content files (uniquely named by their digest: `repodata/<hash>-primary.xml.gz`,
 *    `by-hash/SHA256/<hash>`) are written to a temporary name in their directory, synced and
 *    renamed; one already present with the same size is the same content and is kept;
 * 2. fixed-name files (canonical `Packages.gz`, `Release`, `InRelease`, `repomd.xml`, …) are written
 *    to temporary names and synced — nothing a reader can see has changed yet;
 * 3. stale signatures are removed and the fixed-name files are renamed into place in the given
 *    order, the entry point (`repomd.xml`, `InRelease`) last; the directories are synced.
 *
 * Files of older generations are removed afterwards by the caller (`removeFiles`), keeping the
 * previous generation for readers that fetched its entry point just before the switch.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fdatasyncSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { isQuipuError, QuipuError } from "../../errors/quipu-error.js";
import type { PublishStep } from "./index-types.js";

export interface PublishFile {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly bytes: Uint8Array;
  /** A content file already published with the same bytes: the fixed-name file is hard-linked to it. */
  readonly sameAs?: string | undefined;
}

export interface PublishPlan {
  /** Uniquely named files (their name changes when their content does). */
  readonly content: readonly PublishFile[];
  /** Fixed-name files, renamed into place in this order: the entry point last. */
  readonly fixed: readonly PublishFile[];
  /** Fixed-name files of the old generation that the new one does not have (stale signatures), removed just before the renames. */
  readonly obsolete: readonly string[];
  readonly onStep?: ((step: PublishStep) => void | Promise<void>) | undefined;
}

export interface PublishOutcome {
  /** Files written (content files already present are not counted). */
  readonly written: number;
}

const TEMP_MARK = ".quipu-tmp-";

function tempName(target: string): string {
  return join(dirname(target), `.${target.slice(dirname(target).length + 1)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`);
}

function writeSynced(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, "wx", 0o644);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, done);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on directories; the renames are still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function publishFailed(path: string, error: unknown): QuipuError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new QuipuError("QUIPU_INDEX_PUBLISH_FAILED", `cannot publish ${path}: ${(error as Error).message}; the previous repository is unchanged`, {
    details: { path, reason },
    cause: error,
  });
}

/** Removes temporary files left by a crashed run in `directories` (call it under the index lock). */
export function removeLeftoverTemporaries(root: string, directories: Iterable<string>): void {
  for (const directory of new Set(directories)) {
    let names: string[];
    try {
      names = readdirSync(join(root, directory));
    } catch {
      continue;
    }
    for (const name of names) if (name.startsWith(".") && name.includes(TEMP_MARK)) rmSync(join(root, directory, name), { force: true });
  }
}

/** Publishes a generation (see the module comment). On failure no fixed-name file has been replaced, unless the failure is in the final renames. */
export async function publishGeneration(root: string, plan: PublishPlan): Promise<PublishOutcome> {
  const temporaries = new Map<string, string>();
  const touched = new Set<string>();
  let written = 0;
  let current = "";
  try {
    await plan.onStep?.("write-content");
    for (const file of plan.content) {
      current = file.path;
      const target = join(root, file.path);
      if (sizeOf(target) === file.bytes.length) continue;
      mkdirSync(dirname(target), { recursive: true });
      const temp = tempName(target);
      temporaries.set(temp, target);
      writeSynced(temp, file.bytes);
      renameSync(temp, target);
      temporaries.delete(temp);
      touched.add(dirname(target));
      written++;
    }
    for (const directory of touched) syncDirectory(directory);

    await plan.onStep?.("write-entry-points");
    const staged: [string, string][] = [];
    for (const file of plan.fixed) {
      current = file.path;
      const target = join(root, file.path);
      if (sameContent(target, file.bytes)) continue;
      mkdirSync(dirname(target), { recursive: true });
      const temp = tempName(target);
      temporaries.set(temp, target);
      if (!(file.sameAs !== undefined && tryLink(join(root, file.sameAs), temp, file.bytes.length))) writeSynced(temp, file.bytes);
      staged.push([temp, target]);
      written++;
    }

    await plan.onStep?.("rename-entry-points");
    for (const path of plan.obsolete) {
      current = path;
      rmSync(join(root, path), { force: true });
    }
    const directories = new Set<string>();
    for (const [temp, target] of staged) {
      current = target;
      renameSync(temp, target);
      temporaries.delete(temp);
      directories.add(dirname(target));
    }
    for (const directory of directories) syncDirectory(directory);
    return { written };
  } catch (error) {
    for (const temp of temporaries.keys()) rmSync(temp, { force: true });
    if (isQuipuError(error) || !(error instanceof Error) || !("code" in error)) throw error;
    throw publishFailed(current, error);
  }
}

/** Whether `path` already holds exactly `bytes` (a fixed-name file that needs no replacing). */
function sameContent(path: string, bytes: Uint8Array): boolean {
  if (sizeOf(path) !== bytes.length) return false;
  try {
    return readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
}

function tryLink(existing: string, temp: string, size: number): boolean {
  if (sizeOf(existing) !== size) return false;
  try {
    linkSync(existing, temp);
    return true;
  } catch {
    return false;
  }
}

function sizeOf(path: string): number | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

/** Removes files (paths relative to `root`); returns those that were removed. Missing ones are skipped. */
export function removeFiles(root: string, paths: Iterable<string>): string[] {
  const removed: string[] = [];
  for (const path of paths) {
    try {
      rmSync(join(root, path));
      removed.push(path);
    } catch {
      // already gone, or not ours to remove
    }
  }
  return removed;
}
