import { Buffer } from "node:buffer";

/**
 * Builds one UTF-8 byte array from many strings, encoding each as it arrives into a growing
 * buffer. Repodata documents are tens of megabytes made of small per-package fragments; keeping
 * the fragments as strings until the end (or flattening them into one string) costs far more
 * memory and time than encoding them on the way in.
 */
export class Utf8Assembler {
  private buffer: Buffer;
  private used = 0;

  constructor(sizeHint = 1 << 16) {
    // at least 8 KiB: smaller allocUnsafe buffers come from the shared pool
    this.buffer = Buffer.allocUnsafe(Math.max(sizeHint, 8192));
  }

  append(piece: string): void {
    const room = this.buffer.length - this.used;
    if (piece.length * 3 > room) {
      const needed = Buffer.byteLength(piece, "utf8");
      if (needed > room) {
        const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + needed));
        this.buffer.copy(grown, 0, 0, this.used);
        this.buffer = grown;
      }
    }
    this.used += this.buffer.write(piece, this.used, "utf8");
  }

  get length(): number {
    return this.used;
  }

  /** The bytes appended so far: a view of the internal buffer, valid until the next append. */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.used);
  }
}
