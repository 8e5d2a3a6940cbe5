import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, crc64 } from "./crc.js";

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe("crc32", () => {
  it("gives the standard check values", () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    expect(crc32(ascii("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
  });

  it("agrees with node:zlib on every length around the 8-byte stride", () => {
    const data = pseudoRandomBytes(4099, 7);
    for (let length = 0; length < 40; length++) {
      expect(crc32(data.subarray(0, length))).toBe(zlibCrc32(data.subarray(0, length)));
    }
    expect(crc32(data)).toBe(zlibCrc32(data));
  });

  it("continues over pieces and honours start/end", () => {
    const data = pseudoRandomBytes(1000, 3);
    expect(crc32(data, crc32(data, 0, 0, 333), 333)).toBe(crc32(data));
    expect(crc32(data, 0, 10, 20)).toBe(crc32(data.subarray(10, 20)));
  });
});

describe("crc64 (ECMA-182, as used by .xz)", () => {
  it("gives the standard check values", () => {
    expect(crc64(new Uint8Array(0))).toBe(0n);
    expect(crc64(ascii("123456789"))).toBe(0x995dc9bbdf1939fan);
  });

  it("matches a bit-by-bit bigint reference on all short lengths", () => {
    const reference = (bytes: Uint8Array): bigint => {
      let crc = 0xffffffffffffffffn;
      for (const byte of bytes) {
        crc ^= BigInt(byte);
        for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0xc96c5795d7870f42n : crc >> 1n;
      }
      return crc ^ 0xffffffffffffffffn;
    };
    const data = pseudoRandomBytes(64, 11);
    for (let length = 0; length <= data.length; length++) {
      expect(crc64(data.subarray(0, length))).toBe(reference(data.subarray(0, length)));
    }
  });

  it("continues over pieces and honours start/end", () => {
    const data = pseudoRandomBytes(1001, 5);
    expect(crc64(data, crc64(data, 0n, 0, 501), 501)).toBe(crc64(data));
    expect(crc64(data, 0n, 7, 30)).toBe(crc64(data.subarray(7, 30)));
  });
});
