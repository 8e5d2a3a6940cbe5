/**
 * Real clients against repositories written by the `quipu-chacra index` command: dnf (throwaway
 * installroot, skip_if_unavailable=False, repo_gpgcheck on) and apt-get (isolated APT_CONFIG,
 * signed-by the generated key), each served over HTTP on 127.0.0.1, then again after an
 * incremental re-index.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateSigningKey } from "@quipu/core/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../src/index.js";
import { buildDebFixture } from "../../core/test/deb/deb-fixtures.js";
import { createAptSandbox, poolPath, serveDirectory, stagePool, type AptSandbox, type CommandResult, type StaticServer } from "../../core/test/deb/repo-harness.js";
import { createTestCodecs } from "../../core/test/deb/test-codecs.js";
import { stageRpms, tempDir } from "../../core/test/fs-indexer/fs-indexer-helpers.js";
import { runDnf } from "../../core/test/rpm/dnf-harness.js";
import { rpmFixtures } from "../../core/test/rpm/rpm-fixtures.js";

const hasDnf = spawnSync("dnf", ["--version"]).status === 0;
const hasApt = spawnSync("apt-get", ["--version"]).status === 0;

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

let root: string;
let server: StaticServer;
let keyFile: string;
let publicKey: string;

beforeAll(async () => {
  root = tempDir("clients");
  mkdirSync(join(root, "www"));
  const key = await generateSigningKey({ name: "quipu clients test", email: "clients@example.invalid" });
  keyFile = join(root, "signing-key.asc");
  writeFileSync(keyFile, key.privateKeyArmored);
  publicKey = join(root, "www", "key.asc");
  writeFileSync(publicKey, key.publicKeyArmored);
  server = await serveDirectory(join(root, "www"));
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!hasDnf)("dnf reads a repository made by `quipu-chacra index rpm`", { timeout: 120_000 }, () => {
  function dnf(scenario: string, args: string[]): Promise<CommandResult> {
    return runDnf(join(root, "dnf", scenario), { url: `${server.url}/rpm/`, gpgKeyUrl: `${server.url}/key.asc` }, args);
  }

  it("verifies the signed metadata, lists every package, installs one; sees an added package after a re-index", async () => {
    const dir = join(root, "www", "rpm");
    mkdirSync(dir, { recursive: true });
    stageRpms(dir);
    const indexed = await cli(["index", "rpm", dir, "--sign-key", keyFile]);
    expect(indexed.code, indexed.stderr).toBe(0);

    const q = await dnf("a", ["repoquery", "--available", "--qf", "%{name}-%{epoch}:%{version}-%{release}.%{arch} %{location}"]);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout.trim().split("\n").sort()).toEqual([
      "quipu-daemon-0:0.9-1.src SRPMS/quipu-daemon-0.9-1.src.rpm",
      "quipu-daemon-0:0.9-1.x86_64 x86_64/quipu-daemon-0.9-1.x86_64.rpm",
      "quipu-nodeps-0:1.0-1.noarch noarch/quipu-nodeps-1.0-1.noarch.rpm",
      "quipu-tools-3:1.2.3-4.q1.noarch quipu-tools-1.2.3-4.q1.noarch.rpm",
    ]);
    expect(server.requests).toContain("/rpm/repodata/repomd.xml.asc");

    copyFileSync(rpmFixtures().get("quipu-nodeps-1.1-2").path, join(dir, "noarch", "quipu-nodeps-1.1-2.noarch.rpm"));
    const again = await cli(["index", "rpm", dir, "--sign-key", keyFile, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ indexed: 1, reused: 4 });
    const install = await dnf("b", ["install", "quipu-nodeps"]);
    expect(install.code, install.stderr).toBe(0);
    const installed = spawnSync("rpm", ["--root", join(root, "dnf", "b", "root"), "-q", "quipu-nodeps"], { encoding: "utf8" });
    expect(installed.stdout.trim()).toBe("quipu-nodeps-1.1-2.noarch");
  });
});

describe.skipIf(!hasApt)("apt-get reads a repository made by `quipu-chacra index deb`", { timeout: 120_000 }, () => {
  let apt: AptSandbox;

  function complaints(result: { stdout: string; stderr: string }): string[] {
    return `${result.stdout}\n${result.stderr}`.split("\n").filter((line) => /^(W|E|N):|Ign:|Skipping|ignored/.test(line));
  }

  it("verifies InRelease, sees every package, downloads one; sees an added package after a re-index", async () => {
    const dir = join(root, "www", "deb");
    mkdirSync(dir, { recursive: true });
    stagePool(dir, createTestCodecs());
    // xz listed too: apt prefers it, so the client reads the codecs adapter's threaded xz output.
    const indexed = await cli(["index", "deb", dir, "--codename", "bookworm", "--origin", "quipu", "--sign-key", keyFile, "--compression", "gzip,xz"]);
    expect(indexed.code, indexed.stderr).toBe(0);

    apt = createAptSandbox(join(root, "apt-root"), ["amd64", "arm64"]);
    apt.setSources([`deb [signed-by=${publicKey}] ${server.url}/deb bookworm main`, `deb-src [signed-by=${publicKey}] ${server.url}/deb bookworm main`]);
    const update = await apt.run("apt-get", ["update"]);
    expect(update.code, update.stderr).toBe(0);
    expect(complaints(update)).toEqual([]);
    expect(server.requests.some((path) => path === "/deb/dists/bookworm/InRelease")).toBe(true);
    expect(server.requests.some((path) => /^\/deb\/dists\/bookworm\/main\/binary-amd64\/by-hash\/SHA256\/[0-9a-f]{64}$/.test(path))).toBe(true);

    const policy = await apt.run("apt-cache", ["policy", "quipu-lib", "quipu-data", "quipu-app", "quipu-tool:arm64"]);
    expect(policy.stdout).toMatch(/quipu-lib:\n {2}Installed: \(none\)\n {2}Candidate: 1:2\.1-1\n/);
    expect(policy.stdout).toMatch(/quipu-tool:arm64:\n {2}Installed: \(none\)\n {2}Candidate: 1\.0\n/);
    const into = join(root, "downloads");
    mkdirSync(into);
    const download = await apt.run("apt-get", ["download", "quipu-data"], { cwd: into });
    expect(download.code, download.stderr).toBe(0);
    expect(readdirSync(into)).toEqual(["quipu-data_0.5-1_all.deb"]);
    const showsrc = await apt.run("apt-cache", ["showsrc", "quipu-src"]);
    expect(showsrc.stdout).toContain("Package: quipu-src\n");

    const extra = buildDebFixture({ compression: "xz", control: "Package: quipu-late\nVersion: 2.0-1\nArchitecture: all\nMaintainer: Q <q@example.invalid>\nDescription: added later\n" });
    mkdirSync(join(dir, "pool", "main", "q", "quipu-late"), { recursive: true });
    copyFileSync(extra.path, join(dir, poolPath("main", "quipu-late", extra.fileName)));
    const again = await cli(["index", "deb", dir, "--codename", "bookworm", "--origin", "quipu", "--sign-key", keyFile, "--compression", "gzip,xz", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ indexed: 1, reused: 6 });
    const update2 = await apt.run("apt-get", ["update"]);
    expect(update2.code, update2.stderr).toBe(0);
    expect(complaints(update2)).toEqual([]);
    const late = await apt.run("apt-cache", ["policy", "quipu-late"]);
    expect(late.stdout).toMatch(/Candidate: 2\.0-1/);
    const inRelease = readFileSync(join(dir, "dists", "bookworm", "InRelease"), "utf8");
    expect(inRelease).toContain("Origin: quipu");
    expect(inRelease).toMatch(/ main\/binary-amd64\/Packages\.xz\n/);
  });
});
