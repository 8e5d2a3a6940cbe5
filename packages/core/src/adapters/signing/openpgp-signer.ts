import * as openpgp from "openpgp";
import type { Clock } from "../../ports/clock.js";
import { assembleClearSigned, clearSignableText } from "./clear-signed-text.js";
import type { DetachedSignatureOptions, RepositorySigner } from "./repository-signer.js";
import { errorMessage, redact, signingKeyInvalid } from "./signing-errors.js";

export interface RepositorySignerOptions {
  /** The private key, ASCII-armored (`gpg --armor --export-secret-keys`, or `generateSigningKey`). One key. */
  readonly armoredPrivateKey: string;
  /** Passphrase of an encrypted key. Used once to decrypt, never kept or reported. */
  readonly passphrase?: string | undefined;
  /** Time of validation and of every signature (default the system clock). */
  readonly clock?: Pick<Clock, "now"> | undefined;
  /**
   * Accept a key whose self-signatures (user ID or subkey binding) use SHA-1, MD5 or RIPEMD-160.
   * Default false: Debian 13's apt verifies with sqv, whose policy rejects SHA-1 bindings since
   * 2026-02-01, so such a key would sign repositories that those clients refuse.
   */
  readonly allowWeakBindingHashes?: boolean | undefined;
}

/** Hashes too weak for a binding or a signature (sqv's policy refuses SHA-1 bindings; MD5 and RIPEMD-160 are long gone). */
const WEAK_HASHES = new Set<number>([openpgp.enums.hash.md5, openpgp.enums.hash.sha1, openpgp.enums.hash.ripemd]);

/** Signatures use SHA-512 (what gpg picks for modern keys); openpgp.js raises it when a curve needs more. */
const SIGNING_CONFIG = { preferredHashAlgorithm: openpgp.enums.hash.sha512 } as const;

/** An unknown (null) digest counts as weak. */
function isWeak(algorithm: number | null): boolean {
  return algorithm === null || WEAK_HASHES.has(algorithm);
}

function hashName(algorithm: number | null): string {
  if (algorithm === null) return "an unknown hash";
  try {
    return openpgp.enums.read(openpgp.enums.hash, algorithm).toUpperCase();
  } catch {
    return `hash #${algorithm}`;
  }
}

function upperHex(fingerprint: string): string {
  return fingerprint.toUpperCase();
}

type AnyKey = openpgp.PrivateKey | openpgp.Subkey;

function isSecretMaterialMissing(key: AnyKey): boolean {
  const packet = key.keyPacket as { isDummy?: () => boolean; isMissingSecretKeyMaterial?: () => boolean };
  return packet.isDummy?.() === true || packet.isMissingSecretKeyMaterial?.() === true;
}

function isLocked(key: AnyKey): boolean {
  return !isSecretMaterialMissing(key) && !key.isDecrypted();
}

async function readSingleKey(armoredPrivateKey: string, secrets: readonly (string | undefined)[]): Promise<openpgp.Key> {
  if (typeof armoredPrivateKey !== "string" || armoredPrivateKey.trim() === "") {
    throw signingKeyInvalid("unreadable", "no key text was given");
  }
  // The library reads only the first armor block of a text; a second one would be silently ignored.
  const blocks = armoredPrivateKey.match(/^-----BEGIN PGP [A-Z ,/0-9]+-----[ \t]*\r?$/gm) ?? [];
  if (blocks.length > 1) throw signingKeyInvalid("several-keys", `the text holds ${blocks.length} armored blocks; give exactly one key`);
  let keys: openpgp.Key[];
  try {
    keys = await openpgp.readKeys({ armoredKeys: armoredPrivateKey });
  } catch (error) {
    throw signingKeyInvalid("unreadable", "the text is not an ASCII-armored OpenPGP key", { library: redact(errorMessage(error), secrets) });
  }
  if (keys.length !== 1) {
    throw signingKeyInvalid("several-keys", `the text holds ${keys.length} keys; give exactly one`, {
      fingerprints: keys.map((key) => upperHex(key.getFingerprint())),
    });
  }
  return keys[0] as openpgp.Key;
}

async function unlock(key: openpgp.PrivateKey, passphrase: string | undefined, fingerprint: string, secrets: readonly (string | undefined)[]): Promise<openpgp.PrivateKey> {
  if (!key.getKeys().some(isLocked)) return key;
  if (passphrase === undefined || passphrase === "") {
    throw signingKeyInvalid("passphrase-required", "the key is encrypted and no passphrase was given", { fingerprint });
  }
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (error) {
    const message = errorMessage(error);
    if (/passphrase/i.test(message)) throw signingKeyInvalid("wrong-passphrase", "the passphrase does not decrypt the key", { fingerprint });
    throw signingKeyInvalid("unreadable", "the key could not be decrypted", { fingerprint, library: redact(message, secrets) });
  }
}

/** Earliest of the primary key's and the signing subkey's expiry (undefined when neither expires). */
async function expiryOf(key: openpgp.PrivateKey, signingKey: AnyKey, date: Date): Promise<Date | undefined> {
  const times = [await key.getExpirationTime()];
  if (signingKey !== key) times.push(await (signingKey as openpgp.Subkey).getExpirationTime(date));
  const dates = times.filter((time): time is Date => time instanceof Date);
  return dates.length === 0 ? undefined : new Date(Math.min(...dates.map((d) => d.getTime())));
}

/**
 * The self-signatures clients evaluate for our signatures: the primary user's certification and,
 * when a subkey signs, its binding signature and the embedded primary-key binding (back-signature).
 */
async function bindingHashes(key: openpgp.PrivateKey, signingKey: AnyKey, date: Date): Promise<{ signature: string; hash: number | null }[]> {
  const found: { signature: string; hash: number | null }[] = [];
  const primaryUser = await key.getPrimaryUser(date);
  found.push({ signature: "user ID self-signature", hash: primaryUser.selfCertification.hashAlgorithm });
  if (signingKey !== key) {
    const binding = await (signingKey as openpgp.Subkey).verify(date);
    found.push({ signature: "subkey binding signature", hash: binding.hashAlgorithm });
    if (binding.embeddedSignature) found.push({ signature: "primary key binding (back-signature)", hash: binding.embeddedSignature.hashAlgorithm });
  }
  return found;
}

/**
 * Reads, decrypts and checks a private key, and returns a signer for apt and dnf repository
 * metadata. Refused with `QUIPU_SIGNING_KEY_INVALID` (the reason in `details.reason`, never the
 * key text or passphrase): unreadable text, several keys, a public key, an encrypted key without
 * or with the wrong passphrase, a v6 key (gpgv 2.2 and gpgme-based dnf cannot read one), a revoked
 * or expired key, a key with no usable signing (sub)key, a key bound with SHA-1. A trial signature
 * is made before returning, so a signer that exists can sign.
 */
export async function createRepositorySigner(options: RepositorySignerOptions): Promise<RepositorySigner> {
  const { passphrase } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const secrets = [passphrase];
  const parsed = await readSingleKey(options.armoredPrivateKey, secrets);
  const fingerprint = upperHex(parsed.getFingerprint());
  if (!parsed.isPrivate()) {
    throw signingKeyInvalid("not-private", "this is a public key; signing needs the private key (gpg --export-secret-keys)", { fingerprint });
  }
  if (parsed.keyPacket.version !== 4) {
    throw signingKeyInvalid("unsupported-key-version", `version ${parsed.keyPacket.version} keys are not readable by gpgv 2.2 or dnf's gpgme; use a version 4 key`, {
      fingerprint,
    });
  }
  const key = await unlock(parsed, passphrase, fingerprint, secrets);
  const now = new Date(clock.now());

  if (await key.isRevoked(undefined, undefined, now)) throw signingKeyInvalid("revoked", "the key is revoked", { fingerprint });
  let primaryExpiry: Date | number | null;
  try {
    primaryExpiry = await key.getExpirationTime();
  } catch (error) {
    throw signingKeyInvalid("cannot-sign", "the key has no valid self-signature", { fingerprint, library: redact(errorMessage(error), secrets) });
  }
  if (primaryExpiry instanceof Date && primaryExpiry.getTime() <= now.getTime()) {
    throw signingKeyInvalid("expired", `the key expired on ${primaryExpiry.toISOString()}`, { fingerprint, expiredAt: primaryExpiry.toISOString() });
  }

  let signingKey: AnyKey;
  try {
    signingKey = await key.getSigningKey(undefined, now);
  } catch (error) {
    const message = redact(errorMessage(error), secrets);
    const expired = /expired/i.test(message);
    throw signingKeyInvalid(
      expired ? "expired" : "cannot-sign",
      expired ? "every signing key of it has expired" : "the key has no valid signing-capable key or subkey",
      { fingerprint, library: message },
    );
  }
  const signingKeyFingerprint = upperHex(signingKey.getFingerprint());
  if (isSecretMaterialMissing(signingKey)) {
    throw signingKeyInvalid("cannot-sign", "the secret part of the signing key is not in this export (a stub, e.g. kept on a card)", {
      fingerprint,
      signingKeyFingerprint,
    });
  }

  if (!options.allowWeakBindingHashes) {
    for (const { signature, hash } of await bindingHashes(key, signingKey, now)) {
      if (isWeak(hash)) {
        throw signingKeyInvalid("weak-binding-hash", `its ${signature} uses ${hashName(hash)}; Debian 13's apt (sqv) refuses such keys — re-certify it with SHA-256 or stronger`, {
          fingerprint,
          signingKeyFingerprint,
          signature,
          hash: hashName(hash),
        });
      }
    }
  }
  const expiresAt = await expiryOf(key, signingKey, now);
  const publicKey = key.toPublic();
  const publicKeyArmored = publicKey.armor();
  const publicKeyBinary = publicKey.write();
  const encoder = new TextEncoder();

  const signingDate = () => new Date(clock.now());
  /** Signs `message` detached (binary packet), checking the digest the library picked. */
  const signPackets = async (message: openpgp.Message<Uint8Array | string>): Promise<openpgp.Signature> => {
    let signature: openpgp.Signature;
    try {
      const binary = await openpgp.sign({ message, signingKeys: key, detached: true, format: "binary", date: signingDate(), config: SIGNING_CONFIG });
      signature = await openpgp.readSignature({ binarySignature: binary as Uint8Array });
    } catch (error) {
      throw signingKeyInvalid("signing-failed", "signing failed", { fingerprint, signingKeyFingerprint, library: redact(errorMessage(error), secrets) });
    }
    for (const packet of signature.packets) {
      if (isWeak(packet.hashAlgorithm)) {
        throw signingKeyInvalid("signing-failed", `the signature came out with ${hashName(packet.hashAlgorithm)}`, { fingerprint, hash: hashName(packet.hashAlgorithm) });
      }
    }
    return signature;
  };

  const signer: RepositorySigner = {
    fingerprint,
    signingKeyFingerprint,
    expiresAt,
    publicKeyArmored,
    publicKeyBinary,
    async signInRelease(release: Uint8Array): Promise<Uint8Array> {
      const text = clearSignableText(release);
      // A clear signature is a text-mode signature over the lines without trailing blanks, joined
      // by CRLF (RFC 4880 §7.1); the library canonicalises the line ends, the blanks go here.
      const signed = text.replace(/[ \t]+$/gm, "");
      const signature = await signPackets(await openpgp.createMessage({ text: signed }));
      const header = [...new Set(signature.packets.map((packet) => hashName(packet.hashAlgorithm)))].join(",");
      return encoder.encode(assembleClearSigned(text, header, signature.armor()));
    },
    async signDetached(data: Uint8Array, detachedOptions: DetachedSignatureOptions = {}): Promise<Uint8Array> {
      const signature = await signPackets(await openpgp.createMessage({ binary: data }));
      return detachedOptions.armor ?? true ? encoder.encode(signature.armor()) : (signature.write() as Uint8Array);
    },
  };

  // A trial signature: catches what the checks above cannot (unsupported algorithm, broken secret material).
  try {
    await signer.signDetached(new Uint8Array(0), { armor: false });
  } catch (error) {
    const details = (error as { details?: { reason?: unknown; library?: unknown } }).details;
    if (details?.reason === "signing-failed") {
      throw signingKeyInvalid("cannot-sign", "a trial signature failed", { fingerprint, signingKeyFingerprint, ...(details.library === undefined ? {} : { library: details.library }) });
    }
    throw error;
  }
  return signer;
}
