import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexDebDirectory, indexRpmDirectory } from "../../src/adapters/fs-indexer/index.js";
import { buildDebFixture, debFixtures } from "../deb/deb-fixtures.js";
import { rpmFixtures } from "../rpm/rpm-fixtures.js";
import { checkAptRepository, checkRpmRepository, freshDirectories, parseRepomd, releaseSha256, sha256, stageRpms, tempDir } from "./fs-indexer-helpers.js";

const work = tempDir("hint");
const fresh = freshDirectories(work);
const EPOCH = 1_800_000_000;

beforeAll(() => {
  rpmFixtures();
  debFixtures();
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The repodata files the current repomd.xml references, with their bytes' digests. */
function published(dir: string): Record<string, string> {
  const repomd = readFileSync(join(dir, "repodata", "repomd.xml"));
  const out: Record<string, string> = { "repodata/repomd.xml": sha256(repomd) };
  for (const record of parseRepomd(repomd.toString("utf8")).data) out[record.href] = sha256(readFileSync(join(dir, record.href)));
  return out;
}

/** What a full scan from scratch publishes for the same files (the hint must never change the output). */
async function fromScratch(dir: string): Promise<Record<string, string>> {
  const hinted = published(dir);
  await indexRpmDirectory(dir, { sourceDateEpoch: EPOCH, cache: false });
  const scratch = published(dir);
  expect(scratch).toEqual(hinted);
  return scratch;
}

const fixture = (name: string) => rpmFixtures().get(name).path;

describe("changedPaths", () => {
  it("stats only the hinted paths, takes the rest from the cache, and publishes what a full scan would", async () => {
    const dir = fresh("rpm");
    stageRpms(dir);
    const index = (changedPaths: string[]) => indexRpmDirectory(dir, { sourceDateEpoch: EPOCH, changedPaths });
    expect(await index(["anything.rpm"])).toMatchObject({ packages: 4, indexed: 4, reused: 0 }); // no cache yet: a scan

    copyFileSync(fixture("quipu-nodeps-1.1-2"), join(dir, "noarch", "quipu-nodeps-1.1-2.noarch.rpm"));
    expect(await index(["noarch/quipu-nodeps-1.1-2.noarch.rpm"])).toMatchObject({ packages: 5, indexed: 1, reused: 4 });
    await fromScratch(dir);

    // Changed in place, spelled loosely.
    writeFileSync(join(dir, "quipu-tools-1.2.3-4.q1.noarch.rpm"), readFileSync(fixture("quipu-nodeps-1.0")));
    expect(await index(["./quipu-tools-1.2.3-4.q1.noarch.rpm"])).toMatchObject({ packages: 5, indexed: 1, reused: 4 });
    expect(checkRpmRepository(dir)["primary"]).not.toContain("<name>quipu-tools</name>");

    // A removed directory, a new directory with two packages, one hint each.
    rmSync(join(dir, "SRPMS"), { recursive: true });
    mkdirSync(join(dir, "new", "deeper"), { recursive: true });
    copyFileSync(fixture("quipu-nodeps-1.1"), join(dir, "new", "a.rpm"));
    copyFileSync(fixture("quipu-tools-1.2.3-4.q1.noarch"), join(dir, "new", "deeper", "b.rpm"));
    expect(await index(["SRPMS", "new"])).toMatchObject({ packages: 6, indexed: 2, reused: 4 });
    await fromScratch(dir);

    // Hidden paths, the output directory and missing paths change nothing.
    const before = published(dir);
    expect(await index([".quipu/x.rpm", "repodata/y.rpm", "not/there.rpm"])).toMatchObject({ packages: 6, indexed: 0, reused: 6, written: 0 });
    expect(published(dir)).toEqual(before);

    // The hint is trusted: an unlisted change is noticed by the next run without a hint.
    rmSync(join(dir, "new", "a.rpm"));
    expect(await index([])).toMatchObject({ packages: 6, indexed: 0 });
    expect(await indexRpmDirectory(dir, { sourceDateEpoch: EPOCH })).toMatchObject({ packages: 5, indexed: 0, reused: 5 });
    await fromScratch(dir);
  });

  it("re-renders cached packages whose file time depends on a new sourceDateEpoch", async () => {
    const dir = fresh("epoch");
    stageRpms(dir, undefined, 1_700_000_000);
    await indexRpmDirectory(dir, { sourceDateEpoch: EPOCH });
    expect(await indexRpmDirectory(dir, { sourceDateEpoch: 1_600_000_000, changedPaths: [] })).toMatchObject({ packages: 4, indexed: 4 });
    expect(checkRpmRepository(dir)["primary"]).toContain('<time file="1600000000"');
  });

  it("refuses paths that are not under the directory", async () => {
    const dir = fresh("bad");
    for (const path of ["/etc/passwd", "../outside.rpm", "a/../../b.rpm", "", "."]) {
      await expect(indexRpmDirectory(dir, { changedPaths: [path] }), path).rejects.toMatchObject({
        code: "QUIPU_VALIDATION_FAILED",
        details: { issues: [expect.stringMatching(/^changedPaths\.0: /)] },
      });
    }
  });

  it("works for apt repositories, with packageDirectories too", async () => {
    const dir = fresh("deb");
    const deb = (name: string, arch = "amd64") =>
      buildDebFixture({ compression: "gzip", control: `Package: ${name}\nVersion: 1.0\nArchitecture: ${arch}\nMaintainer: Q <q@example.invalid>\nDescription: ${name}\n` });
    const put = (path: string, name: string) => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      copyFileSync(deb(name).path, join(dir, path));
    };
    put("pool/jammy/a_1.0_amd64.deb", "quipu-a");
    put("pool/noble/b_1.0_amd64.deb", "quipu-b");
    const jammy = { codename: "jammy", packageDirectories: ["pool/jammy"], sourceDateEpoch: EPOCH };
    expect(await indexDebDirectory(dir, jammy)).toMatchObject({ packages: 1, indexed: 1 });

    put("pool/jammy/c_1.0_amd64.deb", "quipu-c");
    put("pool/noble/d_1.0_amd64.deb", "quipu-d");
    // Both paths hinted; the noble one is outside this codename's package directories.
    expect(await indexDebDirectory(dir, { ...jammy, changedPaths: ["pool/jammy/c_1.0_amd64.deb", "pool/noble/d_1.0_amd64.deb"] })).toMatchObject({
      packages: 2,
      indexed: 1,
      reused: 1,
    });
    const packages = checkAptRepository(dir, "dists/jammy")["main/binary-amd64/Packages"]!;
    expect(packages).toContain("Filename: pool/jammy/c_1.0_amd64.deb\n");
    expect(packages).not.toContain("pool/noble");
    // The current generation (older by-hash files are kept one run, so not the whole tree).
    const current = () => {
      const release = readFileSync(join(dir, "dists", "jammy", "Release"));
      return [sha256(release), ...[...releaseSha256(release.toString("utf8")).keys()].filter((p) => existsSync(join(dir, "dists", "jammy", p))).map((p) => sha256(readFileSync(join(dir, "dists", "jammy", p))))];
    };
    const hinted = current();
    await indexDebDirectory(dir, { ...jammy, cache: false });
    expect(current()).toEqual(hinted);
  });
});
