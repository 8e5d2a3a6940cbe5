import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexDebDirectory, type IndexDebDirectoryOptions, type PublishStep } from "../../src/adapters/fs-indexer/index.js";
import { createRepositorySigner, generateSigningKey } from "../../src/adapters/signing/index.js";
import { buildAptRepository, readDebPackage, readDscSource, type HashName } from "../../src/indexing/deb/index.js";
import { buildDebFixture, debFixtures } from "../deb/deb-fixtures.js";
import { poolPath, stagePool } from "../deb/repo-harness.js";
import { createTestCodecs } from "../deb/test-codecs.js";
import { checkAptRepository, leftoverTemporaries, releaseSha256, sha256, snapshot, tempDir } from "./fs-indexer-helpers.js";

const codecs = createTestCodecs();
const work = tempDir("deb");
let counter = 0;
const EPOCH = 1_750_000_000;

/** A directory with every fixture .deb and the source package under pool/, fixed mtimes. */
function stagedRepository(name: string): string {
  const dir = join(work, `${name}-${counter++}`);
  mkdirSync(dir, { recursive: true });
  stagePool(dir, codecs);
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else utimesSync(full, 1_700_000_000, 1_700_000_000);
    }
  };
  walk(dir);
  return dir;
}

function packageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string, rel: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(join(path, entry.name), childRel);
      else if (/\.(deb|dsc)$/.test(entry.name)) out.push(childRel);
    }
  };
  walk(join(dir, "pool"), "pool");
  return out.sort();
}

/** buildAptRepository over the same files, read the way the indexer reads them. */
function pureRepository(dir: string, options: IndexDebDirectoryOptions & { checksums: HashName[] }) {
  const files = packageFiles(dir);
  const packages = files.filter((f) => f.endsWith(".deb")).map((filename) => readDebPackage(readFileSync(join(dir, filename)), { codecs, filename, hashes: options.checksums }));
  const sources = files.filter((f) => f.endsWith(".dsc")).map((filename) => readDscSource(readFileSync(join(dir, filename)), { filename }));
  return buildAptRepository({
    packages,
    sources,
    codecs,
    layout: options.layout,
    codename: options.codename,
    origin: options.origin,
    label: options.label,
    date: new Date(EPOCH * 1000),
    releaseHashes: options.checksums,
    compressions: options.compressions,
    architectures: options.architectures,
  });
}

/** The current generation: Release and every file it lists that exists, by digest. */
function published(dir: string, releaseDirectory: string): Record<string, string> {
  const release = readFileSync(join(dir, releaseDirectory, "Release"));
  const out: Record<string, string> = { Release: sha256(release) };
  for (const path of releaseSha256(release.toString("utf8")).keys()) {
    const file = join(dir, releaseDirectory, path);
    if (existsSync(file)) out[path] = sha256(readFileSync(file));
  }
  return out;
}

/** Release lines other than those of gzip files (their bytes differ: ours are made of reusable blocks). */
const releaseWithoutGzip = (text: string) =>
  text
    .split("\n")
    .filter((line) => !line.endsWith(".gz"))
    .join("\n");

beforeAll(() => {
  debFixtures();
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("indexDebDirectory", () => {
  for (const layout of ["dists", "flat"] as const) {
    it(`writes what buildAptRepository writes for the same files (${layout})`, async () => {
      const dir = stagedRepository(`pure-${layout}`);
      const options = {
        codename: layout === "dists" ? "bookworm" : undefined,
        layout,
        origin: "quipu",
        label: "quipu test",
        checksums: ["md5", "sha256", "sha512"] as HashName[],
        compressions: ["none", "gzip"] as const,
        sourceDateEpoch: EPOCH,
      };
      const result = await indexDebDirectory(dir, { ...options, compressions: [...options.compressions] });
      expect(result.problems).toEqual([]);
      expect(result.packages).toBe(6);
      const pure = pureRepository(dir, { ...options, compressions: [...options.compressions] });
      for (const file of pure.files) {
        const ours = join(dir, file.path);
        if (file.path.endsWith(".gz")) {
          expect(gunzipSync(readFileSync(ours)).equals(gunzipSync(file.bytes)), file.path).toBe(true);
        } else if (file.path.endsWith("Release") || !file.path.includes("/by-hash/") || !/\.gz$/.test(file.path)) {
          if (file.kind === "by-hash") {
            // by-hash copies of plain indexes are identical; those of .gz files have other names
            if (existsSync(ours)) expect(readFileSync(ours).equals(file.bytes), file.path).toBe(true);
          } else if (file.kind === "release") {
            expect(releaseWithoutGzip(readFileSync(ours, "utf8"))).toBe(releaseWithoutGzip(new TextDecoder().decode(file.bytes)));
          } else {
            expect(readFileSync(ours).equals(file.bytes), file.path).toBe(true);
          }
        }
      }
      expect(result.release).toBe(layout === "dists" ? "dists/bookworm/Release" : "Release");
      checkAptRepository(dir, layout === "dists" ? "dists/bookworm" : "");
    });
  }

  it("re-reads only what changed; the output equals a run from scratch", async () => {
    const dir = stagedRepository("incremental");
    const options = { codename: "stable", sourceDateEpoch: EPOCH };
    expect(await indexDebDirectory(dir, options)).toMatchObject({ packages: 6, indexed: 6, reused: 0 });
    const extra = buildDebFixture({ compression: "gzip", control: "Package: quipu-extra\nVersion: 1.0\nArchitecture: arm64\nMaintainer: Q <q@example.invalid>\nDescription: extra\n" });
    mkdirSync(join(dir, "pool", "main", "q", "quipu-extra"), { recursive: true });
    copyFileSync(extra.path, join(dir, poolPath("main", "quipu-extra", extra.fileName)));
    let result = await indexDebDirectory(dir, options);
    expect(result).toMatchObject({ packages: 7, indexed: 1, reused: 6 });
    const indexes = checkAptRepository(dir, "dists/stable");
    expect(indexes["main/binary-arm64/Packages"]).toContain("Package: quipu-extra\n");
    const incremental = published(dir, "dists/stable");
    await indexDebDirectory(dir, { ...options, cache: false });
    expect(published(dir, "dists/stable")).toEqual(incremental);

    rmSync(join(dir, poolPath("main", "quipu-tool", "quipu-tool_1.0_arm64.deb")));
    result = await indexDebDirectory(dir, options);
    expect(result).toMatchObject({ packages: 6, indexed: 0, reused: 6 });
    expect(checkAptRepository(dir, "dists/stable")["main/binary-arm64/Packages"]).not.toContain("Package: quipu-tool\n");

    // Same path, other content: read again.
    const lib = debFixtures()[0]!;
    writeFileSync(join(dir, poolPath("main", "quipu-extra", extra.fileName)), readFileSync(lib.path));
    result = await indexDebDirectory(dir, options);
    expect(result).toMatchObject({ indexed: 1, reused: 5 });
    expect(result.problems.map((p) => p.code)).toEqual(["QUIPU_DEB_DUPLICATE_PACKAGE"]);

    result = await indexDebDirectory(dir, options);
    expect(result).toMatchObject({ indexed: 0, written: 0 });
  });

  it("reports bad packages, duplicates and foreign architectures; strict writes nothing", async () => {
    const dir = stagedRepository("bad");
    writeFileSync(join(dir, "pool", "broken.deb"), "!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n");
    writeFileSync(join(dir, "pool", "noise.deb"), "not a package at all");
    writeFileSync(join(dir, "pool", "bad.dsc"), "Format: 3.0 (native)\nVersion: 1\n");
    copyFileSync(debFixtures()[4]!.path, join(dir, "pool", "copy-of-quipu-tool.deb"));

    const strict = await indexDebDirectory(dir, { codename: "stable", strict: true }).catch((error: unknown) => error);
    expect(strict).toMatchObject({ code: "QUIPU_INDEX_STRICT_FAILED" });
    expect(existsSync(join(dir, "dists"))).toBe(false);

    const result = await indexDebDirectory(dir, { codename: "stable", architectures: ["amd64"] });
    expect(result.problems.map((p) => [p.file, p.code])).toEqual([
      ["pool/bad.dsc", "QUIPU_DEB_DSC_INVALID"],
      ["pool/broken.deb", "QUIPU_DEB_INVALID"],
      ["pool/copy-of-quipu-tool.deb", "QUIPU_DEB_REPO_INVALID"],
      ["pool/main/q/quipu-tool/quipu-tool_1.0_arm64.deb", "QUIPU_DEB_REPO_INVALID"],
      ["pool/noise.deb", "QUIPU_DEB_INVALID"],
    ]);
    expect(result.architectures).toEqual(["amd64"]);
    expect(result.packages).toBe(5);
    checkAptRepository(dir, "dists/stable");

    const withArm = await indexDebDirectory(dir, { codename: "stable" });
    expect(withArm.problems.filter((p) => p.code === "QUIPU_DEB_DUPLICATE_PACKAGE")).toEqual([
      {
        file: "pool/main/q/quipu-tool/quipu-tool_1.0_arm64.deb",
        code: "QUIPU_DEB_DUPLICATE_PACKAGE",
        message: "pool/main/q/quipu-tool/quipu-tool_1.0_arm64.deb: quipu-tool 1.0 (arm64) is already given by pool/copy-of-quipu-tool.deb; this file is left out",
      },
    ]);
  });

  it("publishes atomically: a failure at any step leaves the previous repository intact", async () => {
    const dir = stagedRepository("atomic");
    await indexDebDirectory(dir, { codename: "stable", compressions: ["none", "gzip"] });
    const release = readFileSync(join(dir, "dists", "stable", "Release"));
    const before = checkAptRepository(dir, "dists/stable");
    const extra = buildDebFixture({ compression: "gzip", control: "Package: quipu-atomic\nVersion: 2.0\nArchitecture: all\nMaintainer: Q <q@example.invalid>\nDescription: atomic\n" });
    copyFileSync(extra.path, join(dir, "pool", extra.fileName));
    for (const failAt of ["write-content", "write-entry-points", "rename-entry-points"] as PublishStep[]) {
      const onPublishStep = (step: PublishStep) => {
        if (step === failAt) throw new Error(`crash at ${step}`);
      };
      await expect(indexDebDirectory(dir, { codename: "stable", compressions: ["none", "gzip"], onPublishStep })).rejects.toThrow(failAt);
      expect(readFileSync(join(dir, "dists", "stable", "Release")).equals(release)).toBe(true);
      expect(checkAptRepository(dir, "dists/stable")).toEqual(before);
      expect(leftoverTemporaries(dir)).toEqual([]);
    }
    await indexDebDirectory(dir, { codename: "stable", compressions: ["none", "gzip"] });
    expect(checkAptRepository(dir, "dists/stable")["main/binary-amd64/Packages"]).toContain("Package: quipu-atomic\n");
  });

  it("keeps the previous generation's by-hash files for one generation", async () => {
    const dir = stagedRepository("byhash");
    const byHash = () => readdirSync(join(dir, "dists", "stable", "main", "binary-amd64", "by-hash", "SHA256")).sort();
    await indexDebDirectory(dir, { codename: "stable", checksums: ["sha256"] });
    const first = byHash();
    const extra = buildDebFixture({ compression: "gzip", control: "Package: quipu-gen\nVersion: 1\nArchitecture: amd64\nMaintainer: Q <q@example.invalid>\nDescription: gen\n" });
    copyFileSync(extra.path, join(dir, "pool", extra.fileName));
    await indexDebDirectory(dir, { codename: "stable", checksums: ["sha256"] });
    const second = byHash();
    expect(second).toEqual(expect.arrayContaining(first));
    const more = buildDebFixture({ compression: "gzip", control: "Package: quipu-gen2\nVersion: 1\nArchitecture: amd64\nMaintainer: Q <q@example.invalid>\nDescription: gen\n" });
    copyFileSync(more.path, join(dir, "pool", more.fileName));
    const third = await indexDebDirectory(dir, { codename: "stable", checksums: ["sha256"] });
    const now = releaseSha256(readFileSync(join(dir, "dists", "stable", "Release"), "utf8"));
    const current = now.get("main/binary-amd64/Packages.gz")!.sha256;
    const previous = second.filter((name) => !first.includes(name));
    expect(byHash()).toEqual([...new Set([current, ...previous])].sort());
    expect(third.removed).toEqual(expect.arrayContaining(first.map((name) => `dists/stable/main/binary-amd64/by-hash/SHA256/${name}`)));
  });

  it("is deterministic with sourceDateEpoch", async () => {
    const a = stagedRepository("det-a");
    const b = stagedRepository("det-b");
    utimesSync(join(b, "pool", "main", "q", "quipu-tool", "quipu-tool_1.0_arm64.deb"), 1_710_000_000, 1_710_000_000);
    await indexDebDirectory(a, { codename: "stable", sourceDateEpoch: EPOCH });
    await indexDebDirectory(b, { codename: "stable", sourceDateEpoch: EPOCH });
    expect(snapshot(b, "dists")).toEqual(snapshot(a, "dists"));
    expect(readFileSync(join(a, "dists", "stable", "Release"), "utf8")).toContain("Date: Sun, 15 Jun 2025 15:06:40 UTC\n");
  });

  it("signs InRelease and Release.gpg; an unsigned run removes them", async () => {
    const dir = stagedRepository("signed");
    const key = await generateSigningKey({ name: "quipu test", email: "test@example.invalid" });
    const signer = await createRepositorySigner({ armoredPrivateKey: key.privateKeyArmored });
    const result = await indexDebDirectory(dir, { codename: "stable", signer });
    expect(result.files.slice(-3)).toEqual(["dists/stable/Release.gpg", "dists/stable/Release", "dists/stable/InRelease"]);
    expect(result.inRelease).toBe("dists/stable/InRelease");
    expect(readFileSync(join(dir, "dists", "stable", "InRelease"), "utf8")).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin|^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nSuite: stable/);
    await indexDebDirectory(dir, { codename: "stable" });
    expect(existsSync(join(dir, "dists", "stable", "InRelease"))).toBe(false);
    expect(existsSync(join(dir, "dists", "stable", "Release.gpg"))).toBe(false);
  });

  it("publishes several codenames from one tree with packageDirectories", async () => {
    const dir = join(work, `codenames-${counter++}`);
    const put = (path: string, control: string) => {
      const fixture = buildDebFixture({ compression: "gzip", control: `${control}Maintainer: Q <q@example.invalid>\nDescription: codename test\n` });
      mkdirSync(join(dir, path, ".."), { recursive: true });
      copyFileSync(fixture.path, join(dir, path));
    };
    put("pool/jammy/main/q/quipu-a_1.0_amd64.deb", "Package: quipu-a\nVersion: 1.0\nArchitecture: amd64\n");
    put("pool/jammy/main/q/quipu-all_1.0_all.deb", "Package: quipu-all\nVersion: 1.0\nArchitecture: all\n");
    put("pool/noble/main/q/quipu-a_2.0_arm64.deb", "Package: quipu-a\nVersion: 2.0\nArchitecture: arm64\n");
    put("pool/noble-extra/quipu-b_1.0_arm64.deb", "Package: quipu-b\nVersion: 1.0\nArchitecture: arm64\n");
    put("pool/shared/quipu-c_1.0_all.deb", "Package: quipu-c\nVersion: 1.0\nArchitecture: all\n");
    const jammy = { codename: "jammy", packageDirectories: ["pool/jammy", "pool/shared"], sourceDateEpoch: EPOCH };
    // `pool/noble` must not take in `pool/noble-extra`; a directory listed twice or inside another is read once.
    const noble = { codename: "noble", packageDirectories: ["pool/noble", "./pool/shared/", "pool/shared"], sourceDateEpoch: EPOCH };
    const packagesOf = (codename: string, arch: string) =>
      checkAptRepository(dir, `dists/${codename}`)[`main/binary-${arch}/Packages`]!
        .split("\n")
        .filter((line) => line.startsWith("Filename: "));

    // One shared cache: each codename's run keeps the other's records for it.
    expect(await indexDebDirectory(dir, jammy)).toMatchObject({ packages: 3, indexed: 3, architectures: ["amd64"] });
    expect(await indexDebDirectory(dir, noble)).toMatchObject({ packages: 2, indexed: 1, reused: 1, architectures: ["arm64"] });
    expect(packagesOf("jammy", "amd64")).toEqual([
      "Filename: pool/jammy/main/q/quipu-a_1.0_amd64.deb",
      "Filename: pool/jammy/main/q/quipu-all_1.0_all.deb",
      "Filename: pool/shared/quipu-c_1.0_all.deb",
    ]);
    expect(packagesOf("noble", "arm64")).toEqual(["Filename: pool/noble/main/q/quipu-a_2.0_arm64.deb", "Filename: pool/shared/quipu-c_1.0_all.deb"]);
    expect(await indexDebDirectory(dir, jammy)).toMatchObject({ packages: 3, indexed: 0, reused: 3 });
    expect(await indexDebDirectory(dir, noble)).toMatchObject({ packages: 2, indexed: 0, reused: 2 });

    // A cache file per codename: the same repositories, each cache holding its own files.
    const shared = { jammy: published(dir, "dists/jammy"), noble: published(dir, "dists/noble") };
    rmSync(join(dir, "dists"), { recursive: true });
    const cacheFile = (codename: string) => join(dir, ".quipu", `deb-${codename}`);
    expect(await indexDebDirectory(dir, { ...jammy, cacheFile: cacheFile("jammy") })).toMatchObject({ indexed: 3 });
    expect(await indexDebDirectory(dir, { ...noble, cacheFile: cacheFile("noble") })).toMatchObject({ indexed: 2 });
    expect(await indexDebDirectory(dir, { ...jammy, cacheFile: cacheFile("jammy") })).toMatchObject({ indexed: 0, reused: 3 });
    expect(await indexDebDirectory(dir, { ...noble, cacheFile: cacheFile("noble") })).toMatchObject({ indexed: 0, reused: 2 });
    expect({ jammy: published(dir, "dists/jammy"), noble: published(dir, "dists/noble") }).toEqual(shared);

    // A missing package directory is empty, not an error.
    expect(await indexDebDirectory(dir, { codename: "focal", packageDirectories: ["pool/focal"], architectures: ["amd64"] })).toMatchObject({ packages: 0, problems: [] });
    for (const bad of [["../elsewhere"], ["/abs"], [".hidden"], ["dists/jammy"], []]) {
      await expect(indexDebDirectory(dir, { codename: "x", packageDirectories: bad }), JSON.stringify(bad)).rejects.toMatchObject({ code: "QUIPU_VALIDATION_FAILED" });
    }
  });

  it("refuses bad options and an empty directory without architectures", async () => {
    const dir = join(work, "empty");
    mkdirSync(dir);
    await expect(indexDebDirectory(dir, {})).rejects.toMatchObject({ code: "QUIPU_VALIDATION_FAILED", details: { issues: ["codename: a codename is required (or layout flat)"] } });
    await expect(indexDebDirectory(dir, { codename: "stable", checksums: ["md5"] })).rejects.toMatchObject({ code: "QUIPU_VALIDATION_FAILED" });
    await expect(indexDebDirectory(dir, { codename: "stable" })).rejects.toMatchObject({ code: "QUIPU_DEB_REPO_INVALID" });
    const empty = await indexDebDirectory(dir, { codename: "stable", architectures: ["amd64"] });
    expect(empty.packages).toBe(0);
    checkAptRepository(dir, "dists/stable");
  });
});
