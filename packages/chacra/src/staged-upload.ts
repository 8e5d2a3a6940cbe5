/**
 * Receiving an uploaded file without ever exposing a partial one: the bytes stream into a hidden
 * temporary file beside the target (same directory, so the final rename is atomic), hashed and
 * counted on the way, fsynced, and only then renamed over the target. A process killed mid-upload
 * leaves only a `.upload-*` temporary, which `removeStaleUploads` clears at the next start.
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, createWriteStream, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { QuipuError } from "@quipu/core";

const TEMP_PREFIX = ".upload-";

export interface StagedFile {
  readonly tempPath: string;
  readonly size: number;
  /** SHA-512 hex of the received bytes. */
  readonly checksum: string;
}

export interface StageOptions {
  readonly directory: string;
  readonly maxBytes: number;
}

/** Streams `source` into a temporary file in `directory`, fsynced; throws (and removes it) on any failure. */
export async function stageUpload(source: Readable, options: StageOptions): Promise<StagedFile> {
  mkdirSync(options.directory, { recursive: true });
  const tempPath = join(options.directory, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
  const hash = createHash("sha512");
  let size = 0;
  let tooLarge: QuipuError | undefined;
  const meter = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > options.maxBytes) {
        callback(
          (tooLarge = new QuipuError("QUIPU_HTTP_BODY_TOO_LARGE", `upload is larger than the limit of ${options.maxBytes} bytes`, {
            details: { limit: options.maxBytes },
          })),
        );
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  // `flush`: the file is fsynced before its descriptor closes, on the thread pool, so the data is
  // durable before the rename that makes it visible, and no request waits on a synchronous fsync.
  const output = createWriteStream(tempPath, { flags: "wx", highWaterMark: 1 << 20, flush: true });
  try {
    await pipeline(source, meter, output);
  } catch (error) {
    // The stream owns its descriptor; wait until it is closed (and the file surely created) before
    // removing the file, or an open still in flight would re-create it.
    if (!output.closed) await once(output, "close").catch(() => undefined);
    rmSync(tempPath, { force: true });
    // Destroying the other streams can surface as a premature close first; the limit is the cause.
    throw tooLarge ?? error;
  }
  return { tempPath, size, checksum: hash.digest("hex") };
}

/** Renames the staged file over `target` and syncs the directory so the rename itself is durable. */
export function commitStagedFile(staged: StagedFile, target: string): void {
  renameSync(staged.tempPath, target);
  syncDirectory(join(target, ".."));
}

export function discardStagedFile(staged: StagedFile): void {
  rmSync(staged.tempPath, { force: true });
}

function syncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(path: string): void {
  try {
    syncFile(path);
  } catch {
    // Some file systems refuse fsync on directories; the file itself is already synced.
  }
}

/** True for names of upload temporaries (never listed, never indexed). */
export function isUploadTemporary(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** Removes `.upload-*` leftovers of processes that died mid-upload, anywhere under `root`. */
export function removeStaleUploads(root: string): number {
  let removed = 0;
  const walk = (directory: string) => {
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (isUploadTemporary(entry.name)) {
        rmSync(path, { force: true });
        removed += 1;
      }
    }
  };
  walk(root);
  return removed;
}
