import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { createNodeCodecs } from "../../src/adapters/codecs/index.js";
import { indexDebDirectory, indexRpmDirectory } from "../../src/adapters/fs-indexer/index.js";
import { readPackageFiles, WORKER_MIN_FILES } from "../../src/adapters/fs-indexer/parse-pool.js";
import type { FileToRead, ReadSettings } from "../../src/adapters/fs-indexer/package-reading.js";
import { buildDeb } from "../deb/archive-builders.js";
import { basicPackageTags, encodeRpm, int32, str, strs } from "../rpm/synthetic-rpm.js";
import { freshDirectories, snapshot, tempDir } from "./fs-indexer-helpers.js";

const work = tempDir("workers");
const fresh = freshDirectories(work);
const EPOCH = 1_800_000_000;

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const name = (i: number) => `pkg-${String(i).padStart(4, "0")}`;

function syntheticRpm(pkg: string): Uint8Array {
  return encodeRpm({ header: basicPackageTags([[1000, str(pkg)], [1047, strs(pkg)], [1118, strs("/usr/bin/")], [1117, strs(pkg)], [1116, int32(0)]]) });
}

function syntheticDeb(pkg: string, arch: string): Uint8Array {
  const control = `Package: ${pkg}\nVersion: 1.0-1\nArchitecture: ${arch}\nMaintainer: Q <q@example.invalid>\nDescription: ${pkg}\n synthetic package\n`;
  return buildDeb({ control, controlMember: "control.tar.gz", controlCompress: (tar) => gzipSync(tar) });
}

/** `count` rpms, a few in subdirectories, plus two files that are not packages. */
function rpmDirectory(count: number): string {
  const dir = fresh("rpms");
  mkdirSync(join(dir, "sub"));
  for (let i = 0; i < count; i++) writeFileSync(join(dir, i % 10 === 0 ? "sub" : "", `${name(i)}.rpm`), syntheticRpm(name(i)));
  writeFileSync(join(dir, "broken.rpm"), "not an rpm");
  writeFileSync(join(dir, "sub", "empty.rpm"), "");
  return dir;
}

function debDirectory(count: number): string {
  const dir = fresh("debs");
  mkdirSync(join(dir, "pool"));
  for (let i = 0; i < count; i++) writeFileSync(join(dir, "pool", `${name(i)}.deb`), syntheticDeb(name(i), i % 3 === 0 ? "all" : "amd64"));
  writeFileSync(join(dir, "pool", "broken.deb"), "!<arch>\n");
  return dir;
}

function filesOf(dir: string, paths: string[]): FileToRead[] {
  return paths.map((path) => ({ path, absolute: join(dir, path) }));
}

/** Records with their fragments as hex, comparable whatever thread made them. */
function comparable(parsed: Awaited<ReturnType<typeof readPackageFiles>>) {
  return parsed.map((p) => ({ ...p, fragments: p.fragments.map((f) => Buffer.from(f).toString("hex")) }));
}

function capture() {
  const events: Record<string, unknown>[] = [];
  return { events, logger: { debug: (o: object) => void events.push(o as Record<string, unknown>), info() {}, warn() {}, error() {} } };
}

describe("parse workers", () => {
  it("read rpm and deb files into exactly what the calling thread reads", async () => {
    const count = WORKER_MIN_FILES + 20;
    const rpms = rpmDirectory(count);
    const debs = debDirectory(count);
    const cases: [string, FileToRead[], ReadSettings][] = [
      [rpms, filesOf(rpms, ["broken.rpm", "sub/empty.rpm", ...Array.from({ length: count }, (_, i) => (i % 10 === 0 ? `sub/${name(i)}.rpm` : `${name(i)}.rpm`))]), { kind: "rpm", checksumType: "sha256", changelogLimit: 10, sourceDateEpoch: EPOCH }],
      [debs, filesOf(debs, ["pool/broken.deb", ...Array.from({ length: count }, (_, i) => `pool/${name(i)}.deb`)]), { kind: "deb", checksums: ["md5", "sha256"] }],
    ];
    for (const [, files, settings] of cases) {
      const codecs = createNodeCodecs();
      const here = await readPackageFiles(files, { settings, codecs, workersAllowed: false, threads: 1, logger: capture().logger });
      const { events, logger } = capture();
      const there = await readPackageFiles(files, { settings, codecs, workersAllowed: true, threads: 3, callerReads: false, logger });
      expect(events).toContainEqual(expect.objectContaining({ event: "index.read", workers: 2, readInWorkers: files.length }));
      expect(comparable(there)).toEqual(comparable(here));
      expect(here[0]!.text).toContainEqual(expect.stringMatching(/^QUIPU_(RPM|DEB)_INVALID$/));
    }
  }, 60_000);

  it("give the same repository as one thread, and stay out of small runs", async () => {
    const rpms = rpmDirectory(WORKER_MIN_FILES + 10);
    await indexRpmDirectory(rpms, { sourceDateEpoch: EPOCH, threads: 1, cache: false });
    const single = snapshot(rpms, "repodata");
    const { events, logger } = capture();
    const result = await indexRpmDirectory(rpms, { sourceDateEpoch: EPOCH, threads: 2, logger });
    expect(result.indexed).toBe(WORKER_MIN_FILES + 12);
    expect(events).toContainEqual(expect.objectContaining({ event: "index.read", workers: 1 }));
    expect(snapshot(rpms, "repodata")).toEqual(single);

    // Adding one package reads it in this thread only.
    writeFileSync(join(rpms, "added.rpm"), syntheticRpm("added"));
    const small = capture();
    expect(await indexRpmDirectory(rpms, { sourceDateEpoch: EPOCH, threads: 2, logger: small.logger })).toMatchObject({ indexed: 1 });
    expect(small.events).toContainEqual(expect.objectContaining({ event: "index.read", files: 1, workers: 0 }));

    const debs = debDirectory(WORKER_MIN_FILES + 10);
    await indexDebDirectory(debs, { codename: "stable", sourceDateEpoch: EPOCH, threads: 1, cache: false });
    const singleDeb = snapshot(debs, "dists");
    const debRun = capture();
    await indexDebDirectory(debs, { codename: "stable", sourceDateEpoch: EPOCH, threads: 2, cache: false, logger: debRun.logger });
    expect(debRun.events).toContainEqual(expect.objectContaining({ event: "index.read", workers: 1 }));
    expect(snapshot(debs, "dists")).toEqual(singleDeb);
    expect(readFileSync(join(debs, "dists", "stable", "main", "binary-amd64", "Packages.gz")).length).toBeGreaterThan(1000);
  }, 60_000);
});
