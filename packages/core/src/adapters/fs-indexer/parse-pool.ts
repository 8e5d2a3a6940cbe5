/**
 * Reading many package files on several threads: the calling thread and worker threads
 * (`parse-worker.ts`) take batches of files from one shared counter, so the work balances itself
 * however long each file takes, and the calling thread never waits for a worker to start. Workers
 * send back their fragments in one transferred buffer; the caller stores them in the cache in file
 * order, so the result does not depend on which thread read what.
 *
 * Workers cost a thread start, a module load and a cold JIT, so they are used only for runs with
 * many files to read (an incremental run reads its few files in the calling thread), and by
 * default only on machines with more than two cores (see `defaultThreads`).
 */
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Codecs } from "../../indexing/codecs.js";
import type { Logger } from "../../ports/logger.js";
import { contentId, FragmentArena } from "./fragment-basics.js";
import { readPackageFile, type FileToRead, type ReadSettings } from "./package-reading.js";
import { WORKER_CANCELLED, WORKER_IDLE, type ParseWorkerInput, type ParseWorkerOutput } from "./parse-protocol.js";

/** Fewer files than this are read in the calling thread only. */
export const WORKER_MIN_FILES = 256;
/** Files a thread takes from the shared counter at a time. */
const BATCH = 16;
/** Default cap on reading threads: beyond this, the disk and the single-threaded compose dominate. */
const MAX_THREADS = 8;

/**
 * Reading threads when the caller does not say: one per core up to 8, but only the calling thread
 * on two cores or fewer. Measured on a 2-core VM: the calling thread already keeps more than one
 * core busy (V8's compiler and collector threads), the page faults and system calls that make up
 * half of reading a package did not scale even across separate processes, and a worker's start-up,
 * cold JIT and own heap cost as much as it took over (2,000 and 10,000 rpms, same time or worse).
 */
export function defaultThreads(): number {
  const cores = availableParallelism();
  return cores <= 2 ? 1 : Math.min(cores, MAX_THREADS);
}

/** One file read: the cache record's text and numbers, its fragments and their content ids. */
export interface ParsedFile {
  readonly text: string[];
  readonly numbers: number[];
  readonly fragments: Uint8Array[];
  readonly ids: string[];
}

export interface ReadFilesOptions {
  readonly settings: ReadSettings;
  readonly codecs: Codecs;
  /** Whether workers may read (they build their own default codecs: not when the caller gave other codecs for decoding). */
  readonly workersAllowed: boolean;
  /** Reading threads including the calling one (default `defaultThreads()`). */
  readonly threads: number | undefined;
  readonly logger: Logger;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  /** Whether the calling thread reads too (default true; tests turn it off to exercise the workers alone). */
  readonly callerReads?: boolean | undefined;
  /** Where the calling thread's fragments are encoded (default plain buffers). */
  readonly allocate?: ((size: number) => Buffer) | undefined;
}

/** Reads `files` (in the calling thread, and on workers when there are many); results are in `files` order. */
export async function readPackageFiles(files: readonly FileToRead[], options: ReadFilesOptions): Promise<ParsedFile[]> {
  const total = files.length;
  const results: (ParsedFile | undefined)[] = new Array(total);
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
  const wanted = options.workersAllowed && total >= WORKER_MIN_FILES ? Math.min(threads - 1, Math.floor(total / (WORKER_MIN_FILES / 2))) : 0;
  const entry = wanted > 0 ? workerEntry() : undefined;
  const workerCount = entry === undefined ? 0 : wanted;
  if (wanted > 0 && entry === undefined) options.logger.debug({ event: "index.workers.unavailable" }, "parse worker entry not found; reading in this thread");

  const control = new Int32Array(new SharedArrayBuffer(4 * (1 + workerCount)));
  const workers: { worker: Worker; done: Promise<ParseWorkerOutput | undefined> }[] = [];
  if (workerCount > 0) {
    const paths = files.map((f) => f.path).join("\0");
    const absolutes = files.map((f) => f.absolute).join("\0");
    let stats: Float64Array | null = null;
    if (files.every((f) => f.stat !== undefined)) {
      stats = new Float64Array(total * 4);
      files.forEach((f, i) => stats!.set(f.stat!, i * 4));
    }
    for (let id = 0; id < workerCount; id++) {
      const input: ParseWorkerInput = { id, settings: options.settings, paths, absolutes, stats, control, batch: BATCH };
      workers.push(startWorker(entry!, input, options.logger));
    }
  }

  let done = 0;
  let inWorkers = 0;
  const arena = new FragmentArena(options.allocate ?? ((size) => Buffer.allocUnsafeSlow(size)), total < 64 ? 64 * 1024 : undefined);
  const readHere = (index: number) => {
    const outcome = readPackageFile(files[index]!, options.settings, options.codecs);
    const fragments = outcome.fragments.map((text) => arena.put(text));
    results[index] = { text: outcome.text, numbers: outcome.numbers, fragments, ids: fragments.map((bytes) => contentId(bytes)) };
    if (++done % 200 === 0) options.onProgress?.(done, total);
  };
  try {
    if (options.callerReads ?? true) {
      for (;;) {
        const start = Atomics.add(control, 0, BATCH);
        if (start >= total) break;
        for (let i = start; i < Math.min(total, start + BATCH); i++) readHere(i);
      }
      // A worker that has not started yet will find nothing to do: cancel it instead of waiting for it to load.
      for (let id = 0; id < workers.length; id++) {
        if (Atomics.compareExchange(control, 1 + id, WORKER_IDLE, WORKER_CANCELLED) === WORKER_IDLE) void workers[id]!.worker.terminate();
      }
    }
    for (const { done: finished } of workers) {
      const output = await finished;
      if (output === undefined) continue;
      let at = 0;
      let idAt = 0;
      output.indexes.forEach((index, k) => {
        const fragments = output.fragmentLengths[k]!.map((length) => {
          const view = new Uint8Array(output.arena, at, length);
          at += length;
          return view;
        });
        const ids = fragments.map(() => output.ids.slice(idAt, (idAt += 32)));
        results[index] = { text: output.texts[k]!, numbers: output.numbers[k]!, fragments, ids };
        done++;
        inWorkers++;
      });
    }
  } finally {
    for (const { worker } of workers) void worker.terminate();
  }
  // Files a failed worker had taken are read here.
  for (let i = 0; i < total; i++) if (results[i] === undefined) readHere(i);
  options.onProgress?.(total, total);
  options.logger.debug({ event: "index.read", files: total, workers: workerCount, readInWorkers: inWorkers }, "package files read");
  return results as ParsedFile[];
}

function startWorker(entry: WorkerEntry, input: ParseWorkerInput, logger: Logger): { worker: Worker; done: Promise<ParseWorkerOutput | undefined> } {
  const worker =
    entry.tsx === undefined
      ? new Worker(entry.url, { workerData: input })
      : // TypeScript sources (tests): register tsx in the worker, then load the entry.
        new Worker(`import(${JSON.stringify(entry.tsx)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry.url.href)}); });`, {
          eval: true,
          workerData: input,
        });
  const done = new Promise<ParseWorkerOutput | undefined>((resolve) => {
    worker.once("message", (output: ParseWorkerOutput) => resolve(output));
    worker.once("error", (error) => {
      logger.warn({ event: "index.worker.failed", reason: error.message }, "a parse worker failed; its files are read in the calling thread");
      resolve(undefined);
    });
    worker.once("exit", () => resolve(undefined));
  });
  return { worker, done };
}

interface WorkerEntry {
  readonly url: URL;
  /** The tsx loader to register first, when the entry is TypeScript. */
  readonly tsx?: string | undefined;
}

let located: WorkerEntry | null | undefined;

/**
 * Where the worker entry is: next to this module when running from sources (`parse-worker.ts`,
 * through tsx) or from `@quipu/core`'s dist (`adapters/fs-indexer/parse-worker.js`), or at the top of
 * a bundle that emitted it (`parse-worker.js`, as the `quipu-chacra` CLI does). Code bundled
 * elsewhere without the entry reads in the calling thread.
 */
function workerEntry(): WorkerEntry | undefined {
  if (located !== undefined) return located ?? undefined;
  located = null;
  const here = import.meta.url;
  if (!here.startsWith("file:")) return undefined;
  if (here.endsWith(".ts")) {
    try {
      const tsx = createRequire(here).resolve("tsx/esm/api");
      const esm = tsx.replace(/\.cjs$/, ".mjs");
      located = { url: new URL("./parse-worker.ts", here), tsx: pathToFileURL(existsSync(esm) ? esm : tsx).href };
    } catch {
      // no tsx: sources cannot run in a worker
    }
    return located ?? undefined;
  }
  for (const candidate of ["./parse-worker.js", "./adapters/fs-indexer/parse-worker.js"]) {
    const url = new URL(candidate, here);
    if (existsSync(fileURLToPath(url))) {
      located = { url };
      break;
    }
  }
  return located ?? undefined;
}
