import { QuipuError } from "../../errors/quipu-error.js";
import { printable } from "./ar-reader.js";
import { controlValueLines, parseControlParagraph, type ControlParagraph } from "./control-fields.js";
import { decodeControlText } from "./deb-reader.js";
import { parseDebianVersion } from "./debian-version.js";
import { HASH_HEX_LENGTH, SOURCES_HASH_FIELD, type HashName } from "./file-hashes.js";

/** A file a .dsc refers to (the tarballs, the Debian diff), with the digests the .dsc gives. */
export interface DscFileRef {
  readonly name: string;
  readonly size: number;
  readonly md5?: string | undefined;
  readonly sha1?: string | undefined;
  readonly sha256?: string | undefined;
  readonly sha512?: string | undefined;
}

/** A parsed .dsc (dsc(5)) with its PGP armor, if any, removed (the signature is not verified here). */
export interface Dsc {
  readonly paragraph: ControlParagraph;
  readonly source: string;
  readonly version: string;
  readonly format: string | undefined;
  readonly binaries: readonly string[];
  readonly architecture: string | undefined;
  /** Referenced files in the order of the `Files` list (or of the first checksum list present). */
  readonly files: readonly DscFileRef[];
  /** Whether the text was an OpenPGP clear-signed message. */
  readonly signed: boolean;
}

export interface DscReadOptions {
  /** Names the file in errors. */
  readonly fileName?: string | undefined;
}

function dscInvalid(file: string | undefined, reason: string, cause?: unknown): QuipuError {
  return new QuipuError("QUIPU_DEB_DSC_INVALID", `invalid .dsc${file === undefined ? "" : ` ${file}`}: ${reason}`, {
    details: { file, reason },
    cause,
  });
}

const BEGIN_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----";
const BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
const END_SIGNATURE = "-----END PGP SIGNATURE-----";

/**
 * Removes OpenPGP clear-sign armor (RFC 4880 §7): armor headers up to the first empty line, the
 * dash-escaping of the signed text, and the signature block. Unsigned text is returned as is. A
 * truncated or malformed armor raises `QUIPU_DEB_DSC_INVALID`.
 */
export function stripClearSignature(text: string, options: DscReadOptions = {}): { text: string; signed: boolean } {
  const file = options.fileName;
  const lines = text.split("\n");
  const bare = (line: string | undefined) => (line ?? "").replace(/[ \t\r]+$/, "");
  let i = 0;
  while (i < lines.length && bare(lines[i]) === "") i += 1;
  if (bare(lines[i]) !== BEGIN_SIGNED) {
    if (/^-----BEGIN PGP /m.test(text)) throw dscInvalid(file, "PGP armor found but the text does not start with a signed-message header");
    return { text, signed: false };
  }
  i += 1;
  while (i < lines.length && bare(lines[i]) !== "") {
    if (!/^[A-Za-z-]+: /.test(lines[i] ?? "")) throw dscInvalid(file, `malformed PGP armor header '${printable(bare(lines[i]).slice(0, 60))}'`);
    i += 1;
  }
  if (i >= lines.length) throw dscInvalid(file, "PGP signed message has no text (truncated armor)");
  i += 1;
  const body: string[] = [];
  for (; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    if (bare(line) === BEGIN_SIGNATURE) break;
    if (bare(line) === BEGIN_SIGNED) throw dscInvalid(file, "nested PGP signed message");
    body.push(line.startsWith("- ") ? line.slice(2) : line);
  }
  if (i >= lines.length) throw dscInvalid(file, "PGP signed message has no signature block (truncated)");
  let end = i + 1;
  while (end < lines.length && bare(lines[end]) !== END_SIGNATURE) end += 1;
  if (end >= lines.length) throw dscInvalid(file, "PGP signature block is not terminated (truncated)");
  for (let rest = end + 1; rest < lines.length; rest += 1) {
    if (bare(lines[rest]) !== "") throw dscInvalid(file, "data after the PGP signature");
  }
  // The line break before the signature belongs to the armor; the paragraph needs a final newline.
  const signedText = body.map((line) => line.replace(/\r$/, "")).join("\n");
  return { text: `${signedText}\n`, signed: true };
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9+.-]*$/;

function parseFileList(paragraph: ControlParagraph, hash: HashName, file: string | undefined): DscFileRef[] | undefined {
  const field = SOURCES_HASH_FIELD[hash];
  const value = paragraph.get(field);
  if (value === undefined) return undefined;
  const refs: DscFileRef[] = [];
  for (const rawLine of controlValueLines(value)) {
    const line = rawLine.trim();
    if (line === "") continue;
    const match = /^([0-9A-Fa-f]+)\s+([0-9]+)\s+(\S+)$/.exec(line);
    if (!match) throw dscInvalid(file, `malformed line in ${field}: '${printable(line.slice(0, 120))}'`);
    const [, digest = "", sizeText = "", name = ""] = match;
    if (digest.length !== HASH_HEX_LENGTH[hash]) throw dscInvalid(file, `${field} entry for '${printable(name)}' is not a ${hash} digest`);
    const size = Number.parseInt(sizeText, 10);
    if (!Number.isSafeInteger(size)) throw dscInvalid(file, `${field} entry for '${printable(name)}' has an impossible size`);
    if (name.includes("/") || name === "." || name === ".." || /[\x00-\x1f\x7f]/.test(name)) {
      throw dscInvalid(file, `${field} names an unsafe file '${printable(name)}'`);
    }
    if (refs.some((ref) => ref.name === name)) throw dscInvalid(file, `${field} lists '${printable(name)}' twice`);
    refs.push({ name, size, [hash]: digest.toLowerCase() });
  }
  if (refs.length === 0) throw dscInvalid(file, `${field} is empty`);
  return refs;
}

/**
 * Parses a .dsc (possibly clear-signed) from bytes or text: one control paragraph with `Source`,
 * `Version` and a file list (`Files` and/or `Checksums-Sha1|Sha256|Sha512`). The lists are merged
 * per file and must agree on names and sizes. Problems raise `QUIPU_DEB_DSC_INVALID`.
 */
export function readDsc(input: Uint8Array | string, options: DscReadOptions = {}): Dsc {
  const file = options.fileName;
  const decoded = typeof input === "string" ? input : decodeControlText(input).text;
  const { text, signed } = stripClearSignature(decoded, options);
  let paragraph: ControlParagraph;
  try {
    paragraph = parseControlParagraph(text, { file });
  } catch (error) {
    throw dscInvalid(file, `unreadable control paragraph: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const source = paragraph.get("Source");
  if (source === undefined || !SOURCE_NAME.test(source)) throw dscInvalid(file, source === undefined ? "no Source field" : `invalid Source '${printable(source)}'`);
  const version = paragraph.get("Version");
  if (version === undefined || parseDebianVersion(version) === undefined) {
    throw dscInvalid(file, version === undefined ? "no Version field" : `invalid Version '${printable(version)}'`);
  }

  const lists = (["md5", "sha1", "sha256", "sha512"] as const)
    .map((hash) => [hash, parseFileList(paragraph, hash, file)] as const)
    .filter((entry): entry is readonly [HashName, DscFileRef[]] => entry[1] !== undefined);
  const [primary] = lists;
  if (primary === undefined) throw dscInvalid(file, "no Files or Checksums-* list");
  const merged = new Map<string, DscFileRef>(primary[1].map((ref) => [ref.name, ref]));
  for (const [hash, refs] of lists.slice(1)) {
    if (refs.length !== merged.size) throw dscInvalid(file, `${SOURCES_HASH_FIELD[hash]} and ${SOURCES_HASH_FIELD[primary[0]]} list different files`);
    for (const ref of refs) {
      const known = merged.get(ref.name);
      if (known === undefined) throw dscInvalid(file, `${SOURCES_HASH_FIELD[hash]} lists '${printable(ref.name)}' which ${SOURCES_HASH_FIELD[primary[0]]} does not`);
      if (known.size !== ref.size) throw dscInvalid(file, `'${printable(ref.name)}' has different sizes in ${SOURCES_HASH_FIELD[hash]} and ${SOURCES_HASH_FIELD[primary[0]]}`);
      merged.set(ref.name, { ...known, [hash]: ref[hash] });
    }
  }

  const binaries = (paragraph.get("Binary") ?? "").split(/[\s,]+/).filter((b) => b !== "");
  return {
    paragraph,
    source,
    version,
    format: paragraph.get("Format"),
    binaries,
    architecture: paragraph.get("Architecture"),
    files: [...merged.values()],
    signed,
  };
}
