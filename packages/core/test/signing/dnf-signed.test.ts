/**
 * Real dnf (throwaway installroot and cache, skip_if_unavailable=False) with `repo_gpgcheck=1`
 * against repositories written by buildRpmRepository and signed by signRpmRepomd
 * (`repodata/repomd.xml.asc`), served from 127.0.0.1.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepositorySigner, generateSigningKey, signRpmRepomd, type RepositorySigner } from "../../src/adapters/signing/index.js";
import { buildRpmRepository, createRpmRepositoryEntry } from "../../src/indexing/rpm/index.js";
import { serveDirectory, tempDir, writeFiles, type CommandResult, type StaticServer } from "../deb/repo-harness.js";
import { runDnf } from "../rpm/dnf-harness.js";
import { rpmFixtures } from "../rpm/rpm-fixtures.js";
import { hasCommand } from "./signing-harness.js";

const hasDnf = hasCommand("dnf") && hasCommand("rpmbuild");

describe.skipIf(!hasDnf)("real dnf with repo_gpgcheck=1 against signed repodata", { timeout: 60_000 }, () => {
  let root: string;
  let web: string;
  let server: StaticServer;
  let signer: RepositorySigner;
  let stranger: RepositorySigner;
  let keyAsc: string;
  let strangerAsc: string;
  let scenarios = 0;

  /** One dnf call in a fresh installroot and cache (dnf caches imported keys and metadata there). */
  function dnf(repo: string, gpgkey: string, args: readonly string[]): Promise<CommandResult> {
    const dir = join(root, "dnf", String((scenarios += 1)));
    return runDnf(dir, { url: `${server.url}/${repo}/`, gpgKeyUrl: `file://${gpgkey}` }, args, { PATH: process.env.PATH, LC_ALL: "C.UTF-8", HOME: dir });
  }

  beforeAll(async () => {
    root = tempDir("dnf-signed");
    web = join(root, "www");
    const [key, other] = await Promise.all([
      generateSigningKey({ name: "quipu dnf test", email: "dnf@example.invalid" }),
      generateSigningKey({ name: "stranger", email: "stranger@example.invalid" }),
    ]);
    signer = await createRepositorySigner({ armoredPrivateKey: key.privateKeyArmored });
    stranger = await createRepositorySigner({ armoredPrivateKey: other.privateKeyArmored });
    keyAsc = join(root, "RPM-GPG-KEY-quipu");
    strangerAsc = join(root, "RPM-GPG-KEY-stranger");
    writeFileSync(keyAsc, signer.publicKeyArmored);
    writeFileSync(strangerAsc, stranger.publicKeyArmored);

    const good = join(web, "good");
    const fixture = rpmFixtures().get("quipu-nodeps-1.0");
    const href = "noarch/quipu-nodeps-1.0-1.noarch.rpm";
    mkdirSync(join(good, "noarch"), { recursive: true });
    copyFileSync(fixture.path, join(good, href));
    const entry = createRpmRepositoryEntry(readFileSync(join(good, href)), { href, fileMtime: Math.floor(statSync(join(good, href)).mtimeMs / 1000) });
    const files = await signRpmRepomd(buildRpmRepository([entry]), signer);
    writeFiles(good, files);
    for (const name of ["tampered", "unsigned"]) cpSync(good, join(web, name), { recursive: true });
    // Same metadata, one more blank in repomd.xml: still valid XML, no longer what was signed.
    const repomd = join(web, "tampered", "repodata", "repomd.xml");
    writeFileSync(repomd, readFileSync(repomd, "utf8").replace("<revision>", " <revision>"));
    rmSync(join(web, "unsigned", "repodata", "repomd.xml.asc"));
    server = await serveDirectory(web);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("writes repomd.xml.asc just before repomd.xml, which stays last", async () => {
    const paths = (await signRpmRepomd(buildRpmRepository([]), signer)).map((file) => file.path);
    expect(paths.slice(-2)).toEqual(["repodata/repomd.xml.asc", "repodata/repomd.xml"]);
  });

  it("dnf makecache accepts the signed repodata and sees the package", async () => {
    const before = server.requests.length;
    const cache = await dnf("good", keyAsc, ["makecache"]);
    expect(cache.code, cache.stderr).toBe(0);
    expect(server.requests.slice(before)).toEqual(expect.arrayContaining(["/good/repodata/repomd.xml", "/good/repodata/repomd.xml.asc"]));
    const query = await dnf("good", keyAsc, ["repoquery", "--available", "--qf", "%{name}-%{version}-%{release}.%{arch}"]);
    expect(query.code, query.stderr).toBe(0);
    expect(query.stdout.trim().split("\n")).toContain("quipu-nodeps-1.0-1.noarch");
  });

  it("refuses a repomd.xml edited after signing", async () => {
    const result = await dnf("tampered", keyAsc, ["makecache"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/repomd\.xml GPG signature verification error: Bad GPG signature/);
  });

  it("refuses signed repodata when gpgkey is another key", async () => {
    const result = await dnf("good", strangerAsc, ["makecache"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/repomd\.xml GPG signature verification error: Bad GPG signature/);
  });

  it("refuses repodata without repomd.xml.asc", async () => {
    const result = await dnf("unsigned", keyAsc, ["makecache"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/GPG verification is enabled, but GPG signature is not available/);
  });
});
