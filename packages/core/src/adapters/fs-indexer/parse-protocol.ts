/** What the parse pool and its workers send each other (see `parse-pool.ts`, `parse-worker.ts`). */
import type { ReadSettings } from "./package-reading.js";

/** What a worker is given (structured-cloned; the control array is shared). */
export interface ParseWorkerInput {
  readonly id: number;
  readonly settings: ReadSettings;
  /** Paths and absolute paths, NUL-joined (cheaper to clone than objects). */
  readonly paths: string;
  readonly absolutes: string;
  /** Scan stats, 4 numbers per file, or null when the scan did not stat. */
  readonly stats: Float64Array | null;
  /** Int32Array over a SharedArrayBuffer: [next file index, state of worker 0, state of worker 1, …]. */
  readonly control: Int32Array;
  readonly batch: number;
}

/** What a worker sends back once: for each file it read, its index, record and fragment lengths; the fragments in one buffer. */
export interface ParseWorkerOutput {
  readonly id: number;
  readonly indexes: number[];
  readonly texts: string[][];
  readonly numbers: number[][];
  readonly fragmentLengths: number[][];
  /** Content ids of the fragments, 32 hex digits each, in order. */
  readonly ids: string;
  readonly arena: ArrayBuffer;
}

/** Worker states in the control array. */
export const WORKER_IDLE = 0;
export const WORKER_STARTED = 1;
export const WORKER_CANCELLED = 2;
