import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { QuipuError } from "../../errors/quipu-error.js";

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (typeof owner.pid === "number" && typeof owner.host === "string") return { pid: owner.pid, host: owner.host, started: String(owner.started ?? "") };
  } catch {
    // unreadable or half-written
  }
  return undefined;
}

/**
 * Takes the directory's index lock: a file created exclusively, holding the owner's pid and host.
 * A lock whose owner process no longer runs on this host (a crashed run) is taken over, so a
 * crash never blocks later runs; a live owner gives `QUIPU_INDEX_LOCKED`. Returns the release
 * function.
 */
export function acquireIndexLock(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new QuipuError("QUIPU_INDEX_DIRECTORY_INVALID", `cannot create the index lock ${path}: ${(error as Error).message}`, {
          details: { directory: dirname(dirname(path)), reason: `cannot create the lock file (${(error as NodeJS.ErrnoException).code ?? "error"})` },
          cause: error,
        });
      }
      const owner = readOwner(path);
      const stale = owner === undefined ? ageMs(path) > 10_000 : owner.host === me.host && !isAlive(owner.pid);
      if (stale) {
        rmSync(path, { force: true });
        continue;
      }
      throw new QuipuError("QUIPU_INDEX_LOCKED", `another index run holds ${path}${owner ? ` (pid ${owner.pid} on ${owner.host} since ${owner.started})` : ""}`, {
        details: { lockFile: path, pid: owner?.pid ?? null, host: owner?.host ?? null },
      });
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const owner = readOwner(path);
      if (owner?.pid === me.pid && owner.host === me.host) rmSync(path, { force: true });
    };
  }
  throw new QuipuError("QUIPU_INDEX_LOCKED", `could not take the index lock ${path}`, { details: { lockFile: path, pid: null, host: null } });
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}
