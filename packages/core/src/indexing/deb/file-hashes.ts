import { hash } from "node:crypto";

/** The digests apt indexes can carry, weakest first. */
export const HASH_NAMES = ["md5", "sha1", "sha256", "sha512"] as const;
export type HashName = (typeof HASH_NAMES)[number];

/** Lower-case hex digests of one file; SHA256 is the one apt cannot do without. */
export interface FileHashes {
  readonly md5?: string | undefined;
  readonly sha1?: string | undefined;
  readonly sha256: string;
  readonly sha512?: string | undefined;
}

/** Hex length of each digest. */
export const HASH_HEX_LENGTH: Readonly<Record<HashName, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

/** Field names used for each digest in Packages stanzas, in Release lists and in by-hash paths. */
export const PACKAGES_HASH_FIELD: Readonly<Record<HashName, string>> = { md5: "MD5sum", sha1: "SHA1", sha256: "SHA256", sha512: "SHA512" };
export const RELEASE_HASH_FIELD: Readonly<Record<HashName, string>> = { md5: "MD5Sum", sha1: "SHA1", sha256: "SHA256", sha512: "SHA512" };
export const SOURCES_HASH_FIELD: Readonly<Record<HashName, string>> = { md5: "Files", sha1: "Checksums-Sha1", sha256: "Checksums-Sha256", sha512: "Checksums-Sha512" };

/** Digests of `bytes`: all four unless `names` narrows them (sha256 is always computed). */
export function computeFileHashes(bytes: Uint8Array, names: readonly HashName[] = HASH_NAMES): FileHashes {
  // One-shot `hash`: a few times faster than a Hash object for the small files of a repository.
  const hex = (name: HashName): string => hash(name, bytes, "hex");
  const hashes: { -readonly [K in HashName]?: string } = {};
  for (const name of HASH_NAMES) if (name === "sha256" || names.includes(name)) hashes[name] = hex(name);
  return hashes as FileHashes;
}

/** True when `value` is a lower-case hex digest of the right length for `name`. */
export function isHexDigest(name: HashName, value: string): boolean {
  return value.length === HASH_HEX_LENGTH[name] && /^[0-9a-f]+$/.test(value);
}
