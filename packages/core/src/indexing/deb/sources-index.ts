import { ControlParagraph, formatControlParagraphs } from "./control-fields.js";
import { repoInvalid } from "./deb-errors.js";
import { readDsc, type Dsc, type DscFileRef } from "./dsc-reader.js";
import { orderFields, SOURCES_FIELD_ORDER } from "./field-order.js";
import { computeFileHashes, HASH_NAMES, isHexDigest, SOURCES_HASH_FIELD, type FileHashes, type HashName } from "./file-hashes.js";
import { basename, dirname, isComponentName, isSafeRelativePath } from "./repo-names.js";

/** One source package as it goes into a Sources index. */
export interface AptSourceEntry {
  readonly dsc: Dsc;
  /** Path of the .dsc relative to the archive root; its directory becomes `Directory`. */
  readonly filename: string;
  /** Size and digests of the .dsc file itself. */
  readonly size: number;
  readonly hashes: FileHashes;
  /** Digests of referenced files that the .dsc does not carry (for example sha512), by file name. */
  readonly extraHashes?: Readonly<Record<string, Partial<FileHashes>>> | undefined;
  readonly component?: string | undefined;
}

export interface ReadDscSourceOptions {
  /** Where the .dsc will live, relative to the archive root; the files it lists sit next to it. */
  readonly filename: string;
  readonly component?: string | undefined;
  readonly extraHashes?: Readonly<Record<string, Partial<FileHashes>>> | undefined;
}

/** Reads a .dsc and digests it: the entry for `buildAptRepository`'s `sources`. */
export function readDscSource(bytes: Uint8Array, options: ReadDscSourceOptions): AptSourceEntry {
  const entry: AptSourceEntry = {
    dsc: readDsc(bytes, { fileName: options.filename }),
    filename: options.filename,
    size: bytes.length,
    hashes: computeFileHashes(bytes),
    extraHashes: options.extraHashes,
    ...(options.component === undefined ? {} : { component: options.component }),
  };
  checkSourceEntry(entry);
  return entry;
}

/** Checks paths, sizes and digests of a source entry (`QUIPU_DEB_REPO_INVALID`). */
export function checkSourceEntry(entry: AptSourceEntry): void {
  const file = entry.filename;
  if (!isSafeRelativePath(file)) throw repoInvalid(`unsafe or empty .dsc path '${file}'`, { file });
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw repoInvalid(`${file}: size must be a whole number of bytes`, { file });
  if (entry.component !== undefined && !isComponentName(entry.component)) throw repoInvalid(`${file}: invalid component '${entry.component}'`, { file });
  for (const name of HASH_NAMES) {
    const value = entry.hashes[name];
    if (value !== undefined && !isHexDigest(name, value)) throw repoInvalid(`${file}: ${name} is not a lower-case hex digest`, { file, hash: name });
  }
  for (const [refName, hashes] of Object.entries(entry.extraHashes ?? {})) {
    for (const name of HASH_NAMES) {
      const value = hashes[name];
      if (value !== undefined && !isHexDigest(name, value)) throw repoInvalid(`${file}: extra ${name} digest of '${refName}' is malformed`, { file, hash: name });
    }
  }
}

/** Fields of the .dsc that the indexer replaces (apt-ftparchive drops Priority without an override file). */
const INDEXER_FIELDS = ["Source", "Package", "Directory", "Files", "Checksums-Sha1", "Checksums-Sha256", "Checksums-Sha512", "Priority", "Status"];

/**
 * The Sources stanza for one .dsc, as apt-ftparchive writes it: `Source` renamed `Package`,
 * `Directory` added, and `Files`/`Checksums-*` listing the .dsc itself first, then each file it
 * references. A checksum list is written only when every file has that digest.
 */
export function renderSourcesStanza(entry: AptSourceEntry): ControlParagraph {
  checkSourceEntry(entry);
  const dscName = basename(entry.filename);
  const self: DscFileRef = { name: dscName, size: entry.size, ...entry.hashes };
  const files: DscFileRef[] = [self, ...entry.dsc.files.map((ref) => ({ ...(entry.extraHashes?.[ref.name] ?? {}), ...stripUndefined(ref) }))];
  const pairs: Array<[string, string]> = entry.dsc.paragraph.delete(...INDEXER_FIELDS).pairs();
  pairs.push(["Package", entry.dsc.source], ["Directory", dirname(entry.filename) || "."]);
  for (const name of HASH_NAMES) {
    if (!files.every((ref) => ref[name] !== undefined)) {
      if (name === "sha256") throw repoInvalid(`${entry.filename}: SHA256 is missing for some referenced file`, { file: entry.filename });
      continue;
    }
    pairs.push([SOURCES_HASH_FIELD[name], files.map((ref) => `\n ${ref[name]} ${ref.size} ${ref.name}`).join("")]);
  }
  return ControlParagraph.from(orderFields(pairs, SOURCES_FIELD_ORDER));
}

function stripUndefined(ref: DscFileRef): DscFileRef {
  return Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined)) as unknown as DscFileRef;
}

/** A Sources file: the stanzas of `entries` in the given order, each followed by a blank line. */
export function renderSourcesIndex(entries: Iterable<AptSourceEntry>): string {
  return formatControlParagraphs([...entries].map((entry) => renderSourcesStanza(entry)));
}
