import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAptRepository } from "../../src/indexing/deb/apt-repository.js";
import { parseControlParagraphs } from "../../src/indexing/deb/control-fields.js";
import { renderPackagesIndex } from "../../src/indexing/deb/packages-index.js";
import { renderSourcesIndex } from "../../src/indexing/deb/sources-index.js";
import type { AptPackageEntry } from "../../src/indexing/deb/package-entry.js";
import type { AptSourceEntry } from "../../src/indexing/deb/sources-index.js";
import { stagePool, tempDir, writeFiles } from "./repo-harness.js";
import { createTestCodecs } from "./test-codecs.js";

const codecs = createTestCodecs();

/** Splits an index into stanza texts sorted by their first lines (apt-ftparchive walks directories in its own order). */
function stanzas(text: string): string[] {
  return text
    .split(/\n\n+/)
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .sort();
}

function ftparchive(cwd: string, args: string[]): string {
  return execFileSync("apt-ftparchive", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}

describe("differential against apt-ftparchive", { timeout: 30_000 }, () => {
  let root: string;
  let packages: AptPackageEntry[];
  let sources: AptSourceEntry[];

  beforeAll(() => {
    root = tempDir("ftparchive");
    ({ packages, sources } = stagePool(root, codecs));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("Packages: the same stanzas, fields, order and values as `apt-ftparchive packages`", () => {
    const expected = stanzas(ftparchive(root, ["packages", "pool"]));
    expect(expected).toHaveLength(packages.length);
    expect(stanzas(renderPackagesIndex(packages))).toEqual(expected);
  });

  it("Sources: the same stanza as `apt-ftparchive sources` (Checksums-Sha512 included)", () => {
    const expected = stanzas(ftparchive(root, ["sources", "pool"]));
    expect(expected).toHaveLength(1);
    expect(stanzas(renderSourcesIndex(sources))).toEqual(expected);
  });

  it("Release: `apt-ftparchive release` over our dists tree computes the same checksum lists", () => {
    const repo = buildAptRepository({
      packages,
      sources,
      codecs,
      codename: "bookworm",
      date: new Date("2025-01-01T00:00:00Z"),
      releaseHashes: ["md5", "sha1", "sha256", "sha512"],
      compressions: ["none", "gzip", "xz"],
      acquireByHash: false,
      componentReleaseFiles: true,
    });
    writeFiles(root, repo.files.filter((f) => f !== repo.release));
    const theirs = parseControlParagraphs(ftparchive(root, ["release", repo.releaseDirectory]))[0];
    const ours = parseControlParagraphs(new TextDecoder().decode(repo.release.bytes))[0];
    for (const list of ["MD5Sum", "SHA1", "SHA256", "SHA512"]) {
      const lines = (text: string | undefined) => (text ?? "").trim().split("\n").map((l) => l.trim().split(/\s+/).join(" ")).sort();
      expect(lines(ours?.get(list)), list).toEqual(lines(theirs?.get(list)));
    }
    expect(ours?.get("SHA256")).toBe(theirs?.get("SHA256")); // same layout and order, byte for byte
  });
});
