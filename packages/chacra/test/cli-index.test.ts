import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateSigningKey } from "@quipu/core/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../src/index.js";
import { stagePool } from "../../core/test/deb/repo-harness.js";
import { createTestCodecs } from "../../core/test/deb/test-codecs.js";
import { checkAptRepository, checkRpmRepository, freshDirectories, stageRpms, tempDir } from "../../core/test/fs-indexer/fs-indexer-helpers.js";
import { rpmFixtures } from "../../core/test/rpm/rpm-fixtures.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const work = tempDir("cli");
const fresh = freshDirectories(work);

beforeAll(() => {
  rpmFixtures();
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("quipu-chacra index", () => {
  it("indexes an rpm directory and prints a JSON summary", async () => {
    const dir = fresh("rpm");
    stageRpms(dir);
    writeFileSync(join(dir, "broken.rpm"), "nope");
    const result = await run(["index", "rpm", dir, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      ok: true,
      kind: "rpm",
      directory: dir,
      packages: 4,
      indexed: 5,
      reused: 0,
      problems: [{ file: "broken.rpm", code: "QUIPU_RPM_INVALID", message: expect.stringContaining("broken.rpm") }],
      repomd: "repodata/repomd.xml",
      written: 4,
      removed: [],
    });
    expect(summary["files"]).toHaveLength(4);
    expect(typeof summary["durationMs"]).toBe("number");
    expect(result.stderr).toBe("quipu-chacra: warning: broken.rpm: not a readable rpm package: too short to be an rpm (at byte 4) [QUIPU_RPM_INVALID]\n");
    checkRpmRepository(dir);

    const again = await run(["index", "rpm", dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^indexed 4 packages in ${dir} \\(0 read, 5 from cache, 1 problem\\) → repodata/repomd\\.xml in \\d+ ms\\n$`));
  });

  it("fails as a whole with --strict: exit 1, one-line error, nothing written", async () => {
    const dir = fresh("strict");
    stageRpms(dir);
    writeFileSync(join(dir, "broken.rpm"), "nope");
    const result = await run(["index", "rpm", dir, "--strict", "--json"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: "QUIPU_INDEX_STRICT_FAILED", details: { problems: [{ file: "broken.rpm" }] } } });
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^quipu-chacra: error: strict index of .* failed, nothing was written: .* \[QUIPU_INDEX_STRICT_FAILED\]$/);
    expect(existsSync(join(dir, "repodata"))).toBe(false);
  });

  it("indexes a deb directory with checksums, compressions, SOURCE_DATE_EPOCH from the environment and no cache", async () => {
    const dir = fresh("deb");
    stagePool(dir, createTestCodecs());
    const result = await run(
      ["index", "deb", dir, "--codename", "bookworm", "--component", "main", "--origin", "quipu", "--checksums", "sha256,SHA512", "--compression", "gz,none", "--no-cache", "--json"],
      { SOURCE_DATE_EPOCH: "1700000000" },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, kind: "deb", packages: 6, release: "dists/bookworm/Release", architectures: ["amd64", "arm64"] });
    const release = readFileSync(join(dir, "dists", "bookworm", "Release"), "utf8");
    expect(release).toContain("Origin: quipu\n");
    expect(release).toContain("Date: Tue, 14 Nov 2023 22:13:20 UTC\n");
    expect(release).not.toContain("MD5Sum:");
    expect(release).toContain("SHA512:");
    expect(existsSync(join(dir, "dists", "bookworm", "main", "binary-amd64", "Packages"))).toBe(true);
    expect(existsSync(join(dir, ".quipu", "deb-index-cache.idx"))).toBe(false);
    checkAptRepository(dir, "dists/bookworm");
  });

  it("signs with --sign-key (passphrase from QUIPU_SIGN_KEY_PASSPHRASE) and fails cleanly on a wrong one", async () => {
    const dir = fresh("signed");
    stagePool(dir, createTestCodecs());
    const key = await generateSigningKey({ name: "quipu cli test", email: "cli@example.invalid", passphrase: "s3cret pass" });
    const keyFile = join(work, "key.asc");
    writeFileSync(keyFile, key.privateKeyArmored);
    const ok = await run(["index", "deb", dir, "--codename", "stable", "--sign-key", keyFile], { QUIPU_SIGN_KEY_PASSPHRASE: "s3cret pass" });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("→ dists/stable/InRelease");
    expect(readFileSync(join(dir, "dists", "stable", "InRelease"), "utf8")).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\n/);

    const wrong = await run(["index", "deb", dir, "--codename", "stable", "--sign-key", keyFile], { QUIPU_SIGN_KEY_PASSPHRASE: "nope" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^quipu-chacra: error: .*\[QUIPU_SIGNING_KEY_INVALID\]\n$/);
    expect(wrong.stderr).not.toContain("nope");
    const missing = await run(["index", "rpm", dir, "--sign-key", join(work, "no-such-key.asc")]);
    expect(missing.code).toBe(2);
  });

  it("reports failures of the directory itself with exit 1", async () => {
    const result = await run(["index", "rpm", join(work, "missing-dir")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^quipu-chacra: error: cannot index .*missing-dir: no such directory \[QUIPU_INDEX_DIRECTORY_INVALID\]\n$/);
  });

  it.each([
    [["index"], /index what\? \(rpm or deb\)/],
    [["index", "apk", "/tmp"], /unknown repository kind 'apk'/],
    [["index", "rpm"], /no directory given/],
    [["index", "rpm", "/tmp", "extra"], /unexpected argument 'extra'/],
    [["index", "rpm", "/tmp", "--bogus"], /Unknown option '--bogus'/],
    [["index", "deb", "/tmp"], /needs --codename/],
    [["index", "deb", "/tmp", "--codename", "x", "--flat"], /exclude each other/],
    [["index", "deb", "/tmp", "--codename", "x", "--changelog-limit", "3"], /--changelog-limit does not apply to deb/],
    [["index", "rpm", "/tmp", "--codename", "x"], /--codename does not apply to rpm/],
    [["index", "rpm", "/tmp", "--checksums", "sha256,sha512"], /one checksum type/],
    [["index", "rpm", "/tmp", "--checksums", "crc32"], /unknown checksum 'crc32'/],
    [["index", "rpm", "/tmp", "--compression", "lz4"], /unknown compression 'lz4'/],
    [["index", "rpm", "/tmp", "--source-date-epoch", "yesterday"], /--source-date-epoch must be a non-negative whole number/],
    [["index", "rpm", "/tmp", "--changelog-limit", "-1"], /^quipu-chacra: Option '--changelog-limit' argument is ambiguous\. Did you forget/],
    [["index", "rpm", "/tmp", "--changelog-limit=-1"], /--changelog-limit must be a non-negative whole number, got '-1'/],
  ])("usage error %j → exit 2", async (args, message) => {
    const result = await run(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("see 'quipu-chacra index --help'");
    expect(result.stderr.trim().split("\n")).toHaveLength(2);
    expect(result.stdout).toBe("");
  });

  it("rejects a bad SOURCE_DATE_EPOCH from the environment as a usage error", async () => {
    const result = await run(["index", "rpm", "/tmp"], { SOURCE_DATE_EPOCH: "soon" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SOURCE_DATE_EPOCH must be a whole number/);
  });

  it("prints help with every option and its default; top level lists the commands", async () => {
    const help = await run(["index", "--help"]);
    expect(help.code).toBe(0);
    for (const option of ["--sign-key", "--checksums", "--compression", "--source-date-epoch", "--no-cache", "--strict", "--json", "--codename", "--component", "--changelog-limit", "--flat"]) {
      expect(help.stdout).toContain(option);
    }
    expect(help.stdout).toContain("default main");
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("index rpm|deb <dir>");
    expect((await run([])).code).toBe(2);
    const unknown = await run(["serve-all"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'serve-all'");
  });

  const bin = fileURLToPath(new URL("../bin/quipu-chacra.js", import.meta.url));
  const builtCli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
  const coreIndexer = fileURLToPath(new URL("../../core/dist/adapters/fs-indexer/index.js", import.meta.url));
  const built = existsSync(builtCli) && existsSync(coreIndexer) && statSync(builtCli).mtimeMs >= statSync(fileURLToPath(new URL("../src/commands/index-command.ts", import.meta.url))).mtimeMs;
  it.skipIf(!built)("runs as a real process through the bin (when built)", () => {
    const dir = fresh("bin");
    stageRpms(dir);
    const child = spawnSync(process.execPath, [bin, "index", "rpm", dir, "--json"], { encoding: "utf8" });
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ ok: true, packages: 4 });
    const usage = spawnSync(process.execPath, [bin, "index"], { encoding: "utf8" });
    expect(usage.status).toBe(2);
  });

  const indexBundle = fileURLToPath(new URL("../dist/index-command.js", import.meta.url));
  it.skipIf(!built)("loads `index` from its own bundle, without the full zod or the daemon (when built)", () => {
    const cli = readFileSync(builtCli, "utf8");
    expect(cli).toMatch(/import\(['"]\.\/index-command\.js['"]\)/);
    // What a run of `index` loads up front: its bundle and the chunks that bundle imports statically
    // (the signing chunk and openpgp only load with --sign-key).
    const loaded = new Map<string, string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      const text = readFileSync(file, "utf8");
      loaded.set(file, text);
      for (const match of text.matchAll(/^import\b[^;]*?from\s+"(\.[^"]+)"/gm)) visit(fileURLToPath(new URL(match[1]!, pathToFileURL(file))));
    };
    visit(indexBundle);
    const everything = [...loaded.values()].join("\n");
    expect(everything).not.toMatch(/[^$A-Za-z]ZodObject\b/); // zod/mini only: its schemas are ZodMini*, beside zod core's $Zod*
    expect(everything).not.toContain("createChacraService");
    expect(everything).not.toContain("openpgp");
    expect(everything.length).toBeLessThan(400_000);
  });
});
