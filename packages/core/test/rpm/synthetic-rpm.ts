/**
 * Builds .rpm byte images without rpmbuild, for pure unit tests and cases rpmbuild cannot make:
 * 64-bit sizes, OLDFILENAMES, legacy SUSE weak dependencies, Latin-1 strings, I18N tables, broken
 * headers. The layout follows rpm's: lead, signature header padded to 8 bytes, main header, with an
 * immutable region (tag 62/63) whose trailer sits at the end of the data store.
 */
import { RpmTagType } from "../../src/indexing/rpm/tag-ids.js";

export type HeaderValue =
  | { type: "string"; value: string | Uint8Array }
  | { type: "strings"; value: (string | Uint8Array)[] }
  | { type: "i18n"; value: string[] }
  | { type: "char" | "int8" | "int16" | "int32"; value: number[] }
  | { type: "int64"; value: (number | bigint)[] }
  | { type: "bin"; value: Uint8Array };

export const str = (value: string | Uint8Array): HeaderValue => ({ type: "string", value });
export const strs = (...value: (string | Uint8Array)[]): HeaderValue => ({ type: "strings", value });
export const i18n = (...value: string[]): HeaderValue => ({ type: "i18n", value });
export const int32 = (...value: number[]): HeaderValue => ({ type: "int32", value });
export const int16 = (...value: number[]): HeaderValue => ({ type: "int16", value });
export const int64 = (...value: (number | bigint)[]): HeaderValue => ({ type: "int64", value });
export const bin = (value: Uint8Array): HeaderValue => ({ type: "bin", value });

const typeIds: Record<HeaderValue["type"], number> = {
  char: RpmTagType.CHAR,
  int8: RpmTagType.INT8,
  int16: RpmTagType.INT16,
  int32: RpmTagType.INT32,
  int64: RpmTagType.INT64,
  string: RpmTagType.STRING,
  bin: RpmTagType.BIN,
  strings: RpmTagType.STRING_ARRAY,
  i18n: RpmTagType.I18NSTRING,
};

const utf8 = new TextEncoder();
const bytesOf = (s: string | Uint8Array) => (typeof s === "string" ? utf8.encode(s) : s);

function encodeValue(v: HeaderValue): { data: Uint8Array; count: number; align: number } {
  switch (v.type) {
    case "string":
      return { data: concat([bytesOf(v.value), new Uint8Array(1)]), count: 1, align: 1 };
    case "strings":
    case "i18n":
      return { data: concat(v.value.flatMap((s) => [bytesOf(s), new Uint8Array(1)])), count: v.value.length, align: 1 };
    case "bin":
      return { data: v.value, count: v.value.length, align: 1 };
    case "char":
    case "int8":
      return { data: Uint8Array.from(v.value), count: v.value.length, align: 1 };
    case "int16": {
      const d = new DataView(new ArrayBuffer(v.value.length * 2));
      v.value.forEach((n, i) => d.setUint16(i * 2, n));
      return { data: new Uint8Array(d.buffer), count: v.value.length, align: 2 };
    }
    case "int32": {
      const d = new DataView(new ArrayBuffer(v.value.length * 4));
      v.value.forEach((n, i) => d.setUint32(i * 4, n >>> 0));
      return { data: new Uint8Array(d.buffer), count: v.value.length, align: 4 };
    }
    case "int64": {
      const d = new DataView(new ArrayBuffer(v.value.length * 8));
      v.value.forEach((n, i) => d.setBigUint64(i * 8, BigInt(n)));
      return { data: new Uint8Array(d.buffer), count: v.value.length, align: 8 };
    }
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One header structure. `regionTag` null leaves the region out (v3 style). Tags are sorted. */
export function encodeHeader(tags: Iterable<[number, HeaderValue]>, regionTag: number | null = 63): Uint8Array {
  const list = [...tags].sort((x, y) => x[0] - y[0]);
  const index: { tag: number; type: number; offset: number; count: number }[] = [];
  const data: Uint8Array[] = [];
  let size = 0;
  for (const [tag, value] of list) {
    const { data: bytes, count, align } = encodeValue(value);
    const pad = (align - (size % align)) % align;
    if (pad) {
      data.push(new Uint8Array(pad));
      size += pad;
    }
    index.push({ tag, type: typeIds[value.type], offset: size, count });
    data.push(bytes);
    size += bytes.length;
  }
  if (regionTag !== null) {
    const il = index.length + 1;
    const trailer = new DataView(new ArrayBuffer(16));
    trailer.setUint32(0, regionTag);
    trailer.setUint32(4, RpmTagType.BIN);
    trailer.setInt32(8, -il * 16);
    trailer.setUint32(12, 16);
    index.unshift({ tag: regionTag, type: RpmTagType.BIN, offset: size, count: 16 });
    data.push(new Uint8Array(trailer.buffer));
    size += 16;
  }
  const head = new DataView(new ArrayBuffer(16 + index.length * 16));
  head.setUint32(0, 0x8eade801);
  head.setUint32(8, index.length);
  head.setUint32(12, size);
  index.forEach((e, i) => {
    head.setUint32(16 + i * 16, e.tag);
    head.setUint32(20 + i * 16, e.type);
    head.setInt32(24 + i * 16, e.offset);
    head.setUint32(28 + i * 16, e.count);
  });
  return concat([new Uint8Array(head.buffer), ...data]);
}

export interface SyntheticRpm {
  leadType?: number;
  leadName?: string;
  leadMajor?: number;
  /** Signature tags; SIZE (1000) is added from the real header + payload length unless given. */
  signature?: [number, HeaderValue][];
  header: [number, HeaderValue][];
  payload?: Uint8Array;
  mainRegion?: number | null;
}

export function encodeRpm(rpm: SyntheticRpm): Uint8Array {
  const lead = new Uint8Array(96);
  lead.set([0xed, 0xab, 0xee, 0xdb, rpm.leadMajor ?? 3, 0], 0);
  lead[7] = rpm.leadType ?? 0;
  lead.set(utf8.encode((rpm.leadName ?? "synthetic").slice(0, 65)), 10);
  lead[79] = 5;
  const header = encodeHeader(rpm.header, rpm.mainRegion === undefined ? 63 : rpm.mainRegion);
  const payload = rpm.payload ?? new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const sigTags = [...(rpm.signature ?? [])];
  if (!sigTags.some(([tag]) => tag === 1000 || tag === 270)) sigTags.push([1000, int32(header.length + payload.length)]);
  const sig = encodeHeader(sigTags, 62);
  const pad = new Uint8Array((8 - (sig.length % 8)) % 8);
  return concat([lead, sig, pad, header, payload]);
}

/** The main-header tags of a small, plausible binary package; override or add with `extra`. */
export function basicPackageTags(extra: [number, HeaderValue][] = []): [number, HeaderValue][] {
  const base = new Map<number, HeaderValue>([
    [100, strs("C")],
    [1000, str("synth")],
    [1001, str("1.0")],
    [1002, str("1")],
    [1004, i18n("A synthetic package")],
    [1005, i18n("Made by synthetic-rpm.ts.")],
    [1006, int32(1700000000)],
    [1007, str("builder.example.invalid")],
    [1009, int32(1234)],
    [1014, str("MIT")],
    [1016, i18n("Unspecified")],
    [1021, str("linux")],
    [1022, str("noarch")],
    [1044, str("synth-1.0-1.src.rpm")],
    [1047, strs("synth")],
    [1112, int32(8)],
    [1113, strs("1.0-1")],
  ]);
  for (const [tag, value] of extra) base.set(tag, value);
  return [...base];
}
