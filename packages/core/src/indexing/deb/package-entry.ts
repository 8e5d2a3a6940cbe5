import type { Codecs } from "../codecs.js";
import type { ControlParagraph } from "./control-fields.js";
import { readDebControl, type DebControl } from "./deb-reader.js";
import { repoInvalid } from "./deb-errors.js";
import { computeFileHashes, HASH_NAMES, isHexDigest, type FileHashes, type HashName } from "./file-hashes.js";
import { isArchitectureName, isComponentName, isSafeRelativePath } from "./repo-names.js";

/** One .deb as it goes into a Packages index. */
export interface AptPackageEntry {
  /** The package's control paragraph (from `readDebControl`). */
  readonly control: ControlParagraph;
  /** Path of the .deb relative to the archive root (the `Filename` field). */
  readonly filename: string;
  /** Size of the .deb in bytes. */
  readonly size: number;
  readonly hashes: FileHashes;
  /** Component it is published in; the repository's first component when absent. */
  readonly component?: string | undefined;
}

export interface ReadDebPackageOptions {
  readonly codecs: Codecs;
  /** Where the .deb will live, relative to the archive root (for example `pool/main/h/hello/hello_1.0_amd64.deb`). */
  readonly filename: string;
  readonly component?: string | undefined;
  /** Digests to compute (default: all four, as apt-ftparchive writes). */
  readonly hashes?: readonly HashName[] | undefined;
}

/** Reads a .deb's control data and digests in one call: the entry for `buildAptRepository`, plus what was read. */
export function readDebPackage(bytes: Uint8Array, options: ReadDebPackageOptions): AptPackageEntry & { readonly deb: DebControl } {
  const deb = readDebControl(bytes, { codecs: options.codecs, fileName: options.filename });
  const entry = {
    control: deb.control,
    filename: options.filename,
    size: bytes.length,
    hashes: computeFileHashes(bytes, options.hashes ?? HASH_NAMES),
    ...(options.component === undefined ? {} : { component: options.component }),
    deb,
  };
  checkPackageEntry(entry);
  return entry;
}

/** The identity of a stanza: Package, Version, Architecture from the control paragraph. */
export interface PackageIdentity {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
}

/**
 * Checks an entry before it is rendered: required control fields present and single-line, a safe
 * relative filename, a whole-number size and well-formed digests with SHA256 present. Raises
 * `QUIPU_DEB_REPO_INVALID` naming the file.
 */
export function checkPackageEntry(entry: AptPackageEntry): PackageIdentity {
  const file = entry.filename;
  if (typeof file !== "string" || !isSafeRelativePath(file)) {
    throw repoInvalid(`unsafe or empty Filename '${String(file)}' (must be relative, without '..', whitespace or control characters)`, { file });
  }
  const field = (name: string): string => {
    const value = entry.control.get(name);
    if (value === undefined || value === "" || value.includes("\n")) throw repoInvalid(`${file}: control has no single-line ${name} field`, { file, field: name });
    return value;
  };
  const identity = { package: field("Package"), version: field("Version"), architecture: field("Architecture") };
  if (!isArchitectureName(identity.architecture)) throw repoInvalid(`${file}: invalid Architecture '${identity.architecture}'`, { file });
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw repoInvalid(`${file}: size must be a whole number of bytes`, { file });
  if (entry.component !== undefined && !isComponentName(entry.component)) throw repoInvalid(`${file}: invalid component '${entry.component}'`, { file });
  for (const name of HASH_NAMES) {
    const value = entry.hashes[name];
    if (value === undefined) {
      if (name === "sha256") throw repoInvalid(`${file}: SHA256 is required (apt refuses packages without a strong hash)`, { file });
      continue;
    }
    if (!isHexDigest(name, value)) throw repoInvalid(`${file}: ${name} is not a lower-case hex digest`, { file, hash: name });
  }
  return identity;
}
