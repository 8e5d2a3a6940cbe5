import { ControlParagraph, formatControlParagraphs } from "./control-fields.js";
import { repoInvalid } from "./deb-errors.js";
import { orderFields, PACKAGES_FIELD_ORDER } from "./field-order.js";
import { HASH_NAMES, PACKAGES_HASH_FIELD, type HashName } from "./file-hashes.js";
import { checkPackageEntry, type AptPackageEntry } from "./package-entry.js";

export interface PackagesStanzaOptions {
  /** Digests to write; default every digest the entry carries (SHA256 is always written). */
  readonly hashes?: readonly HashName[] | undefined;
}

/** Control fields the indexer owns (lower case): dropped from the control paragraph, then written from the entry. */
const INDEXER_FIELDS = new Set(["filename", "size", "md5sum", "sha1", "sha256", "sha512", "status"]);

/**
 * The Packages stanza for one .deb, as apt-ftparchive writes it: every control field except
 * `Status`, plus `Filename`, `Size` and the digests, in apt's canonical field order (known names
 * respelled canonically, unknown fields after them in control order).
 */
export function renderPackagesStanza(entry: AptPackageEntry, options: PackagesStanzaOptions = {}): ControlParagraph {
  checkPackageEntry(entry);
  const wanted = new Set<HashName>(options.hashes ?? HASH_NAMES.filter((name) => entry.hashes[name] !== undefined));
  wanted.add("sha256");
  // Filter the pairs rather than `control.delete(...)`, which would validate every field once more.
  const pairs: Array<[string, string]> = entry.control.pairs().filter(([name]) => !INDEXER_FIELDS.has(name.toLowerCase()));
  pairs.push(["Filename", entry.filename], ["Size", String(entry.size)]);
  for (const name of HASH_NAMES) {
    if (!wanted.has(name)) continue;
    const value = entry.hashes[name];
    if (value === undefined) throw repoInvalid(`${entry.filename}: no ${name} digest given but ${name} was asked for`, { file: entry.filename, hash: name });
    pairs.push([PACKAGES_HASH_FIELD[name], value]);
  }
  return ControlParagraph.from(orderFields(pairs, PACKAGES_FIELD_ORDER));
}

/** A Packages file: the stanzas of `entries` in the given order, each followed by a blank line. */
export function renderPackagesIndex(entries: Iterable<AptPackageEntry>, options: PackagesStanzaOptions = {}): string {
  return formatControlParagraphs([...entries].map((entry) => renderPackagesStanza(entry, options)));
}
