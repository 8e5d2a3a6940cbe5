/**
 * Real apt-get (isolated APT_CONFIG, 127.0.0.1) against repositories built by the deb writer and
 * signed by the openpgp.js signer — without `[trusted=yes]`: `signed-by=` a binary keyring (the
 * signer's dearmored public key) or the armored key. Tampered, foreign-key and unsigned variants
 * must be refused.
 */
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepositorySigner, generateSigningKey, signAptRelease, type RepositorySigner } from "../../src/adapters/signing/index.js";
import { buildAptRepository, type AptRepository } from "../../src/indexing/deb/apt-repository.js";
import type { AptPackageEntry } from "../../src/indexing/deb/package-entry.js";
import { createAptSandbox, serveDirectory, stagePool, tempDir, writeFiles, type AptSandbox, type CommandResult, type StaticServer } from "../deb/repo-harness.js";
import { createTestCodecs } from "../deb/test-codecs.js";
import { tamper } from "./signing-harness.js";

const codecs = createTestCodecs();

/** apt's warnings and errors (a signed repository must update without any). */
function complaints(result: CommandResult): string[] {
  return `${result.stdout}\n${result.stderr}`.split("\n").filter((line) => /^(W|E|N):/.test(line));
}

describe("real apt-get against signed repositories (no trusted=yes)", { timeout: 60_000 }, () => {
  let root: string;
  let web: string;
  let server: StaticServer;
  let apt: AptSandbox;
  let signer: RepositorySigner;
  let stranger: RepositorySigner;
  let packages: AptPackageEntry[];
  let keyGpg: string;
  let keyAsc: string;

  const options = () => ({
    packages,
    codecs,
    codename: "bookworm",
    suite: "stable",
    origin: "quipu",
    label: "quipu signed",
    date: new Date(Date.now() - 3_600_000),
    validUntil: new Date(Date.now() + 86_400_000),
    compressions: ["gzip"] as const,
    componentReleaseFiles: true,
  });

  /** Writes a signed copy of `repo` under `<web>/<name>`, returning the files written. */
  async function publish(name: string, repo: AptRepository, by: RepositorySigner) {
    const files = await signAptRelease(repo.files, by);
    writeFiles(join(web, name), files);
    return files;
  }

  async function update(sources: string[]): Promise<CommandResult> {
    apt.clearLists();
    apt.setSources(sources);
    return apt.run("apt-get", ["update"]);
  }

  beforeAll(async () => {
    root = tempDir("apt-signed");
    web = join(root, "www");
    ({ packages } = stagePool(join(web, "good"), codecs));
    packages = packages.filter((entry) => entry.control.get("Architecture") !== "arm64");
    const [key, other] = await Promise.all([
      generateSigningKey({ name: "quipu apt test", email: "apt@example.invalid" }),
      generateSigningKey({ name: "stranger", email: "stranger@example.invalid" }),
    ]);
    signer = await createRepositorySigner({ armoredPrivateKey: key.privateKeyArmored });
    stranger = await createRepositorySigner({ armoredPrivateKey: other.privateKeyArmored });
    keyGpg = join(root, "quipu-archive-keyring.gpg");
    keyAsc = join(root, "quipu-archive-keyring.asc");
    writeFileSync(keyGpg, signer.publicKeyBinary);
    writeFileSync(keyAsc, signer.publicKeyArmored);

    const repo = buildAptRepository(options());
    await publish("good", repo, signer);
    // Every variant shares the pool of "good".
    for (const name of ["tampered", "stranger", "unsigned", "detached-only", "flat"]) cpSync(join(web, "good", "pool"), join(web, name, "pool"), { recursive: true });
    const tampered = await signAptRelease(repo.files, signer);
    writeFiles(
      join(web, "tampered"),
      tampered.map((file) => (file.path === "dists/bookworm/InRelease" ? { ...file, bytes: tamper(file.bytes, "Label: quipu signed", "Label: quipu signeD") } : file)),
    );
    await publish("stranger", repo, stranger);
    writeFiles(join(web, "unsigned"), repo.files);
    writeFiles(
      join(web, "detached-only"),
      (await signAptRelease(repo.files, signer)).filter((file) => !file.path.endsWith("/InRelease")),
    );
    await publish("flat", buildAptRepository({ ...options(), codename: undefined, suite: undefined, componentReleaseFiles: false, layout: "flat" }), signer);

    server = await serveDirectory(web);
    apt = createAptSandbox(root);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("signs only the top-level Release and keeps InRelease after every index", async () => {
    const files = await signAptRelease(buildAptRepository(options()).files, signer);
    const paths = files.map((file) => file.path);
    expect(paths.slice(-3)).toEqual(["dists/bookworm/Release.gpg", "dists/bookworm/Release", "dists/bookworm/InRelease"]);
    expect(paths.filter((path) => /InRelease|Release\.gpg/.test(path))).toHaveLength(2);
    expect(paths).toContain("dists/bookworm/main/binary-amd64/Release");
  });

  it("apt-get update accepts InRelease with signed-by= a binary keyring (.gpg) and with an armored key (.asc)", async () => {
    for (const key of [keyGpg, keyAsc]) {
      const before = server.requests.length;
      const result = await update([`deb [signed-by=${key}] ${server.url}/good bookworm main`]);
      expect(result.code, `${key}: ${result.stderr}`).toBe(0);
      expect(complaints(result), key).toEqual([]);
      const requested = server.requests.slice(before);
      expect(requested).toContain("/good/dists/bookworm/InRelease");
      expect(requested).not.toContain("/good/dists/bookworm/Release.gpg");
      const policy = await apt.run("apt-cache", ["policy", "quipu-lib"]);
      expect(policy.stdout).toMatch(/Candidate: 1:2\.1-1\n/);
      // The Release fields apt took out of InRelease.
      expect((await apt.run("apt-cache", ["policy"])).stdout).toMatch(/release o=quipu,a=stable,n=bookworm,l=quipu signed,c=main,b=amd64/);
    }
  });

  it("falls back to Release + Release.gpg when there is no InRelease", async () => {
    const before = server.requests.length;
    const result = await update([`deb [signed-by=${keyGpg}] ${server.url}/detached-only bookworm main`]);
    expect(result.code, result.stderr).toBe(0);
    expect(complaints(result)).toEqual([]);
    expect(server.requests.slice(before)).toEqual(expect.arrayContaining(["/detached-only/dists/bookworm/Release", "/detached-only/dists/bookworm/Release.gpg"]));
    expect((await apt.run("apt-cache", ["policy", "quipu-data"])).stdout).toMatch(/Candidate: 0\.5-1\n/);
  });

  it("accepts a signed flat repository", async () => {
    const result = await update([`deb [signed-by=${keyAsc}] ${server.url}/flat ./`]);
    expect(result.code, result.stderr).toBe(0);
    expect(complaints(result)).toEqual([]);
    expect((await apt.run("apt-cache", ["policy", "quipu-lib"])).stdout).toMatch(/Candidate: 1:2\.1-1\n/);
  });

  it("refuses a tampered InRelease (BADSIG)", async () => {
    const result = await update([`deb [signed-by=${keyGpg}] ${server.url}/tampered bookworm main`]);
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/BADSIG/);
    expect((await apt.run("apt-cache", ["policy", "quipu-lib"])).stdout).not.toMatch(/Candidate: 1:2/);
  });

  it("refuses a Release signed by a key other than signed-by's (NO_PUBKEY)", async () => {
    const result = await update([`deb [signed-by=${keyGpg}] ${server.url}/stranger bookworm main`]);
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(new RegExp(`NO_PUBKEY ${stranger.signingKeyFingerprint.slice(-16)}`));
  });

  it("refuses the unsigned repository without trusted=yes", async () => {
    const result = await update([`deb [signed-by=${keyGpg}] ${server.url}/unsigned bookworm main`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/is not signed/);
  });
});
