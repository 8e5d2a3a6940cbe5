import { describe, expect, it } from "vitest";
import { resolveDistroVersion } from "./distro-release.js";
import { distroTable } from "./distro-table.js";
import { isSafeSegment } from "./names.js";

const releases = distroTable.flatMap((definition) => definition.releases.map((release) => ({ definition, release })));

describe("distro table sanity", () => {
  it("gives every distro a package type, a family and at least one release", () => {
    for (const definition of distroTable) {
      expect(["deb", "rpm"]).toContain(definition.packageType);
      expect(["debian", "redhat", "suse"]).toContain(definition.family);
      expect(definition.releases.length).toBeGreaterThan(0);
    }
  });

  it("uses each distro name or alias once across the whole table", () => {
    const names = distroTable.flatMap((definition) => [definition.name, ...definition.aliases]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("uses each version, codename and alias once within a distro", () => {
    for (const definition of distroTable) {
      const spellings = definition.releases.flatMap((release) => [
        release.version,
        ...(release.codename === null ? [] : [release.codename]),
        ...(release.aliases ?? []),
      ]);
      expect(new Set(spellings).size, definition.name).toBe(spellings.length);
    }
  });

  it("spells every name, version and codename as a lowercase safe segment", () => {
    const spellings = distroTable.flatMap((definition) => [
      definition.name,
      ...definition.aliases,
      ...definition.releases.flatMap((release) => [release.version, release.codename ?? "x", ...(release.aliases ?? [])]),
    ]);
    for (const spelling of spellings) {
      expect(isSafeSegment(spelling), spelling).toBe(true);
      expect(spelling, spelling).toBe(spelling.toLowerCase());
    }
  });

  it("gives deb distros codenames (they are the apt suites) and rpm distros none", () => {
    for (const { definition, release } of releases) {
      if (definition.packageType === "deb") expect(release.codename, `${definition.name} ${release.version}`).not.toBeNull();
      else expect(release.codename).toBeNull();
    }
  });

  it("covers the releases the originals lagged on", () => {
    expect(resolveDistroVersion("ubuntu", "noble").version).toBe("24.04");
    expect(resolveDistroVersion("debian", "bookworm").version).toBe("12");
    expect(resolveDistroVersion("debian", "trixie").version).toBe("13");
    for (const [distro, version] of [["ubuntu", "26.04"], ["debian", "14"], ["centos", "10"], ["fedora", "44"], ["sle", "16"], ["opensuse", "15.6"]]) {
      expect(() => resolveDistroVersion(distro as string, version as string)).not.toThrow();
    }
  });
});

describe("distro table round trips", () => {
  it.each(releases.map(({ definition, release }) => [definition.name, release.version, release.codename] as const))(
    "%s %s ↔ %s",
    (distro, version, codename) => {
      const byVersion = resolveDistroVersion(distro, version);
      expect(byVersion).toMatchObject({ distro, version, codename });
      if (codename !== null) {
        expect(resolveDistroVersion(distro, codename)).toEqual(byVersion);
        expect(resolveDistroVersion(distro, codename.toUpperCase())).toEqual(byVersion);
      }
      for (const alias of distroTable.find((definition) => definition.name === distro)?.aliases ?? []) {
        expect(resolveDistroVersion(alias, version)).toEqual(byVersion);
      }
    },
  );
});
