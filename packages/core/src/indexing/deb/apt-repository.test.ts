import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createCodecs } from "../codecs.js";
import { buildAptRepository, type AptRepositoryOptions } from "./apt-repository.js";
import { ControlParagraph, parseControlParagraph, parseControlParagraphs } from "./control-fields.js";
import { computeFileHashes } from "./file-hashes.js";
import type { AptPackageEntry } from "./package-entry.js";

const codecs = createCodecs();
const date = new Date("2025-03-01T12:00:00Z");
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function pkg(name: string, version: string, architecture: string, extra: Record<string, string> = {}): AptPackageEntry {
  const filename = `pool/main/${name[0]}/${name}/${name}_${version.replace(/^\d+:/, "")}_${architecture}.deb`;
  return {
    control: ControlParagraph.from({ Package: name, Version: version, Architecture: architecture, Description: `${name}\n long`, ...extra }),
    filename,
    size: 100 + name.length,
    hashes: computeFileHashes(new TextEncoder().encode(filename)),
  };
}

const base: AptRepositoryOptions = {
  packages: [pkg("zeta", "1.0-1", "amd64"), pkg("alpha", "1:2.0-1", "arm64"), pkg("common", "0.1", "all"), pkg("alpha", "1:10.0-1", "arm64"), pkg("alpha", "1:2.0-1", "amd64")],
  codecs,
  codename: "bookworm",
  date,
  origin: "quipu",
  label: "quipu",
};

function file(repo: ReturnType<typeof buildAptRepository>, path: string): Uint8Array {
  const found = repo.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in ${repo.files.map((f) => f.path).join(", ")}`);
  return found.bytes;
}

function stanzas(bytes: Uint8Array): string[] {
  return parseControlParagraphs(text(bytes)).map((p) => `${p.get("Package")} ${p.get("Version")} ${p.get("Architecture")}`);
}

describe("buildAptRepository (dists layout)", () => {
  const repo = buildAptRepository(base);

  it("derives architectures and components, puts arch:all in every arch index, sorts by name then dpkg version", () => {
    expect(repo.architectures).toEqual(["amd64", "arm64"]);
    expect(repo.components).toEqual(["main"]);
    expect(stanzas(file(repo, "dists/bookworm/main/binary-amd64/Packages"))).toEqual(["alpha 1:2.0-1 amd64", "common 0.1 all", "zeta 1.0-1 amd64"]);
    expect(stanzas(file(repo, "dists/bookworm/main/binary-arm64/Packages"))).toEqual(["alpha 1:2.0-1 arm64", "alpha 1:10.0-1 arm64", "common 0.1 all"]);
    expect(text(gunzipSync(file(repo, "dists/bookworm/main/binary-amd64/Packages.gz")))).toBe(text(file(repo, "dists/bookworm/main/binary-amd64/Packages")));
    expect(repo.indexes).toEqual([
      { path: "main/binary-amd64/Packages", component: "main", architecture: "amd64", entries: 3 },
      { path: "main/binary-arm64/Packages", component: "main", architecture: "arm64", entries: 3 },
    ]);
  });

  it("lists every index (uncompressed name included) in Release with by-hash copies, Release last", () => {
    expect(repo.release.path).toBe("dists/bookworm/Release");
    expect(repo.releaseDirectory).toBe("dists/bookworm");
    expect(repo.files.at(-1)).toBe(repo.release);
    const release = parseControlParagraph(text(repo.release.bytes));
    expect(release.pairs().map(([name]) => name)).toEqual(["Origin", "Label", "Suite", "Codename", "Date", "Acquire-By-Hash", "Architectures", "Components", "MD5Sum", "SHA256"]);
    expect(release.get("Date")).toBe("Sat, 01 Mar 2025 12:00:00 UTC");
    const listed = (release.get("SHA256") ?? "").trim().split("\n").map((line) => line.trim().split(/\s+/));
    expect(listed.map((l) => l[2])).toEqual(["main/binary-amd64/Packages", "main/binary-amd64/Packages.gz", "main/binary-arm64/Packages", "main/binary-arm64/Packages.gz"]);
    for (const [sha256, size, path] of listed) {
      const bytes = file(repo, `dists/bookworm/${path}`);
      expect(computeFileHashes(bytes).sha256).toBe(sha256);
      expect(String(bytes.length)).toBe(size);
      const dir = path?.slice(0, path.lastIndexOf("/"));
      expect(file(repo, `dists/bookworm/${dir}/by-hash/SHA256/${sha256}`)).toBe(bytes);
      const md5 = computeFileHashes(bytes).md5;
      expect(file(repo, `dists/bookworm/${dir}/by-hash/MD5Sum/${md5}`)).toBe(bytes);
    }
    const kinds = repo.files.map((f) => f.kind);
    expect(kinds.indexOf("index")).toBeGreaterThan(kinds.lastIndexOf("by-hash"));
  });

  it("is deterministic and independent of input order", () => {
    const again = buildAptRepository({ ...base, packages: [...base.packages].reverse() });
    expect(again.files.map((f) => [f.path, text(f.bytes)])).toEqual(repo.files.map((f) => [f.path, text(f.bytes)]));
  });

  it("lists the uncompressed name even when only compressed files are written", () => {
    const gzOnly = buildAptRepository({ ...base, compressions: ["gzip"], acquireByHash: false });
    expect(gzOnly.files.map((f) => f.path)).toEqual(["dists/bookworm/main/binary-amd64/Packages.gz", "dists/bookworm/main/binary-arm64/Packages.gz", "dists/bookworm/Release"]);
    expect(text(gzOnly.release.bytes)).toMatch(/ main\/binary-amd64\/Packages\n/);
    expect(text(gzOnly.release.bytes)).not.toMatch(/Acquire-By-Hash/);
  });

  it("writes binary-all and No-Support-for-Architecture-all when `all` is listed, and per-index Release files on request", () => {
    const withAll = buildAptRepository({ ...base, architectures: ["all", "amd64", "arm64"], componentReleaseFiles: true, compressions: ["none"] });
    expect(stanzas(file(withAll, "dists/bookworm/main/binary-all/Packages"))).toEqual(["common 0.1 all"]);
    expect(text(withAll.release.bytes)).toMatch(/No-Support-for-Architecture-all: Packages\nArchitectures: all amd64 arm64\n/);
    expect(text(file(withAll, "dists/bookworm/main/binary-amd64/Release"))).toBe("Archive: bookworm\nOrigin: quipu\nLabel: quipu\nAcquire-By-Hash: yes\nComponent: main\nArchitecture: amd64\n");
    expect(text(withAll.release.bytes)).toMatch(/ main\/binary-amd64\/Release\n/);
  });

  it("handles a repository of arch:all packages only, several components, and explicit empty indexes", () => {
    const allOnly = buildAptRepository({ ...base, packages: [pkg("common", "0.1", "all")] });
    expect(allOnly.architectures).toEqual(["all"]);
    const multi = buildAptRepository({ ...base, packages: [{ ...pkg("a", "1", "amd64"), component: "contrib" }, pkg("b", "1", "amd64")], components: ["main", "contrib"] });
    expect(stanzas(file(multi, "dists/bookworm/contrib/binary-amd64/Packages"))).toEqual(["a 1 amd64"]);
    expect(stanzas(file(multi, "dists/bookworm/main/binary-amd64/Packages"))).toEqual(["b 1 amd64"]);
    expect(text(multi.release.bytes)).toMatch(/Components: main contrib\n/);
    const empty = buildAptRepository({ ...base, packages: [], architectures: ["amd64"] });
    expect(text(file(empty, "dists/bookworm/main/binary-amd64/Packages"))).toBe("");
  });

  it("refuses inconsistent input with typed errors", () => {
    const invalid = expect.objectContaining({ code: "QUIPU_DEB_REPO_INVALID" });
    expect(() => buildAptRepository({ ...base, codename: undefined })).toThrow(invalid);
    expect(() => buildAptRepository({ ...base, codename: "../etc" })).toThrow(/invalid codename/);
    expect(() => buildAptRepository({ ...base, components: ["main contrib"] })).toThrow(/invalid component/);
    expect(() => buildAptRepository({ ...base, architectures: ["amd64"] })).toThrow(/architecture 'arm64' is not one of/);
    expect(() => buildAptRepository({ ...base, packages: [], architectures: undefined })).toThrow(/nothing to index/);
    expect(() => buildAptRepository({ ...base, packages: [{ ...pkg("a", "1", "amd64"), component: "contrib" }] , components: ["main"] })).toThrow(/component 'contrib'/);
    expect(() => buildAptRepository({ ...base, releaseHashes: ["md5"] })).toThrow(/weak hashes only/);
    expect(() => buildAptRepository({ ...base, compressions: ["lz4" as never] })).toThrow(/unknown compression/);
    expect(() => buildAptRepository({ ...base, compressions: ["xz"] })).toThrow(expect.objectContaining({ code: "QUIPU_CODEC_UNSUPPORTED" }));
  });

  it("reports duplicates with different bytes, keeps exact repeats, and keep-first on request", () => {
    const twin = { ...pkg("zeta", "1.0-1", "amd64"), filename: "elsewhere/zeta.deb" };
    expect(() => buildAptRepository({ ...base, packages: [...base.packages, twin] })).toThrow(
      expect.objectContaining({ code: "QUIPU_DEB_DUPLICATE_PACKAGE", details: { package: "zeta", version: "1.0-1", architecture: "amd64", files: ["pool/main/z/zeta/zeta_1.0-1_amd64.deb", "elsewhere/zeta.deb"] } }),
    );
    const repeated = buildAptRepository({ ...base, packages: [...base.packages, pkg("zeta", "1.0-1", "amd64")] });
    expect(text(file(repeated, "dists/bookworm/main/binary-amd64/Packages"))).toBe(text(file(buildAptRepository(base), "dists/bookworm/main/binary-amd64/Packages")));
    const kept = buildAptRepository({ ...base, packages: [twin, ...base.packages], duplicates: "keep-first" });
    expect(text(file(kept, "dists/bookworm/main/binary-amd64/Packages"))).toMatch(/Filename: elsewhere\/zeta.deb/);
  });
});

describe("buildAptRepository (flat layout)", () => {
  it("writes Packages and Release at the top with every package in one index", () => {
    const repo = buildAptRepository({ ...base, layout: "flat", codename: undefined, acquireByHash: false });
    expect(repo.releaseDirectory).toBe("");
    expect(repo.files.map((f) => f.path)).toEqual(["Packages", "Packages.gz", "Release"]);
    expect(stanzas(file(repo, "Packages"))).toHaveLength(5);
    const release = text(repo.release.bytes);
    expect(release).not.toMatch(/Components|Architectures|Codename/);
    expect(release).toMatch(/ Packages\n/);
    expect(() => buildAptRepository({ ...base, layout: "flat", components: ["main"] })).toThrow(/no components/);
  });
});
