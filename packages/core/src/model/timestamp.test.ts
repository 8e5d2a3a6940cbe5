import { describe, expect, it } from "vitest";
import { Sha512HexSchema } from "./checksum.js";
import { HttpUrlSchema } from "./http-url.js";
import { EPOCH_TIMESTAMP, TimestampSchema, formatLegacyTimestamp, normalizeTimestamp, timestampFromMs } from "./timestamp.js";

describe("TimestampSchema", () => {
  it.each([
    ["2026-08-20T10:11:12.345Z", "2026-08-20T10:11:12.345Z"],
    ["2026-08-20T10:11:12Z", "2026-08-20T10:11:12.000Z"],
    // Python's str(datetime), naive UTC, as the originals emit it.
    ["2016-07-20 18:53:12.443312", "2016-07-20T18:53:12.443Z"],
    ["2016-07-20 18:53:12", "2016-07-20T18:53:12.000Z"],
    ["2026-08-20T10:11", "2026-08-20T10:11:00.000Z"],
    ["2026-08-20T12:11:12+02:00", "2026-08-20T10:11:12.000Z"],
    ["2026-08-20T12:11:12+0200", "2026-08-20T10:11:12.000Z"],
    ["2024-02-29T00:00:00z", "2024-02-29T00:00:00.000Z"],
  ])("normalises %s", (input, expected) => {
    expect(TimestampSchema.parse(input)).toBe(expected);
  });

  it.each(["", "yesterday", "2026-08-20", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:60Z", "1700000000"])(
    "rejects %j",
    (input) => {
      expect(normalizeTimestamp(input)).toBeNull();
      expect(TimestampSchema.safeParse(input).success).toBe(false);
    },
  );

  it("rejects non-strings", () => {
    expect(TimestampSchema.safeParse(1_700_000_000_000).success).toBe(false);
    expect(TimestampSchema.safeParse(new Date()).success).toBe(false);
  });

  it("converts clock milliseconds and formats the legacy wire spelling", () => {
    expect(timestampFromMs(0)).toBe(EPOCH_TIMESTAMP);
    expect(formatLegacyTimestamp("2016-07-20T18:53:12.443Z")).toBe("2016-07-20 18:53:12.443000");
    expect(formatLegacyTimestamp("2016-07-20T18:53:12.000Z")).toBe("2016-07-20 18:53:12");
  });
});

describe("Sha512HexSchema", () => {
  it("accepts 128 hex characters, lowercased", () => {
    expect(Sha512HexSchema.parse("AB".repeat(64))).toBe("ab".repeat(64));
    expect(Sha512HexSchema.safeParse("ab".repeat(63)).success).toBe(false);
    expect(Sha512HexSchema.safeParse("zz".repeat(64)).success).toBe(false);
  });
});

describe("HttpUrlSchema", () => {
  it("accepts absolute http(s) URLs, credentials and IPv6 included, verbatim", () => {
    for (const url of ["https://2.chacra.ceph.com/repos/ceph/main/", "http://user:key@127.0.0.1:8080/", "https://[::1]:8443/x"]) {
      expect(HttpUrlSchema.parse(url)).toBe(url);
    }
  });

  it("rejects other schemes and relative or malformed URLs", () => {
    for (const url of ["ftp://host/", "/r/ceph/", "https://", "chacra.ceph.com", ""]) {
      expect(HttpUrlSchema.safeParse(url).success).toBe(false);
    }
  });
});
