/** Checksum algorithms createrepo_c offers (`-s`); sha256 is the default and what dnf expects. */
export type RepodataChecksumType = "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512";

export const repodataChecksumTypes: readonly RepodataChecksumType[] = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

/** Hex digest length of each checksum type. */
export const checksumHexLength: Readonly<Record<RepodataChecksumType, number>> = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/**
 * The facts about one package *file* (rather than its headers) that repodata records: its digest,
 * where it lives, how big it is and when it was last modified.
 */
export interface PackageFileFacts {
  /** Hex digest of the whole .rpm in `checksumType` (the `pkgid`). */
  readonly pkgid: string;
  readonly checksumType: RepodataChecksumType;
  /** Path relative to the repository root, forward slashes (`<location href>`). */
  readonly href: string;
  /** Optional `<location xml:base>`; a value starting with `/` gets `file://` prepended, as createrepo_c does. */
  readonly locationBase?: string;
  /** File size in bytes (`<size package>`). */
  readonly size: number;
  /** File mtime in Unix seconds (`<time file>`). */
  readonly fileMtime: number;
}
