import { inspect } from "node:util";
import * as openpgp from "openpgp";
import { beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, type GeneratedSigningKey } from "./generate-signing-key.js";
import { createRepositorySigner } from "./openpgp-signer.js";
import type { RepositorySigner } from "./repository-signer.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const RELEASE = encoder.encode("Origin: quipu\nLabel: quipu\nSuite: stable\nDate: Sat, 09 Nov 2024 10:05:58 UTC\nSHA256:\n " + "0".repeat(64) + "              12 main/binary-amd64/Packages\n");
const PASSPHRASE = "p4ss-phrase-never-shown";

/** Every way an error could be shown: none may carry the passphrase or a line of the key's body. */
function shownForms(error: unknown): string[] {
  const e = error as Error & { details?: unknown; cause?: unknown };
  return [e.message, String(e), JSON.stringify(e), JSON.stringify(e.details), inspect(e, { depth: 10 }), String(e.cause ?? "")];
}

function keyBodyLines(armored: string): string[] {
  return armored.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
}

async function refusal(options: Parameters<typeof createRepositorySigner>[0]): Promise<Error & { code: string; details: Record<string, unknown> }> {
  try {
    await createRepositorySigner(options);
  } catch (error) {
    for (const shown of shownForms(error)) {
      if (options.passphrase) expect(shown).not.toContain(options.passphrase);
      for (const line of keyBodyLines(options.armoredPrivateKey)) expect(shown).not.toContain(line);
    }
    return error as Error & { code: string; details: Record<string, unknown> };
  }
  throw new Error("the key was accepted");
}

describe("createRepositorySigner with a valid key", () => {
  let key: GeneratedSigningKey;
  let signer: RepositorySigner;
  let publicKey: openpgp.PublicKey;

  beforeAll(async () => {
    key = await generateSigningKey({ name: "quipu test", email: "test@example.invalid" });
    signer = await createRepositorySigner({ armoredPrivateKey: key.privateKeyArmored });
    publicKey = await openpgp.readKey({ armoredKey: signer.publicKeyArmored });
  });

  it("exposes the fingerprint and the public key, armored and binary", async () => {
    expect(signer.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(signer.fingerprint).toBe(key.fingerprint);
    expect(signer.signingKeyFingerprint).toBe(key.fingerprint);
    expect(signer.expiresAt).toBeUndefined();
    expect(signer.publicKeyArmored).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\n/);
    expect(publicKey.isPrivate()).toBe(false);
    const binary = await openpgp.readKey({ binaryKey: signer.publicKeyBinary });
    expect(binary.getFingerprint().toUpperCase()).toBe(signer.fingerprint);
    // Nothing secret is reachable from the signer object.
    expect(JSON.stringify(signer)).not.toContain("PRIVATE KEY");
    expect(inspect(signer, { depth: 10 })).not.toContain("PRIVATE");
  });

  it("clear-signs a Release into an InRelease that verifies, with Hash: SHA512 and the Release text", async () => {
    const inRelease = decoder.decode(await signer.signInRelease(RELEASE));
    expect(inRelease.startsWith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: quipu\n")).toBe(true);
    expect(inRelease).toContain("main/binary-amd64/Packages\n-----BEGIN PGP SIGNATURE-----\n");
    expect(inRelease.endsWith("-----END PGP SIGNATURE-----\n")).toBe(true);
    expect(inRelease).not.toContain("\r");
    const message = await openpgp.readCleartextMessage({ cleartextMessage: inRelease });
    const { signatures, data } = await openpgp.verify({ message, verificationKeys: publicKey, expectSigned: true });
    expect(data).toBe(decoder.decode(RELEASE).replace(/\n$/, ""));
    const signature = await signatures[0]?.signature;
    expect(signature?.packets[0]?.hashAlgorithm).toBe(openpgp.enums.hash.sha512);
    expect(signature?.packets[0]?.signatureType).toBe(openpgp.enums.signature.text);
  });

  it("makes detached binary-mode signatures, armored by default or binary", async () => {
    for (const armor of [true, false, undefined]) {
      const bytes = await signer.signDetached(RELEASE, armor === undefined ? undefined : { armor });
      const signature =
        armor === false ? await openpgp.readSignature({ binarySignature: bytes }) : await openpgp.readSignature({ armoredSignature: decoder.decode(bytes) });
      expect(signature.packets[0]?.signatureType).toBe(openpgp.enums.signature.binary);
      expect(signature.packets[0]?.hashAlgorithm).toBe(openpgp.enums.hash.sha512);
      const message = await openpgp.createMessage({ binary: RELEASE });
      const { signatures } = await openpgp.verify({ message, signature, verificationKeys: publicKey, expectSigned: true });
      expect(signatures).toHaveLength(1);
      const tampered = await openpgp.createMessage({ binary: encoder.encode(decoder.decode(RELEASE).replace("stable", "stabl3")) });
      await expect(openpgp.verify({ message: tampered, signature, verificationKeys: publicKey, expectSigned: true })).rejects.toThrow();
    }
  });

  it("dates signatures from the injected clock", async () => {
    const at = Date.now() - 86_400_000;
    const clocked = await createRepositorySigner({ armoredPrivateKey: (await generateSigningKey({ name: "c", email: "c@example.invalid", date: new Date(at - 60_000) })).privateKeyArmored, clock: { now: () => at } });
    const signature = await openpgp.readSignature({ binarySignature: await clocked.signDetached(RELEASE, { armor: false }) });
    expect(signature.packets[0]?.created?.getTime()).toBe(Math.floor(at / 1000) * 1000);
  });

  it("refuses a Release it cannot clear-sign faithfully", async () => {
    await expect(signer.signInRelease(encoder.encode("Origin: a\r\n"))).rejects.toMatchObject({ code: "QUIPU_SIGNING_INPUT_INVALID" });
  });
});

describe("generateSigningKey", () => {
  it("makes a sign-only v4 Ed25519 key, optionally encrypted and expiring, self-signed with SHA-512", async () => {
    const made = await generateSigningKey({ name: "g", email: "g@example.invalid", passphrase: PASSPHRASE, expiresInSeconds: 86_400 });
    const key = await openpgp.readPrivateKey({ armoredKey: made.privateKeyArmored });
    expect(key.keyPacket.version).toBe(4);
    expect(key.getAlgorithmInfo()).toMatchObject({ algorithm: "eddsaLegacy", curve: "ed25519Legacy" });
    expect(key.subkeys).toHaveLength(0);
    expect(key.isDecrypted()).toBe(false);
    expect(key.users[0]?.selfCertifications[0]?.hashAlgorithm).toBe(openpgp.enums.hash.sha512);
    expect(key.getUserIDs()).toEqual(["g <g@example.invalid>"]);
    const signer = await createRepositorySigner({ armoredPrivateKey: made.privateKeyArmored, passphrase: PASSPHRASE });
    expect(signer.expiresAt?.getTime()).toBe(key.getCreationTime().getTime() + 86_400_000);
  });

  it("makes RSA keys on request", async () => {
    const made = await generateSigningKey({ name: "r", email: "r@example.invalid", type: "rsa", rsaBits: 2048 });
    const key = await openpgp.readPrivateKey({ armoredKey: made.privateKeyArmored });
    expect(key.getAlgorithmInfo()).toMatchObject({ algorithm: "rsaEncryptSign", bits: 2048 });
  });
});

describe("createRepositorySigner refuses unusable keys with QUIPU_SIGNING_KEY_INVALID, never showing secrets", () => {
  let plain: GeneratedSigningKey;
  let locked: GeneratedSigningKey;

  beforeAll(async () => {
    [plain, locked] = await Promise.all([
      generateSigningKey({ name: "p", email: "p@example.invalid" }),
      generateSigningKey({ name: "l", email: "l@example.invalid", passphrase: PASSPHRASE }),
    ]);
  });

  it.each([
    ["garbage", "this is not a key at all, but it is long enough to look like one"],
    ["an empty string", ""],
    ["a broken armor", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n"],
  ])("%s: unreadable", async (_, text) => {
    const error = await refusal({ armoredPrivateKey: text, passphrase: PASSPHRASE });
    expect(error).toMatchObject({ code: "QUIPU_SIGNING_KEY_INVALID", details: { reason: "unreadable" } });
  });

  it("a public key: not-private", async () => {
    const error = await refusal({ armoredPrivateKey: plain.publicKeyArmored });
    expect(error.details).toMatchObject({ reason: "not-private", fingerprint: plain.fingerprint });
  });

  it("an encrypted key without passphrase: passphrase-required", async () => {
    for (const passphrase of [undefined, ""]) {
      const error = await refusal({ armoredPrivateKey: locked.privateKeyArmored, passphrase });
      expect(error.details).toMatchObject({ reason: "passphrase-required", fingerprint: locked.fingerprint });
    }
  });

  it("an encrypted key with the wrong passphrase: wrong-passphrase (and neither passphrase is shown)", async () => {
    const error = await refusal({ armoredPrivateKey: locked.privateKeyArmored, passphrase: `${PASSPHRASE}-wrong` });
    expect(error.details).toMatchObject({ reason: "wrong-passphrase", fingerprint: locked.fingerprint });
    for (const shown of shownForms(error)) expect(shown).not.toContain(PASSPHRASE);
  });

  it("two keys in one text: several-keys", async () => {
    const error = await refusal({ armoredPrivateKey: `${plain.privateKeyArmored}\n${locked.privateKeyArmored}` });
    expect(error.details).toMatchObject({ reason: "several-keys" });
    // Two keys in one armor block.
    const both = await openpgp.readPrivateKey({ armoredKey: plain.privateKeyArmored });
    const other = await openpgp.readPrivateKey({ armoredKey: locked.privateKeyArmored });
    const packets = new Uint8Array([...both.write(), ...other.write()]);
    const oneBlock = openpgp.armor(openpgp.enums.armor.privateKey, packets);
    const inOne = await refusal({ armoredPrivateKey: oneBlock });
    expect(inOne.details).toMatchObject({ reason: "several-keys", fingerprints: [plain.fingerprint, locked.fingerprint] });
  });

  it("an expired key: expired", async () => {
    const old = await generateSigningKey({ name: "o", email: "o@example.invalid", date: new Date(Date.now() - 3 * 86_400_000), expiresInSeconds: 86_400 });
    const error = await refusal({ armoredPrivateKey: old.privateKeyArmored });
    expect(error.details).toMatchObject({ reason: "expired", fingerprint: old.fingerprint });
    // …but it was fine while valid (the clock decides).
    const then = await createRepositorySigner({ armoredPrivateKey: old.privateKeyArmored, clock: { now: () => Date.now() - 2.5 * 86_400_000 } });
    expect(then.fingerprint).toBe(old.fingerprint);
  });

  it("a revoked key: revoked", async () => {
    const { privateKey } = await openpgp.revokeKey({ key: await openpgp.readPrivateKey({ armoredKey: plain.privateKeyArmored }), format: "armored" });
    const error = await refusal({ armoredPrivateKey: privateKey });
    expect(error.details).toMatchObject({ reason: "revoked", fingerprint: plain.fingerprint });
  });

  it("a key whose secret signing part is a stub: cannot-sign", async () => {
    const key = await openpgp.readPrivateKey({ armoredKey: plain.privateKeyArmored });
    (key.keyPacket as openpgp.SecretKeyPacket).makeDummy();
    const error = await refusal({ armoredPrivateKey: key.armor() });
    expect(error.details).toMatchObject({ reason: "cannot-sign", fingerprint: plain.fingerprint });
  });

  it("a version 6 key: unsupported-key-version", async () => {
    const { privateKey } = await openpgp.generateKey({ type: "curve25519", userIDs: [{ name: "v6" }], format: "armored", config: { v6Keys: true } });
    const error = await refusal({ armoredPrivateKey: privateKey });
    expect(error.details).toMatchObject({ reason: "unsupported-key-version" });
  });

  it("a key self-signed with SHA-1: weak-binding-hash, unless allowed", async () => {
    const { privateKey } = await openpgp.generateKey({
      type: "rsa",
      rsaBits: 2048,
      userIDs: [{ name: "old", email: "old@example.invalid" }],
      subkeys: [],
      format: "armored",
      config: { preferredHashAlgorithm: openpgp.enums.hash.sha1, nonDeterministicSignaturesViaNotation: false },
    });
    const error = await refusal({ armoredPrivateKey: privateKey });
    expect(error.details).toMatchObject({ reason: "weak-binding-hash", hash: "SHA1", signature: "user ID self-signature" });
    const signer = await createRepositorySigner({ armoredPrivateKey: privateKey, allowWeakBindingHashes: true });
    // The signatures themselves still use SHA-512.
    const signature = await openpgp.readSignature({ binarySignature: await signer.signDetached(RELEASE, { armor: false }) });
    expect(signature.packets[0]?.hashAlgorithm).toBe(openpgp.enums.hash.sha512);
  });
});
