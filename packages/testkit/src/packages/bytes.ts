/** Small byte helpers shared by the archive writers. Buffers are Uint8Arrays, so they are returned as such. */

export type ByteContent = string | Uint8Array;

/** UTF-8 encodes strings; passes bytes through without copying. */
export function toBytes(content: ByteContent | undefined): Uint8Array {
  if (content === undefined) return EMPTY;
  return typeof content === "string" ? Buffer.from(content, "utf8") : content;
}

export const EMPTY: Uint8Array = new Uint8Array(0);

/** Concatenates byte arrays into one fresh array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Byte-wise (C locale) comparison of two strings as UTF-8, the order dpkg-deb and rpmbuild sort paths in. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Writes `value` as a zero-padded octal number of `width` digits into `target` at `offset`. */
export function writeOctal(target: Uint8Array, offset: number, width: number, value: number): void {
  writeAscii(target, offset, value.toString(8).padStart(width, "0"));
}

/** Writes an ASCII string into `target` at `offset` (no terminator). */
export function writeAscii(target: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) target[offset + i] = text.charCodeAt(i);
}

