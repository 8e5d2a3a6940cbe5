import { describe, expect, it } from "vitest";
import { buildAr, bytesOf } from "../../../test/deb/archive-builders.js";
import { isArArchive, iterateArMembers } from "./ar-reader.js";

const list = (bytes: Uint8Array) => [...iterateArMembers(bytes, { file: "x.deb" })];

function expectDebInvalid(fn: () => unknown, reason: RegExp, offset?: number) {
  try {
    fn();
  } catch (error) {
    expect(error).toMatchObject({ name: "QuipuError", code: "QUIPU_DEB_INVALID", details: { file: "x.deb" } });
    const details = (error as { details: { reason: string; offset?: number } }).details;
    expect(details.reason).toMatch(reason);
    if (offset !== undefined) expect(details.offset).toBe(offset);
    return;
  }
  throw new Error("expected a QUIPU_DEB_INVALID error");
}

describe("iterateArMembers", () => {
  it("reads members with their sizes, data views and even padding", () => {
    const bytes = buildAr([
      { name: "debian-binary", data: "2.0\n" },
      { name: "odd", data: "abc" },
      { name: "next", data: "xy" },
    ]);
    const members = list(bytes);
    expect(members.map((m) => [m.name, m.size, new TextDecoder().decode(m.data)])).toEqual([
      ["debian-binary", 4, "2.0\n"],
      ["odd", 3, "abc"],
      ["next", 2, "xy"],
    ]);
    expect(members[0]).toMatchObject({ headerOffset: 8, dataOffset: 68, mode: 0o100644 });
    // "odd" (3 bytes) is followed by one padding byte.
    expect(members[2]?.headerOffset).toBe((members[1]?.dataOffset ?? 0) + 4);
  });

  it("strips the GNU trailing slash from names", () => {
    expect(list(buildAr([{ name: "control.tar.gz", data: "zz", gnuName: true }]))[0]?.name).toBe("control.tar.gz");
  });

  it("tolerates a missing final padding byte", () => {
    expect(list(buildAr([{ name: "a", data: "abc" }], { padLast: false })).map((m) => m.size)).toEqual([3]);
  });

  it("accepts an archive with no members", () => {
    expect(list(bytesOf("!<arch>\n"))).toEqual([]);
  });

  it("refuses a wrong magic, a truncated header, a bad terminator, a bad size and a truncated member", () => {
    expect(isArArchive(bytesOf("!<arch>"))).toBe(false);
    expectDebInvalid(() => list(bytesOf("PK\u0003\u0004 not an ar")), /bad magic/, 0);
    expectDebInvalid(() => list(bytesOf("!<ar")), /too short/, 0);
    const good = buildAr([{ name: "a", data: "abcd" }]);
    expectDebInvalid(() => list(good.subarray(0, 40)), /truncated ar member header/, 8);
    const badTerminator = good.slice();
    badTerminator[8 + 58] = 0x41;
    expectDebInvalid(() => list(badTerminator), /bad terminator/, 66);
    expectDebInvalid(() => list(buildAr([{ name: "a", data: "abcd", sizeField: "4x" }])), /corrupt size field/, 56);
    expectDebInvalid(() => list(buildAr([{ name: "a", data: "abcd", sizeField: "-4" }])), /corrupt size field/);
    expectDebInvalid(() => list(good.subarray(0, good.length - 1)), /'a' is truncated \(declares 4 bytes, 3 remain\)/, 68);
  });
});
