import { ControlParagraph, formatControlParagraph } from "./control-fields.js";
import { repoInvalid } from "./deb-errors.js";
import { HASH_NAMES, RELEASE_HASH_FIELD, type FileHashes, type HashName } from "./file-hashes.js";
import { isSafeRelativePath } from "./repo-names.js";

/** One file listed in a Release file, by path relative to the Release file's directory. */
export interface ReleaseFileEntry {
  readonly path: string;
  readonly size: number;
  readonly hashes: FileHashes;
}

/** The fields of a Release file (see §1.6 of the indexing reference). Lists are written space-separated. */
export interface ReleaseFields {
  readonly origin?: string | undefined;
  readonly label?: string | undefined;
  readonly suite?: string | undefined;
  readonly version?: string | undefined;
  readonly codename?: string | undefined;
  readonly changelogs?: string | undefined;
  /** Required: apt warns without it and refuses a Date in the future. Pass the clock's now for reproducible output. */
  readonly date: Date;
  readonly validUntil?: Date | undefined;
  readonly notAutomatic?: boolean | undefined;
  readonly butAutomaticUpgrades?: boolean | undefined;
  readonly acquireByHash?: boolean | undefined;
  /** Key fingerprints allowed to sign the next Release. */
  readonly signedBy?: readonly string[] | undefined;
  /** Writes `No-Support-for-Architecture-all: Packages` (arch:all packages are also in every binary-<arch> index). */
  readonly noSupportForArchitectureAll?: boolean | undefined;
  readonly packagesRequireAuthorization?: boolean | undefined;
  readonly architectures?: readonly string[] | undefined;
  readonly components?: readonly string[] | undefined;
  readonly description?: string | undefined;
  /** Checksum lists to write (default MD5Sum and SHA256, as Debian's archive does); one of sha256/sha512 is required. */
  readonly hashes?: readonly HashName[] | undefined;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 2822 date in UTC as apt expects it: `Sat, 09 Nov 2024 10:05:58 UTC`. */
export function formatReleaseDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw repoInvalid("Release date is not a valid date", { field: "Date" });
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

/** Default checksum lists of a Release file. */
export const DEFAULT_RELEASE_HASHES: readonly HashName[] = ["md5", "sha256"];

function singleLine(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "" || /[\x00-\x1f\x7f]/.test(value)) throw repoInvalid(`Release ${field} must be one non-empty line`, { field });
  return value.trim();
}

function words(field: string, values: readonly string[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  for (const value of values) if (!/^[^\s\x00-\x1f\x7f]+$/.test(value)) throw repoInvalid(`Release ${field} entry '${value}' is not one word`, { field });
  return values.length === 0 ? undefined : values.join(" ");
}

/**
 * Renders a Release file. Fields come in the order Debian's archive uses (Origin, Label, Suite,
 * Version, Codename, Changelogs, Date, Valid-Until, NotAutomatic, ButAutomaticUpgrades,
 * Acquire-By-Hash, Signed-By, No-Support-for-Architecture-all, Packages-Require-Authorization,
 * Architectures, Components, Description), then one checksum list per requested digest with
 * ` <hex> <size right-aligned in 16> <path>` lines (apt-ftparchive's layout), files sorted by path.
 * List every index by its uncompressed name too: apt ignores indexes whose uncompressed name is missing.
 */
export function renderRelease(fields: ReleaseFields, files: readonly ReleaseFileEntry[]): string {
  const hashes = fields.hashes ?? DEFAULT_RELEASE_HASHES;
  for (const name of hashes) if (!HASH_NAMES.includes(name)) throw repoInvalid(`unknown Release hash '${String(name)}'`, { field: "hashes" });
  if (!hashes.includes("sha256") && !hashes.includes("sha512")) {
    throw repoInvalid("Release needs a SHA256 or SHA512 list (apt refuses repositories with weak hashes only)", { field: "hashes" });
  }
  if (fields.validUntil !== undefined && !(fields.validUntil.getTime() > fields.date.getTime())) {
    throw repoInvalid("Valid-Until must be after Date", { field: "Valid-Until" });
  }
  const yes = (flag: boolean | undefined) => (flag ? "yes" : undefined);
  const header: Array<[string, string | undefined]> = [
    ["Origin", singleLine("Origin", fields.origin)],
    ["Label", singleLine("Label", fields.label)],
    ["Suite", singleLine("Suite", fields.suite)],
    ["Version", singleLine("Version", fields.version)],
    ["Codename", singleLine("Codename", fields.codename)],
    ["Changelogs", singleLine("Changelogs", fields.changelogs)],
    ["Date", formatReleaseDate(fields.date)],
    ["Valid-Until", fields.validUntil === undefined ? undefined : formatReleaseDate(fields.validUntil)],
    ["NotAutomatic", yes(fields.notAutomatic)],
    ["ButAutomaticUpgrades", yes(fields.butAutomaticUpgrades)],
    ["Acquire-By-Hash", yes(fields.acquireByHash)],
    ["Signed-By", words("Signed-By", fields.signedBy)],
    ["No-Support-for-Architecture-all", fields.noSupportForArchitectureAll ? "Packages" : undefined],
    ["Packages-Require-Authorization", yes(fields.packagesRequireAuthorization)],
    ["Architectures", words("Architectures", fields.architectures)],
    ["Components", words("Components", fields.components)],
    ["Description", singleLine("Description", fields.description)],
  ];
  const pairs = header.filter((pair): pair is [string, string] => pair[1] !== undefined);

  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 0; i < sorted.length; i += 1) {
    const file = sorted[i] as ReleaseFileEntry;
    if (!isSafeRelativePath(file.path)) throw repoInvalid(`unsafe path '${file.path}' in Release`, { path: file.path });
    if (i > 0 && sorted[i - 1]?.path === file.path) throw repoInvalid(`'${file.path}' is listed twice in Release`, { path: file.path });
  }
  for (const name of HASH_NAMES) {
    if (!hashes.includes(name)) continue;
    const lines = sorted.map((file) => {
      const digest = file.hashes[name];
      if (digest === undefined) throw repoInvalid(`no ${name} digest for '${file.path}'`, { path: file.path, hash: name });
      return `\n ${digest} ${String(file.size).padStart(16)} ${file.path}`;
    });
    pairs.push([RELEASE_HASH_FIELD[name], lines.join("")]);
  }
  return formatControlParagraph(ControlParagraph.from(pairs));
}
