/**
 * Signatures made by the openpgp.js signer, checked by the verifiers apt uses: gpgv (apt 2.6,
 * Debian 12) and sqv (Debian 13's apt). Also: keys made by gpg itself are accepted (or refused
 * for the right reason) by createRepositorySigner.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRepositorySigner, generateSigningKey, type RepositorySigner } from "../../src/adapters/signing/index.js";
import { buildAptRepository } from "../../src/indexing/deb/apt-repository.js";
import { buildRpmRepository } from "../../src/indexing/rpm/rpm-repository.js";
import { stagePool, tempDir } from "../deb/repo-harness.js";
import { createTestCodecs } from "../deb/test-codecs.js";
import { aptSplitClearSigned, createGnupgHome, hasCommand, run, tamper, type GnupgHome } from "./signing-harness.js";

const hasSqv = hasCommand("sqv");
const SQV_MISSING = "sqv is not installed here (apt-get install sqv; .ci/run should list it) — Debian 13's apt verifies with it";

const encoder = new TextEncoder();

describe("signatures checked by gpgv and sqv", { timeout: 60_000 }, () => {
  let dir: string;
  let release: Uint8Array;
  let repomd: Uint8Array;
  const signers: Record<string, RepositorySigner> = {};
  let other: RepositorySigner;

  const file = (name: string, bytes?: Uint8Array) => {
    const path = join(dir, name);
    if (bytes) writeFileSync(path, bytes);
    return path;
  };
  const gpgv = (keyring: string, ...args: string[]) => run("gpgv", ["--keyring", keyring, ...args], { cwd: dir });
  const sqv = (keyring: string, signature: string, data: string) => run("sqv", ["--keyring", keyring, signature, data], { cwd: dir });

  beforeAll(async () => {
    dir = tempDir("gpgv");
    const codecs = createTestCodecs();
    const { packages } = stagePool(join(dir, "www"), codecs);
    const repo = buildAptRepository({ packages, codecs, codename: "bookworm", origin: "quipu", label: "quipu gpgv", description: "Zoë's – ünïcödé repository", date: new Date(Date.now() - 60_000), compressions: ["gzip"] });
    release = repo.release.bytes;
    repomd = buildRpmRepository([]).at(-1)?.bytes as Uint8Array;
    const passphrase = "correct horse battery staple";
    const [ecc, rsa, locked, stranger] = await Promise.all([
      generateSigningKey({ name: "quipu ecc", email: "ecc@example.invalid" }),
      generateSigningKey({ name: "quipu rsa", email: "rsa@example.invalid", type: "rsa", rsaBits: 2048 }),
      generateSigningKey({ name: "quipu locked", email: "locked@example.invalid", passphrase }),
      generateSigningKey({ name: "stranger", email: "stranger@example.invalid" }),
    ]);
    signers.ecc = await createRepositorySigner({ armoredPrivateKey: ecc.privateKeyArmored });
    signers.rsa = await createRepositorySigner({ armoredPrivateKey: rsa.privateKeyArmored });
    signers.locked = await createRepositorySigner({ armoredPrivateKey: locked.privateKeyArmored, passphrase });
    other = await createRepositorySigner({ armoredPrivateKey: stranger.privateKeyArmored });
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ["ecc", "rsa", "locked"]) {
    it(`${name} key: gpgv accepts InRelease, and the text it and apt read back is the Release`, async () => {
      const signer = signers[name] as RepositorySigner;
      const keyring = file(`${name}.gpg`, signer.publicKeyBinary);
      const inRelease = await signer.signInRelease(release);
      file(`${name}-InRelease`, inRelease);
      const result = await gpgv(keyring, "--output", file(`${name}-InRelease.out`), `${name}-InRelease`);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/Good signature from "quipu/);
      expect(result.stderr).not.toMatch(/WARNING/);
      // gpgv writes the signed text back with its line ends: exactly the Release file.
      expect(Buffer.from(readFileSync(file(`${name}-InRelease.out`))).equals(Buffer.from(release))).toBe(true);
      // apt's own splitter joins the lines without a final newline and finds nothing outside the block.
      const split = aptSplitClearSigned(new TextDecoder().decode(inRelease));
      expect(split.content).toBe(new TextDecoder().decode(release).replace(/\n$/, ""));
      expect(split.hashHeaders).toEqual(["Hash: SHA512"]);
      expect(split.garbage).toBe(false);
    });

    it(`${name} key: gpgv accepts Release.gpg (armored and binary) and repomd.xml.asc`, async () => {
      const signer = signers[name] as RepositorySigner;
      const keyring = file(`${name}.gpg`, signer.publicKeyBinary);
      file("Release", release);
      file("repomd.xml", repomd);
      file(`${name}-Release.gpg`, await signer.signDetached(release, { armor: true }));
      file(`${name}-Release.bin`, await signer.signDetached(release, { armor: false }));
      file(`${name}-repomd.xml.asc`, await signer.signDetached(repomd));
      for (const [signature, data] of [[`${name}-Release.gpg`, "Release"], [`${name}-Release.bin`, "Release"], [`${name}-repomd.xml.asc`, "repomd.xml"]] as const) {
        const result = await gpgv(keyring, signature, data);
        expect(result.code, `${signature}: ${result.stderr}`).toBe(0);
      }
      expect(readFileSync(file(`${name}-Release.gpg`), "utf8")).toMatch(/^-----BEGIN PGP SIGNATURE-----\n[\s\S]*\n-----END PGP SIGNATURE-----\n$/);
    });
  }

  it("a Release with dash-led lines, trailing blanks, tabs, non-ASCII text and no final newline round-trips", async () => {
    const signer = signers.ecc as RepositorySigner;
    const keyring = file("ecc.gpg", signer.publicKeyBinary);
    const text = "Origin: quipu\n-----BEGIN PGP SIGNATURE-----\n- dash\nLabel: trailing   \nDescription:\tünïcödé ✓\nFrom the start\nSHA256:\n " + "a".repeat(64) + " 1 main/x";
    const inRelease = await signer.signInRelease(encoder.encode(text));
    file("odd-InRelease", inRelease);
    const result = await gpgv(keyring, "--output", file("odd.out"), "odd-InRelease");
    expect(result.code, result.stderr).toBe(0);
    // gpg drops the trailing blanks of a clear-signed line (they are not signed) and ends with a newline; apt drops them too.
    expect(readFileSync(file("odd.out"), "utf8")).toBe(`${text.replace("trailing   ", "trailing")}\n`);
    expect(aptSplitClearSigned(new TextDecoder().decode(inRelease)).content).toBe(text.replace("trailing   ", "trailing"));
  });

  it("gpgv rejects a tampered InRelease or Release, and signatures by another key", async () => {
    const signer = signers.ecc as RepositorySigner;
    const keyring = file("ecc.gpg", signer.publicKeyBinary);
    const inRelease = await signer.signInRelease(release);
    file("bad-InRelease", tamper(inRelease, "Label: quipu gpgv", "Label: quipu gpgw"));
    const bad = await gpgv(keyring, "bad-InRelease");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/BAD signature/);

    file("Release.gpg", await signer.signDetached(release));
    file("Release-tampered", tamper(release, "Label: quipu gpgv", "Label: quipu gpgw"));
    const badDetached = await gpgv(keyring, "Release.gpg", "Release-tampered");
    expect(badDetached.code).not.toBe(0);
    expect(badDetached.stderr).toMatch(/BAD signature/);

    file("stranger-InRelease", await other.signInRelease(release));
    const stranger = await gpgv(keyring, "stranger-InRelease");
    expect(stranger.code).not.toBe(0);
    expect(stranger.stderr).toMatch(/No public key|Can't check signature/);
  });

  it("sqv (Debian 13's verifier) accepts Release.gpg and repomd.xml.asc and rejects tampering", async (ctx) => {
    if (!hasSqv) ctx.skip(SQV_MISSING);
    const signer = signers.ecc as RepositorySigner;
    const keyring = file("ecc.gpg", signer.publicKeyBinary);
    file("Release", release);
    file("repomd.xml", repomd);
    file("Release.gpg", await signer.signDetached(release));
    file("repomd.xml.asc", await signer.signDetached(repomd));
    for (const [signature, data] of [["Release.gpg", "Release"], ["repomd.xml.asc", "repomd.xml"]] as const) {
      const result = await sqv(keyring, signature, data);
      expect(result.code, `${signature}: ${result.stderr}`).toBe(0);
      expect(result.stdout.trim()).toBe(signer.fingerprint);
    }
    file("Release-tampered", tamper(release, "Label: quipu gpgv", "Label: quipu gpgw"));
    expect((await sqv(keyring, "Release.gpg", "Release-tampered")).code).not.toBe(0);
  });
});

describe("keys made by gpg", { timeout: 60_000 }, () => {
  let home: GnupgHome;
  const passphrase = "gpg-made passphrase";
  const keys: Record<string, { armored: string; fingerprint: string }> = {};

  async function makeKey(name: string, args: string[], addSubkey?: string[]): Promise<void> {
    const email = `${name}@example.invalid`;
    const made = await home.gpg([...args.slice(0, -3), "--quick-gen-key", `${name} <${email}>`, ...args.slice(-3)]);
    if (made.code !== 0) throw new Error(`gpg --quick-gen-key ${name}: ${made.stderr}`);
    const listed = await home.gpg(["--with-colons", "--list-keys", email]);
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listed.stdout)?.[1] ?? "";
    if (addSubkey) {
      const sub = await home.gpg([...addSubkey.slice(0, -3), "--quick-add-key", fingerprint, ...addSubkey.slice(-3)]);
      if (sub.code !== 0) throw new Error(`gpg --quick-add-key ${name}: ${sub.stderr}`);
    }
    const exported = await home.gpg(["--passphrase", name === "locked" ? passphrase : "", "--armor", "--export-secret-keys", email]);
    keys[name] = { armored: exported.stdout, fingerprint };
  }

  beforeAll(async () => {
    home = createGnupgHome();
    await makeKey("locked", ["--passphrase", passphrase, "ed25519", "sign", "never"]);
    await makeKey("certonly", ["--passphrase", "", "ed25519", "cert", "never"], ["--passphrase", "", "cv25519", "encr", "never"]);
    await makeKey("subkey", ["--passphrase", "", "ed25519", "cert", "never"], ["--passphrase", "", "ed25519", "sign", "never"]);
    await makeKey("sha1", ["--passphrase", "", "--cert-digest-algo", "SHA1", "rsa2048", "sign", "never"]);
  }, 60_000);

  afterAll(async () => {
    await home?.close();
  });

  it("an encrypted gpg key opens with its passphrase; gpgv checks the result against gpg's own export", async () => {
    const key = keys.locked as { armored: string; fingerprint: string };
    expect(key.armored).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
    const signer = await createRepositorySigner({ armoredPrivateKey: key.armored, passphrase });
    expect(signer.fingerprint).toBe(key.fingerprint);
    await expect(createRepositorySigner({ armoredPrivateKey: key.armored })).rejects.toMatchObject({ code: "QUIPU_SIGNING_KEY_INVALID", details: { reason: "passphrase-required" } });
    await expect(createRepositorySigner({ armoredPrivateKey: key.armored, passphrase: "nope" })).rejects.toMatchObject({ details: { reason: "wrong-passphrase" } });

    const dir = tempDir("gpg-made");
    try {
      const exported = await home.gpg(["--output", join(dir, "gpg-export.gpg"), "--export", key.fingerprint]);
      expect(exported.code, exported.stderr).toBe(0);
      writeFileSync(join(dir, "InRelease"), await signer.signInRelease(encoder.encode("Origin: gpg-made\n")));
      const result = await run("gpgv", ["--keyring", join(dir, "gpg-export.gpg"), "InRelease"], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a key whose primary can only certify signs with its signing subkey", async () => {
    const key = keys.subkey as { armored: string; fingerprint: string };
    const signer = await createRepositorySigner({ armoredPrivateKey: key.armored });
    expect(signer.fingerprint).toBe(key.fingerprint);
    expect(signer.signingKeyFingerprint).not.toBe(key.fingerprint);
    const dir = tempDir("gpg-subkey");
    try {
      writeFileSync(join(dir, "key.gpg"), signer.publicKeyBinary);
      writeFileSync(join(dir, "InRelease"), await signer.signInRelease(encoder.encode("Origin: subkey\n")));
      const result = await run("gpgv", ["--keyring", join(dir, "key.gpg"), "InRelease"], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(signer.signingKeyFingerprint);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a key that cannot sign (certify-only primary, encryption subkey)", async () => {
    const key = keys.certonly as { armored: string; fingerprint: string };
    await expect(createRepositorySigner({ armoredPrivateKey: key.armored })).rejects.toMatchObject({
      code: "QUIPU_SIGNING_KEY_INVALID",
      details: { reason: "cannot-sign", fingerprint: key.fingerprint },
    });
  });

  it("refuses a key whose self-signature uses SHA-1 unless told to allow it", async () => {
    const key = keys.sha1 as { armored: string; fingerprint: string };
    await expect(createRepositorySigner({ armoredPrivateKey: key.armored })).rejects.toMatchObject({
      code: "QUIPU_SIGNING_KEY_INVALID",
      details: { reason: "weak-binding-hash", hash: "SHA1", fingerprint: key.fingerprint },
    });
    const signer = await createRepositorySigner({ armoredPrivateKey: key.armored, allowWeakBindingHashes: true });
    expect(signer.fingerprint).toBe(key.fingerprint);
  });
});
