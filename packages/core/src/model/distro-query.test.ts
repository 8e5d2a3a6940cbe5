import { describe, expect, it } from "vitest";
import { parseDistroQuery } from "./distro-query.js";

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

describe("parseDistroQuery", () => {
  it("parses a list with and without arches", () => {
    expect(parseDistroQuery("ubuntu/22.04/x86_64,centos/9")).toEqual([
      { distro: "ubuntu", codename: "jammy", version: "22.04", packageType: "deb", pathVersion: "jammy", known: true, arch: "x86_64" },
      { distro: "centos", codename: null, version: "9", packageType: "rpm", pathVersion: "9", known: true, arch: null },
    ]);
  });

  it("fixes the original's gaps: noble, bookworm, trixie", () => {
    expect(parseDistroQuery("ubuntu/24.04")[0]).toMatchObject({ codename: "noble", version: "24.04" });
    expect(parseDistroQuery("ubuntu/noble")[0]).toMatchObject({ codename: "noble", version: "24.04" });
    expect(parseDistroQuery("debian/12")[0]).toMatchObject({ codename: "bookworm", version: "12" });
    expect(parseDistroQuery("debian/trixie/arm64")[0]).toMatchObject({ codename: "trixie", version: "13", arch: "arm64" });
  });

  it("passes unknown distros and releases through like the original", () => {
    expect(parseDistroQuery("windows/1809")[0]).toMatchObject({ distro: "windows", version: "1809", codename: null, known: false });
    expect(parseDistroQuery("ubuntu/zebra")[0]).toMatchObject({ codename: "zebra", version: null, known: false });
  });

  it("canonicalises distro aliases and trims spaces", () => {
    expect(parseDistroQuery(" redhat/9 , sles/15-SP5 ")).toMatchObject([
      { distro: "rhel", version: "9" },
      { distro: "sle", version: "15" },
    ]);
  });

  it("reads a trailing slash as no arch, as the original did", () => {
    expect(parseDistroQuery("centos/9/")[0]).toMatchObject({ version: "9", arch: null });
  });

  it("gives an empty list for an empty query", () => {
    expect(parseDistroQuery("")).toEqual([]);
    expect(parseDistroQuery("  ")).toEqual([]);
  });

  it("refuses `centos7` (no slash) with QUIPU_MODEL_INVALID_DISTRO_QUERY", () => {
    const error = thrown(() => parseDistroQuery("ubuntu/22.04,centos7"));
    expect(error).toMatchObject({ code: "QUIPU_MODEL_INVALID_DISTRO_QUERY", details: { value: "centos7" } });
    expect((error as Error).message).toBe("Invalid version or codename for distro: centos7");
  });

  it.each(["ubuntu/", "/22.04", "ubuntu/22.04,", ",centos/9", "a/b/c/d", "centos/../x86_64", "centos/9//"])("refuses %j", (query) => {
    expect(thrown(() => parseDistroQuery(query))).toMatchObject({ code: "QUIPU_MODEL_INVALID_DISTRO_QUERY" });
  });

  it("refuses non-strings without crashing", () => {
    for (const value of [undefined, null, 12, ["ubuntu/22.04"], {}]) {
      expect(thrown(() => parseDistroQuery(value as never))).toMatchObject({ code: "QUIPU_MODEL_INVALID_DISTRO_QUERY" });
    }
  });
});
