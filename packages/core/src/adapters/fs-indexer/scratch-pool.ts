/**
 * Large buffers reused from one index run to the next in the same process (the chacra daemon
 * re-indexes after every upload). Memory a process touches for the first time costs a page fault
 * per 4 KiB — about 13 µs each on the virtual machines this was measured on, ~3 ms per MB — and
 * an incremental run of a large repository otherwise faults in fresh megabytes for the cache index
 * and the compressed documents every time. A run takes buffers from the pool and gives them all
 * back when it ends; concurrent runs never share one.
 */
import { Buffer } from "node:buffer";

/** Free memory kept between runs, at most. */
const KEEP_BYTES = 256 * 1024 * 1024;
/** Buffers smaller than this are not kept (the allocator reuses small blocks well enough). */
const MIN_POOLED = 64 * 1024;

const free: ArrayBuffer[] = [];
let freeBytes = 0;

/** Buffers taken by one run, given back together by `release()`. */
export class RunScratch {
  readonly #taken: ArrayBuffer[] = [];

  /** A buffer of `size` bytes (uninitialised contents, 8-byte aligned), valid until `release()`. */
  take(size: number): Buffer {
    if (size < MIN_POOLED) return Buffer.allocUnsafeSlow(size);
    // The smallest free buffer that fits, unless it would waste most of itself.
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const length = free[i]!.byteLength;
      if (length >= size && length <= size * 4 && (best < 0 || length < free[best]!.byteLength)) best = i;
    }
    let memory: ArrayBuffer;
    if (best >= 0) {
      memory = free.splice(best, 1)[0]!;
      freeBytes -= memory.byteLength;
    } else {
      // Rounded up so that a slightly larger document next time still fits.
      memory = new ArrayBuffer(Math.ceil((size * 1.25) / 65536) * 65536);
    }
    this.#taken.push(memory);
    return Buffer.from(memory, 0, size);
  }

  /** Gives every buffer back (nothing taken from this run may be used afterwards). */
  release(): void {
    for (const memory of this.#taken.splice(0)) {
      if (freeBytes + memory.byteLength > KEEP_BYTES) continue;
      free.push(memory);
      freeBytes += memory.byteLength;
    }
  }
}
