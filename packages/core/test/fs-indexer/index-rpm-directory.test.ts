import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexRpmDirectory, type PublishStep } from "../../src/adapters/fs-indexer/index.js";
import { createRepositorySigner, generateSigningKey } from "../../src/adapters/signing/index.js";
import { buildRpmRepository, createRpmRepositoryEntry } from "../../src/indexing/rpm/index.js";
import { rpmFixtures } from "../rpm/rpm-fixtures.js";
import { basicPackageTags, encodeRpm, int32, str, strs } from "../rpm/synthetic-rpm.js";
import { checkRpmRepository, leftoverTemporaries, parseRepomd, RPM_LAYOUT, freshDirectories, sha256, snapshot, stageRpms, tempDir } from "./fs-indexer-helpers.js";

const work = tempDir("rpm");
const fresh = freshDirectories(work);

beforeAll(() => {
  rpmFixtures();
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A small synthetic rpm (no rpmbuild): distinct name, one file. */
function syntheticRpm(name: string): Uint8Array {
  return encodeRpm({
    header: basicPackageTags([
      [1000, str(name)],
      [1047, strs(name)],
      [1118, strs("/usr/bin/")],
      [1117, strs(name)],
      [1116, int32(0)],
    ]),
  });
}

/** The repodata files the current repomd.xml references, with their bytes' digests. */
function published(dir: string): Record<string, string> {
  const repomd = readFileSync(join(dir, "repodata", "repomd.xml"));
  const out: Record<string, string> = { "repodata/repomd.xml": sha256(repomd) };
  for (const record of parseRepomd(repomd.toString("utf8")).data) out[record.href] = sha256(readFileSync(join(dir, record.href)));
  return out;
}

describe("indexRpmDirectory", () => {
  it("writes the same metadata as the pure builder for the same packages", async () => {
    const dir = fresh("pure");
    const paths = stageRpms(dir);
    const phases = new Set<string>();
    const result = await indexRpmDirectory(dir, { onProgress: (p) => void phases.add(p.phase) });
    expect([...phases]).toEqual(["scan", "read", "compose", "publish"]);
    expect(result).toMatchObject({ kind: "rpm", packages: 4, indexed: 4, reused: 0, problems: [], repomd: "repodata/repomd.xml" });
    expect(result.files.at(-1)).toBe("repodata/repomd.xml");

    const entries = paths.map((href) => createRpmRepositoryEntry(readFileSync(join(dir, href)), { href, fileMtime: 1_700_000_000 }));
    const pure = buildRpmRepository(entries);
    const pureRepomd = new TextDecoder().decode(pure.at(-1)!.bytes);
    const ours = readFileSync(join(dir, "repodata", "repomd.xml"), "utf8");
    const documents = checkRpmRepository(dir);
    for (const record of parseRepomd(pureRepomd).data) {
      const file = pure.find((f) => f.path === record.href)!;
      expect(documents[record.type], record.type).toBe(gunzipSync(file.bytes).toString("utf8"));
      const mine = parseRepomd(ours).data.find((d) => d.type === record.type)!;
      expect([mine.openChecksum, mine.openSize]).toEqual([record.openChecksum, record.openSize]);
    }
    // Identical but for the compressed files' own checksums, names and sizes.
    const normalise = (xml: string) =>
      xml
        .replace(/<checksum type="sha256">[0-9a-f]+</g, "<checksum>")
        .replace(/href="repodata\/[0-9a-f]+-/g, 'href="repodata/')
        .replace(/<size>\d+</g, "<size><");
    expect(normalise(ours)).toBe(normalise(pureRepomd));
  });

  it("re-reads only what changed: added, modified, removed packages; the output equals a run from scratch", async () => {
    const dir = fresh("incremental");
    stageRpms(dir);
    await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });

    // added
    copyFileSync(rpmFixtures().get("quipu-nodeps-1.1-2").path, join(dir, "noarch", "quipu-nodeps-1.1-2.noarch.rpm"));
    let result = await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
    expect(result).toMatchObject({ packages: 5, indexed: 1, reused: 4 });
    const incremental = published(dir);
    await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000, cache: false });
    expect(published(dir)).toEqual(incremental);

    // modified in place: same path, new content and mtime
    writeFileSync(join(dir, "quipu-tools-1.2.3-4.q1.noarch.rpm"), readFileSync(rpmFixtures().get("quipu-nodeps-1.0").path));
    result = await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
    expect(result).toMatchObject({ packages: 5, indexed: 1, reused: 4 });
    expect(checkRpmRepository(dir)["primary"]).not.toContain("<name>quipu-tools</name>");

    // removed
    rmSync(join(dir, "SRPMS", "quipu-daemon-0.9-1.src.rpm"));
    result = await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
    expect(result).toMatchObject({ packages: 4, indexed: 0, reused: 4 });
    expect(checkRpmRepository(dir)["primary"]).not.toContain("src.rpm\"/>");
    const afterRemove = published(dir);
    await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000, cache: false });
    expect(published(dir)).toEqual(afterRemove);

    // nothing changed: nothing read, nothing written
    result = await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
    expect(result).toMatchObject({ indexed: 0, reused: 4, written: 0 });
  });

  it("recompresses only the changed blocks of large documents, and still equals a run from scratch", async () => {
    const dir = fresh("blocks");
    for (let i = 0; i < 400; i++) writeFileSync(join(dir, `pkg-${String(i).padStart(3, "0")}.rpm`), syntheticRpm(`pkg-${String(i).padStart(3, "0")}`));
    await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
    writeFileSync(join(dir, "pkg-200a.rpm"), syntheticRpm("pkg-200a"));
    const result = await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
    expect(result).toMatchObject({ packages: 401, indexed: 1, reused: 400 });
    const documents = checkRpmRepository(dir);
    expect(documents["primary"]).toContain("<name>pkg-200a</name>");
    expect(documents["primary"]!.length).toBeGreaterThan(200_000); // several blocks
    const incremental = published(dir);
    await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000, cache: false });
    expect(published(dir)).toEqual(incremental);
  });

  it("compacts its cache after many incremental runs, without changing the output", async () => {
    const dir = fresh("compaction");
    const name = (i: number) => `pkg-${String(i).padStart(3, "0")}`;
    for (let i = 0; i < 100; i++) writeFileSync(join(dir, `${name(i)}.rpm`), syntheticRpm(name(i)));
    await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
    const blobId = () => readFileSync(join(dir, ".quipu", "rpm-index-cache.blob")).subarray(8, 16).toString("hex");
    const first = blobId();
    const ids = new Set([first]);
    for (let round = 0; round < 14; round++) {
      writeFileSync(join(dir, `${name(round * 7)}.rpm`), syntheticRpm(`${name(round * 7)}-v2`));
      writeFileSync(join(dir, `extra-${round}.rpm`), syntheticRpm(`extra-${round}`));
      const result = await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
      expect(result).toMatchObject({ indexed: 2, reused: 99 + round });
      ids.add(blobId());
    }
    expect(ids.size).toBeGreaterThan(1); // rewritten at least once
    const incremental = published(dir);
    expect(checkRpmRepository(dir)["primary"]).toContain("<name>pkg-091-v2</name>");
    await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000, cache: false });
    expect(published(dir)).toEqual(incremental);
  });

  it("is deterministic with sourceDateEpoch: other copies, other mtimes, same bytes", async () => {
    const a = fresh("det-a");
    const b = fresh("det-b");
    stageRpms(a, RPM_LAYOUT, 1_700_000_000);
    stageRpms(b, RPM_LAYOUT, 1_750_000_000);
    await indexRpmDirectory(a, { sourceDateEpoch: 1_600_000_000 });
    await indexRpmDirectory(b, { sourceDateEpoch: 1_600_000_000 });
    expect(snapshot(b, "repodata")).toEqual(snapshot(a, "repodata"));
    const repomd = readFileSync(join(a, "repodata", "repomd.xml"), "utf8");
    expect(parseRepomd(repomd).revision).toBe("1600000000");
    expect(checkRpmRepository(a)["primary"]).toContain('<time file="1600000000"');
  });

  it("reports unreadable packages as problems and indexes the others; strict writes nothing", async () => {
    const dir = fresh("bad");
    stageRpms(dir);
    writeFileSync(join(dir, "notes.rpm"), "this is not an rpm\n".repeat(10));
    const truncated = readFileSync(rpmFixtures().get("quipu-nodeps-1.1").path);
    writeFileSync(join(dir, "noarch", "truncated.rpm"), truncated.subarray(0, Math.floor(truncated.length / 2)));
    writeFileSync(join(dir, "empty.rpm"), "");

    const strict = await indexRpmDirectory(dir, { strict: true }).catch((error: unknown) => error);
    expect(strict).toMatchObject({ code: "QUIPU_INDEX_STRICT_FAILED" });
    expect((strict as { details: { problems: { file: string }[] } }).details.problems.map((p) => p.file)).toEqual(["empty.rpm", "noarch/truncated.rpm", "notes.rpm"]);
    expect(existsSync(join(dir, "repodata"))).toBe(false);
    expect(existsSync(join(dir, ".quipu", "rpm-index-cache.idx"))).toBe(false);

    const result = await indexRpmDirectory(dir);
    expect(result.packages).toBe(4);
    expect(result.problems.map((p) => [p.file, p.code])).toEqual([
      ["empty.rpm", "QUIPU_RPM_INVALID"],
      ["noarch/truncated.rpm", "QUIPU_RPM_INVALID"],
      ["notes.rpm", "QUIPU_RPM_INVALID"],
    ]);
    expect(result.problems[1]!.message).toMatch(/truncated/);
    expect(result.problems[2]!.message).toMatch(/^notes\.rpm: not a readable rpm package: bad lead magic/);
    checkRpmRepository(dir);
    // Problems are cached too (not re-read), and still reported.
    const again = await indexRpmDirectory(dir);
    expect(again).toMatchObject({ indexed: 0, reused: 7 });
    expect(again.problems).toEqual(result.problems);
  });

  it("ignores and rebuilds a corrupt, truncated or foreign cache", async () => {
    const dir = fresh("cache");
    stageRpms(dir);
    await indexRpmDirectory(dir);
    const idx = join(dir, ".quipu", "rpm-index-cache.idx");
    const blob = join(dir, ".quipu", "rpm-index-cache.blob");
    const before = published(dir);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (o: object) => warnings.push(JSON.stringify(o)), error() {} };

    writeFileSync(idx, "garbage that is not a v8 serialisation");
    expect(await indexRpmDirectory(dir, { logger })).toMatchObject({ indexed: 4, reused: 0, problems: [] });
    expect(published(dir)).toEqual(before);
    expect(warnings.some((w) => w.includes("index.cache.ignored"))).toBe(true);

    truncateSync(blob, 100);
    expect(await indexRpmDirectory(dir)).toMatchObject({ indexed: 4, reused: 0 });
    appendFileSync(blob, "junk after the valid part"); // e.g. a crashed append: harmless
    expect(await indexRpmDirectory(dir)).toMatchObject({ indexed: 0, reused: 4 });
    rmSync(blob);
    expect(await indexRpmDirectory(dir)).toMatchObject({ indexed: 4, reused: 0 });

    // Another cache format or quipu version: ignored. (The header is JSON; same-length edits keep the layout.)
    for (const change of [(h: string) => h.replace(/"format":\d/, '"format":9'), (h: string) => h.replace(/"fingerprint":"[0-9a-f]{8}/, '"fingerprint":"ffffffff')]) {
      const bytes = readFileSync(idx);
      const headerEnd = 16 + bytes.readUInt32LE(8);
      const header = bytes.toString("latin1", 16, headerEnd);
      expect(change(header)).not.toBe(header);
      bytes.write(change(header), 16, "latin1");
      writeFileSync(idx, bytes);
      expect(await indexRpmDirectory(dir)).toMatchObject({ indexed: 4, reused: 0 });
      expect(await indexRpmDirectory(dir)).toMatchObject({ indexed: 0, reused: 4 });
    }
    // A truncated index: ignored.
    truncateSync(idx, readFileSync(idx).length - 3);
    expect(await indexRpmDirectory(dir)).toMatchObject({ indexed: 4, reused: 0 });

    // Other options that shape rendering: not reused.
    expect(await indexRpmDirectory(dir, { changelogLimit: 1 })).toMatchObject({ indexed: 4, reused: 0 });
    expect(checkRpmRepository(dir)["other"]!.match(/<changelog /g)!.length).toBe(4);
    expect(published(dir)).not.toEqual(before);
  });

  it("publishes atomically: a failure at any step leaves the previous repository intact", async () => {
    const dir = fresh("atomic");
    stageRpms(dir);
    await indexRpmDirectory(dir);
    const before = published(dir);
    copyFileSync(rpmFixtures().get("quipu-nodeps-1.1-2").path, join(dir, "noarch", "quipu-nodeps-1.1-2.noarch.rpm"));
    for (const failAt of ["write-content", "write-entry-points", "rename-entry-points"] as PublishStep[]) {
      const onPublishStep = (step: PublishStep) => {
        if (step === failAt) throw new Error(`crash at ${step}`);
      };
      await expect(indexRpmDirectory(dir, { onPublishStep })).rejects.toThrow(`crash at ${failAt}`);
      expect(published(dir), failAt).toEqual(before);
      expect(checkRpmRepository(dir)["primary"]).not.toContain("1.1");
      expect(leftoverTemporaries(dir)).toEqual([]);
    }
    const result = await indexRpmDirectory(dir);
    expect(result.packages).toBe(5);
    expect(checkRpmRepository(dir)["primary"]).toContain('ver="1.1"');
  });

  it("keeps the previous generation's files for one generation", async () => {
    const dir = fresh("generations");
    stageRpms(dir);
    await indexRpmDirectory(dir);
    const first = Object.keys(published(dir)).filter((p) => p !== "repodata/repomd.xml");
    copyFileSync(rpmFixtures().get("quipu-nodeps-1.1-2").path, join(dir, "quipu-nodeps-1.1-2.noarch.rpm"));
    const second = await indexRpmDirectory(dir);
    expect(second.removed).toEqual([]);
    for (const path of first) expect(existsSync(join(dir, path)), path).toBe(true);
    rmSync(join(dir, "quipu-nodeps-1.1-2.noarch.rpm"));
    const third = await indexRpmDirectory(dir);
    expect([...third.removed].sort()).toEqual([...first].sort().filter((p) => !third.files.includes(p)));
    expect(readdirSync(join(dir, "repodata")).filter((f) => f.includes(".quipu-tmp-"))).toEqual([]);
  });

  it("keeps additional metadata (comps) of the previous repomd.xml", async () => {
    const dir = fresh("comps");
    stageRpms(dir);
    await indexRpmDirectory(dir);
    const comps = '<?xml version="1.0" encoding="UTF-8"?>\n<comps><group><id>quipu</id></group></comps>\n';
    const name = `${sha256(Buffer.from(comps))}-comps.xml`;
    writeFileSync(join(dir, "repodata", name), comps);
    const repomdPath = join(dir, "repodata", "repomd.xml");
    const record = `  <data type="group">\n    <checksum type="sha256">${sha256(Buffer.from(comps))}</checksum>\n    <location href="repodata/${name}"/>\n    <timestamp>1700000000</timestamp>\n    <size>${comps.length}</size>\n  </data>\n`;
    writeFileSync(repomdPath, readFileSync(repomdPath, "utf8").replace("</repomd>", `${record}</repomd>`));
    copyFileSync(rpmFixtures().get("quipu-nodeps-1.1-2").path, join(dir, "quipu-nodeps-1.1-2.noarch.rpm"));
    await indexRpmDirectory(dir);
    await indexRpmDirectory(dir, { sourceDateEpoch: 1_800_000_000 });
    const repomd = parseRepomd(readFileSync(repomdPath, "utf8"));
    expect(repomd.data.map((d) => d.type)).toEqual(["primary", "filelists", "other", "group"]);
    expect(existsSync(join(dir, "repodata", name))).toBe(true);
    checkRpmRepository(dir);
  });

  it("signs repomd.xml, and removes a stale signature when run unsigned", async () => {
    const dir = fresh("signed");
    stageRpms(dir);
    const key = await generateSigningKey({ name: "quipu test", email: "test@example.invalid" });
    const signer = await createRepositorySigner({ armoredPrivateKey: key.privateKeyArmored });
    const result = await indexRpmDirectory(dir, { signer });
    expect(result.files.slice(-2)).toEqual(["repodata/repomd.xml.asc", "repodata/repomd.xml"]);
    expect(readFileSync(join(dir, "repodata", "repomd.xml.asc"), "utf8")).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    await indexRpmDirectory(dir);
    expect(existsSync(join(dir, "repodata", "repomd.xml.asc"))).toBe(false);
  });

  it("supports zstd documents, other checksum types and an uncompressed layout", async () => {
    const dir = fresh("formats");
    stageRpms(dir);
    const zstd = await indexRpmDirectory(dir, { compression: "zstd", checksumType: "sha512" });
    expect(zstd.files.filter((f) => f.endsWith(".xml.zst"))).toHaveLength(3);
    expect(readFileSync(join(dir, "repodata", "repomd.xml"), "utf8")).toContain('<checksum type="sha512">');
    const plain = await indexRpmDirectory(dir, { compression: "none" });
    expect(plain.files.filter((f) => /-primary\.xml$/.test(f))).toHaveLength(1);
  });

  it("gives typed errors for a missing directory, a file, a live lock and bad options; takes over a stale lock", async () => {
    await expect(indexRpmDirectory(join(work, "does-not-exist"))).rejects.toMatchObject({ code: "QUIPU_INDEX_DIRECTORY_INVALID" });
    const file = join(work, "a-file");
    writeFileSync(file, "x");
    await expect(indexRpmDirectory(file)).rejects.toMatchObject({ code: "QUIPU_INDEX_DIRECTORY_INVALID", details: { reason: "not a directory" } });
    await expect(indexRpmDirectory(work, { compression: "lzma" as never, changelogLimit: -1 })).rejects.toMatchObject({
      code: "QUIPU_VALIDATION_FAILED",
      details: { issues: [expect.stringMatching(/^compression: /), expect.stringMatching(/^changelogLimit: /)] },
    });

    const dir = fresh("lock");
    stageRpms(dir);
    mkdirSync(join(dir, ".quipu"));
    const lock = join(dir, ".quipu", "index.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: "then" }));
    await expect(indexRpmDirectory(dir)).rejects.toMatchObject({ code: "QUIPU_INDEX_LOCKED", details: { pid: process.pid } });
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: "then" }));
    expect((await indexRpmDirectory(dir)).packages).toBe(4);
    expect(existsSync(lock)).toBe(false);
  });

  it("skips hidden entries and the top-level repodata, follows file symlinks", async () => {
    const dir = fresh("walk");
    stageRpms(dir, { "a/quipu-nodeps-1.0-1.noarch.rpm": "quipu-nodeps-1.0-1.noarch.rpm" });
    mkdirSync(join(dir, ".hidden"));
    copyFileSync(rpmFixtures().get("quipu-nodeps-1.1").path, join(dir, ".hidden", "x.rpm"));
    copyFileSync(rpmFixtures().get("quipu-nodeps-1.1").path, join(dir, ".dot.rpm"));
    mkdirSync(join(dir, "repodata"));
    copyFileSync(rpmFixtures().get("quipu-nodeps-1.1").path, join(dir, "repodata", "y.rpm"));
    const { symlinkSync } = await import("node:fs");
    symlinkSync(rpmFixtures().get("quipu-daemon-0.9-1.x86_64").path, join(dir, "linked.rpm"));
    utimesSync(join(dir, "a"), 1, 1);
    const result = await indexRpmDirectory(dir);
    expect(result.packages).toBe(2);
    expect(checkRpmRepository(dir)["primary"]).toContain('href="linked.rpm"');
  });
});
