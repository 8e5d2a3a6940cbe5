import { describe, expect, it } from "vitest";
import {
  equivalentDistroNames,
  equivalentDistroVersions,
  findDistro,
  isSameDistroRelease,
  normalizeDistroRelease,
  packageTypeOf,
  resolveDistroVersion,
} from "./distro-release.js";

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

describe("findDistro", () => {
  it("finds canonical names and aliases, case-insensitively", () => {
    expect(findDistro("ubuntu")?.name).toBe("ubuntu");
    expect(findDistro("RedHat")?.name).toBe("rhel");
    expect(findDistro("almalinux")?.name).toBe("alma");
    expect(findDistro("opensuse-leap")?.name).toBe("opensuse");
    expect(findDistro("sles")?.name).toBe("sle");
    expect(findDistro("centos-stream")?.name).toBe("centos");
    expect(findDistro("windows")).toBeUndefined();
    expect(findDistro(7)).toBeUndefined();
  });
});

describe("resolveDistroVersion", () => {
  it.each([
    ["ubuntu", "24.04", { codename: "noble", version: "24.04", pathVersion: "noble", packageType: "deb" }],
    ["ubuntu", "noble", { codename: "noble", version: "24.04" }],
    ["ubuntu", "22.04", { codename: "jammy", version: "22.04" }],
    ["ubuntu", "jammy", { codename: "jammy", version: "22.04" }],
    ["ubuntu", "22.04.3", { codename: "jammy", version: "22.04" }],
    ["debian", "12", { codename: "bookworm", version: "12", pathVersion: "bookworm" }],
    ["debian", "bookworm", { codename: "bookworm", version: "12" }],
    ["debian", "13", { codename: "trixie", version: "13" }],
    ["debian", "trixie", { codename: "trixie", version: "13" }],
    ["debian", "12.5", { codename: "bookworm", version: "12" }],
    ["debian", "6", { codename: "squeeze", version: "6.0" }],
    ["debian", "6.0.10", { codename: "squeeze", version: "6.0" }],
    ["debian", "sid", { codename: "sid", version: "unstable" }],
    ["centos", "9", { distro: "centos", codename: null, version: "9", pathVersion: "9", packageType: "rpm" }],
    ["centos", "9.4", { version: "9" }],
    ["centos", "stream9", { version: "9" }],
    ["centos", "9-stream", { version: "9" }],
    ["centos-stream", "10", { distro: "centos", version: "10" }],
    ["redhat", "8.10", { distro: "rhel", version: "8" }],
    ["rocky", "9.5", { distro: "rocky", version: "9" }],
    ["fedora", "42", { version: "42" }],
    ["opensuse-leap", "15.6", { distro: "opensuse", version: "15.6" }],
    ["sles", "15-SP5", { distro: "sle", version: "15" }],
    ["sle", "15.5", { version: "15" }],
    ["tumbleweed", "20260101", { distro: "opensuse-tumbleweed", version: "tumbleweed" }],
    ["opensuse-tumbleweed", "tumbleweed", { version: "tumbleweed" }],
    ["Ubuntu", " Jammy ", { distro: "ubuntu", codename: "jammy" }],
  ] as const)("%s/%s", (distro, value, expected) => {
    expect(resolveDistroVersion(distro, value)).toMatchObject(expected);
  });

  it("accepts whole numbers (YAML turns 9 into a number) but not fractions", () => {
    expect(resolveDistroVersion("centos", 9).version).toBe("9");
    expect(resolveDistroVersion("debian", 12).codename).toBe("bookworm");
    expect(thrown(() => resolveDistroVersion("ubuntu", 16.1))).toMatchObject({ code: "QUIPU_MODEL_UNKNOWN_DISTRO_VERSION" });
  });

  it("throws QUIPU_MODEL_UNKNOWN_DISTRO for a distro not in the table", () => {
    expect(thrown(() => resolveDistroVersion("windows", "1809"))).toMatchObject({
      code: "QUIPU_MODEL_UNKNOWN_DISTRO",
      details: { distro: "windows" },
    });
  });

  it.each([
    ["ubuntu", "23.05"],
    ["ubuntu", "22"],
    ["ubuntu", "stream9"],
    ["debian", "3.2"],
    ["debian", "3"],
    ["opensuse", "15"],
    ["opensuse", "15.9"],
    ["centos", "11"],
    ["centos", ""],
    ["fedora", "rawhide"],
    ["opensuse-tumbleweed", "2026"],
  ])("throws QUIPU_MODEL_UNKNOWN_DISTRO_VERSION for %s/%s", (distro, version) => {
    expect(thrown(() => resolveDistroVersion(distro, version))).toMatchObject({
      code: "QUIPU_MODEL_UNKNOWN_DISTRO_VERSION",
      details: { distro, version },
    });
  });

  it("names the canonical distro in the details when an alias was used", () => {
    expect(thrown(() => resolveDistroVersion("redhat", "99"))).toMatchObject({ details: { distro: "rhel", version: "99" } });
  });
});

describe("packageTypeOf", () => {
  it("knows deb and rpm distros and throws for others", () => {
    expect(packageTypeOf("ubuntu")).toBe("deb");
    expect(packageTypeOf("debian")).toBe("deb");
    expect(packageTypeOf("rocky")).toBe("rpm");
    expect(packageTypeOf("sles")).toBe("rpm");
    expect(thrown(() => packageTypeOf("windows"))).toMatchObject({ code: "QUIPU_MODEL_UNKNOWN_DISTRO", details: { distro: "windows" } });
  });
});

describe("normalizeDistroRelease (lenient, shaman's parse_distro_release)", () => {
  it("resolves known releases", () => {
    expect(normalizeDistroRelease("ubuntu", "xenial")).toEqual({
      distro: "ubuntu",
      codename: "xenial",
      version: "16.04",
      packageType: "deb",
      pathVersion: "xenial",
      known: true,
    });
    expect(normalizeDistroRelease("centos", "7")).toMatchObject({ codename: null, version: "7", known: true });
  });

  it("passes unknown releases through: letters as a codename, anything else as a version", () => {
    expect(normalizeDistroRelease("ubuntu", "zebra")).toMatchObject({ distro: "ubuntu", codename: "zebra", version: null, packageType: "deb", known: false });
    expect(normalizeDistroRelease("fedora", "45")).toMatchObject({ codename: null, version: "45", known: false });
    expect(normalizeDistroRelease("windows", "1809")).toEqual({
      distro: "windows",
      codename: null,
      version: "1809",
      packageType: null,
      pathVersion: "1809",
      known: false,
    });
  });
});

describe("equivalent spellings for search", () => {
  it("lists every spelling of a release, path spelling first", () => {
    expect(equivalentDistroVersions("ubuntu", "24.04")).toEqual(["noble", "24.04"]);
    expect(equivalentDistroVersions("debian", "bookworm")).toEqual(["bookworm", "12"]);
    expect(equivalentDistroVersions("debian", "squeeze")).toEqual(["squeeze", "6.0", "6"]);
    expect(equivalentDistroVersions("centos", "9.2")).toEqual(["9"]);
    expect(equivalentDistroVersions("windows", "1809")).toEqual(["1809"]);
    expect(equivalentDistroVersions("ubuntu", "nope")).toEqual(["nope"]);
  });

  it("lists distro aliases", () => {
    expect(equivalentDistroNames("redhat")).toContain("rhel");
    expect(equivalentDistroNames("rhel")[0]).toBe("rhel");
    expect(equivalentDistroNames("windows")).toEqual(["windows"]);
  });

  it("compares releases across spellings", () => {
    expect(isSameDistroRelease("ubuntu", "jammy", "22.04")).toBe(true);
    expect(isSameDistroRelease("centos", "9.4", "9.5")).toBe(true);
    expect(isSameDistroRelease("ubuntu", "jammy", "noble")).toBe(false);
    expect(isSameDistroRelease("ubuntu", "jammy", "zebra")).toBe(false);
    expect(isSameDistroRelease("windows", "1809", "1809")).toBe(true);
    expect(isSameDistroRelease("windows", "1809", "2019")).toBe(false);
  });
});
