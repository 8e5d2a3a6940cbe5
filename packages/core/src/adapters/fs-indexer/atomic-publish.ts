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
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
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

/** Writes and syncs a new file on the libuv pool: several at once share one journal commit. */
async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, "wx", 0o644);
  try {
    let done = 0;
    while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, done)).bytesWritten;
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Runs `task` for every item, a few at a time; waits for all of them even when one fails, then throws the first failure. */
async function eachConcurrently<T>(items: readonly T[], task: (item: T) => Promise<void>, limit = 8): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
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

/**
 * Publishes a generation (see the module comment). On failure no fixed-name file has been replaced,
 * unless the failure is in the final renames. Files of one step are written concurrently (their
 * syncs overlap); the steps and the renames keep their order.
 */
export async function publishGeneration(root: string, plan: PublishPlan): Promise<PublishOutcome> {
  const temporaries = new Map<string, string>();
  const touched = new Set<string>();
  let written = 0;
  let current = "";
  // Files are written concurrently: an error names its own file.
  const failedAt = (path: string) => (error: unknown) => {
    throw isQuipuError(error) || !(error instanceof Error) || !("code" in error) ? error : publishFailed(path, error);
  };
  try {
    await plan.onStep?.("write-content");
    const missing = plan.content.filter((file) => sizeOf(join(root, file.path)) !== file.bytes.length);
    for (const file of missing) mkdirSync(dirname(join(root, file.path)), { recursive: true });
    await eachConcurrently(missing, async (file) => {
      const target = join(root, file.path);
      const temp = tempName(target);
      temporaries.set(temp, target);
      await writeSynced(temp, file.bytes).catch(failedAt(file.path));
      try {
        renameSync(temp, target);
      } catch (error) {
        failedAt(file.path)(error);
      }
      temporaries.delete(temp);
      touched.add(dirname(target));
      written++;
    });
    for (const directory of touched) syncDirectory(directory);

    await plan.onStep?.("write-entry-points");
    const staged: [string, string][] = [];
    const toWrite: [PublishFile, string][] = [];
    for (const file of plan.fixed) {
      current = file.path;
      const target = join(root, file.path);
      if (sameContent(target, file.bytes)) continue;
      mkdirSync(dirname(target), { recursive: true });
      const temp = tempName(target);
      temporaries.set(temp, target);
      if (!(file.sameAs !== undefined && tryLink(join(root, file.sameAs), temp, file.bytes.length))) toWrite.push([file, temp]);
      staged.push([temp, target]);
      written++;
    }
    await eachConcurrently(toWrite, ([file, temp]) => writeSynced(temp, file.bytes).catch(failedAt(file.path)));

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
