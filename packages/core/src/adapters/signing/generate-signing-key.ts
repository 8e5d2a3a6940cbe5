import * as openpgp from "openpgp";

export interface GenerateSigningKeyOptions {
  /** User ID name, e.g. `quipu repository signing key`. */
  readonly name: string;
  readonly email: string;
  /**
   * `ecc` (default): an Ed25519 (EdDSA, version 4) key, small and fast, read by gpg ≥ 2.1, sqv, rpm
   * and dnf. `rsa`: RSA (`rsaBits`, default 3072), for clients that predate EdDSA (EL7 yum).
   */
  readonly type?: "ecc" | "rsa" | undefined;
  readonly rsaBits?: 2048 | 3072 | 4096 | undefined;
  /** Encrypts the private key (iterated and salted S2K); omit for a key read without passphrase. */
  readonly passphrase?: string | undefined;
  /** Seconds from creation until the key expires; omit for a key that does not expire. */
  readonly expiresInSeconds?: number | undefined;
  /** Creation time (default now). */
  readonly date?: Date | undefined;
}

export interface GeneratedSigningKey {
  readonly privateKeyArmored: string;
  readonly publicKeyArmored: string;
  /** Primary key fingerprint, upper-case hex. */
  readonly fingerprint: string;
}

/**
 * Makes a sign-only OpenPGP key for repository signing (first-time setup, tests): a version 4
 * primary key with the sign and certify flags, no subkeys, self-signed with SHA-512 (Debian 13's
 * sqv rejects SHA-1 bindings). Keep the private key secret; publish the public key.
 */
export async function generateSigningKey(options: GenerateSigningKeyOptions): Promise<GeneratedSigningKey> {
  const type = options.type ?? "ecc";
  const keyOptions = {
    userIDs: [{ name: options.name, email: options.email }],
    subkeys: [],
    format: "object" as const,
    config: { preferredHashAlgorithm: openpgp.enums.hash.sha512, v6Keys: false },
    ...(type === "rsa" ? { type: "rsa" as const, rsaBits: options.rsaBits ?? 3072 } : { type: "ecc" as const, curve: "ed25519Legacy" as const }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.expiresInSeconds === undefined ? {} : { keyExpirationTime: options.expiresInSeconds }),
    ...(options.date === undefined ? {} : { date: options.date }),
  };
  const { privateKey, publicKey } = await openpgp.generateKey(keyOptions);
  return {
    privateKeyArmored: privateKey.armor(),
    publicKeyArmored: publicKey.armor(),
    fingerprint: privateKey.getFingerprint().toUpperCase(),
  };
}
