import { describe, expect, it } from "vitest";
import { isQuipuError } from "../../errors/quipu-error.js";
import { bin, concat, encodeHeader, i18n, int16, int32, int64, str, strs } from "../../../test/rpm/synthetic-rpm.js";
import { decodeHeaderString, RpmHeader } from "./rpm-header.js";
import { RpmTagType } from "./tag-ids.js";

function expectInvalid(fn: () => unknown, reason: RegExp) {
  try {
    fn();
  } catch (error) {
    expect(isQuipuError(error, "QUIPU_RPM_INVALID")).toBe(true);
    expect(String((error as { details: { reason: string } }).details.reason)).toMatch(reason);
    return (error as { details: { offset: number } }).details;
  }
  throw new Error("expected QUIPU_RPM_INVALID");
}

describe("RpmHeader", () => {
  const image = encodeHeader([
    [1000, str("name")],
    [1004, i18n("C summary", "fr résumé")],
    [1030, int16(0o40755, 0o100644)],
    [1047, strs("a", "b", "c")],
    [1112, int32(8, 0xffffffff, 12)],
    [5009, int64(5_000_000_000n)],
    [1012, bin(new Uint8Array([1, 2, 3]))],
    [1003, { type: "char", value: [7] }],
    [1006, { type: "int8", value: [200] }],
  ]);

  it("reads every tag type with typed accessors and knows its byte range", () => {
    const prefix = new Uint8Array(40);
    const h = new RpmHeader(concat([prefix, image]), 40);
    expect(h.start).toBe(40);
    expect(h.end).toBe(40 + image.length);
    expect(h.regionTag).toBe(63);
    expect(h.string(1000)).toBe("name");
    expect(h.string(1004)).toBe("C summary");
    expect(h.stringArray(1004)).toEqual(["C summary", "fr résumé"]);
    expect(h.stringArray(1000)).toEqual(["name"]);
    expect(h.numberArray(1030)).toEqual([0o40755, 0o100644]);
    expect(h.stringArray(1047)).toEqual(["a", "b", "c"]);
    expect(h.numberArray(1112)).toEqual([8, 0xffffffff, 12]);
    expect(h.number(5009)).toBe(5_000_000_000);
    expect([...h.binary(1012)!]).toEqual([1, 2, 3]);
    expect(h.number(1003)).toBe(7);
    expect(h.number(1006)).toBe(200);
    expect(h.entry(1047)).toMatchObject({ type: RpmTagType.STRING_ARRAY, count: 3 });
    expect(h.has(9999)).toBe(false);
    expect(h.string(9999)).toBeUndefined();
    expect(h.tags[0]).toBe(63);
  });

  it("refuses to read a tag as the wrong type", () => {
    const h = new RpmHeader(image, 0);
    expectInvalid(() => h.number(1000), /type STRING, not an integer/);
    expectInvalid(() => h.string(1112), /type INT32, not a string/);
    expectInvalid(() => h.binary(1000), /not binary data/);
  });

  it("reads a header without an immutable region (v3 style)", () => {
    const h = new RpmHeader(encodeHeader([[1000, str("old")]], null), 0);
    expect(h.regionTag).toBeUndefined();
    expect(h.string(1000)).toBe("old");
  });

  it("rejects bad magic, truncation and implausible sizes with offsets", () => {
    expectInvalid(() => new RpmHeader(new Uint8Array(10), 0), /truncated before the header intro/);
    const bad = image.slice();
    bad[1] = 0;
    expect(expectInvalid(() => new RpmHeader(bad, 0), /bad header magic/).offset).toBe(0);
    expectInvalid(() => new RpmHeader(image.subarray(0, image.length - 1), 0), /truncated/);
    const huge = image.slice();
    new DataView(huge.buffer).setUint32(8, 0x10000);
    expectInvalid(() => new RpmHeader(huge, 0), /implausible index entry count/);
    const zero = image.slice();
    new DataView(zero.buffer).setUint32(8, 0);
    expectInvalid(() => new RpmHeader(zero, 0), /implausible index entry count 0/);
  });

  it("checks each entry the way rpm's hdrblobVerifyInfo does", () => {
    const plain = encodeHeader(
      [
        [1000, str("x")],
        [1112, int32(1)],
      ],
      null,
    );
    const entry = (i: number) => 16 + i * 16;
    const mutate = (fn: (v: DataView) => void) => {
      const copy = plain.slice();
      fn(new DataView(copy.buffer));
      return copy;
    };
    expectInvalid(() => new RpmHeader(mutate((v) => v.setUint32(entry(1) + 4, 12)), 0), /unknown type 12/);
    expectInvalid(() => new RpmHeader(mutate((v) => v.setInt32(entry(1) + 8, 5)), 0), /misaligned/);
    expectInvalid(() => new RpmHeader(mutate((v) => v.setInt32(entry(1) + 8, 4000)), 0), /outside the data store/);
    expectInvalid(() => new RpmHeader(mutate((v) => v.setUint32(entry(1) + 12, 100)), 0), /runs past the data store/);
    expectInvalid(() => new RpmHeader(mutate((v) => v.setUint32(entry(1) + 12, 0)), 0), /implausible count 0/);
    expectInvalid(() => new RpmHeader(mutate((v) => v.setUint32(entry(0), 50)), 0), /reserved tag 50/);
    expectInvalid(() => new RpmHeader(mutate((v) => v.setUint32(entry(0) + 12, 2)), 0), /STRING tag 1000 has count 2/);
    expectInvalid(() => new RpmHeader(mutate((v) => v.setInt32(entry(1) + 8, 0)), 0), /overlaps the previous entry/);
    // a string whose NUL was overwritten runs into the next entry's data and then off the store
    const unterminated = encodeHeader([[1000, str("abc")]], null);
    unterminated[unterminated.length - 1] = 0x41;
    expectInvalid(() => new RpmHeader(unterminated, 0), /runs past the data store/);
  });

  it("validates the region trailer", () => {
    const copy = image.slice();
    const trailerAt = copy.length - 16;
    new DataView(copy.buffer).setUint32(trailerAt, 62);
    expectInvalid(() => new RpmHeader(copy, 0), /corrupt trailer/);
    const far = image.slice();
    new DataView(far.buffer).setInt32(16 + 8, 1 << 20);
    expectInvalid(() => new RpmHeader(far, 0), /trailer lies outside/);
  });

  it("rejects 64-bit values that a JavaScript number cannot hold exactly", () => {
    const h = new RpmHeader(encodeHeader([[5009, int64(2n ** 60n)]]), 0);
    expectInvalid(() => h.number(5009), /beyond 2\^53/);
  });
});

describe("decodeHeaderString", () => {
  it("decodes UTF-8 and falls back to Latin-1 (dropping C1 controls) like createrepo_c", () => {
    expect(decodeHeaderString(new TextEncoder().encode("naïve ✓"))).toBe("naïve ✓");
    expect(decodeHeaderString(Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x85]))).toBe("café");
    expect(decodeHeaderString(new Uint8Array(0))).toBe("");
  });
});
