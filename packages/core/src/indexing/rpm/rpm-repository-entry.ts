import { QuipuError } from "../../errors/quipu-error.js";
import { checksumHexLength, repodataChecksumTypes, type PackageFileFacts, type RepodataChecksumType } from "./package-facts.js";
import { repodataChecksum } from "./repodata-checksum.js";
import { readRpm, type RpmPackageMetadata } from "./rpm-reader.js";

/** Fragments rendered by `renderRpmPackage` for one package, reusable while package and options are unchanged. */
export interface RenderedRpmPackage {
  readonly primary: string;
  readonly filelists: string;
  readonly other: string;
}

/** One package of a repository: its header metadata plus the facts about its file. */
export interface RpmRepositoryEntry extends Omit<PackageFileFacts, "checksumType"> {
  readonly metadata: RpmPackageMetadata;
  /** Fragments from an earlier `renderRpmPackage` with the same options (an incremental cache); used as is. */
  readonly rendered?: RenderedRpmPackage;
}

export interface CreateRpmRepositoryEntryOptions {
  /** Path relative to the repository root. */
  href: string;
  /** Unix seconds (`<time file>`). */
  fileMtime: number;
  checksumType?: RepodataChecksumType;
  locationBase?: string;
  /** Named in errors; defaults to `href`. */
  fileName?: string;
}

/** Reads a whole .rpm and hashes it: the usual way to make an entry when the bytes are at hand. */
export function createRpmRepositoryEntry(bytes: Uint8Array, options: CreateRpmRepositoryEntryOptions): RpmRepositoryEntry {
  const metadata = readRpm(bytes, { fileName: options.fileName ?? options.href });
  return {
    metadata,
    href: options.href,
    size: bytes.length,
    pkgid: repodataChecksum(bytes, options.checksumType ?? "sha256"),
    fileMtime: options.fileMtime,
    ...(options.locationBase === undefined ? {} : { locationBase: options.locationBase }),
  };
}

function entryInvalid(href: unknown, reason: string): QuipuError {
  return new QuipuError("QUIPU_RPM_ENTRY_INVALID", `rpm repository entry ${JSON.stringify(href)}: ${reason}`, {
    details: { href: typeof href === "string" ? href : null, reason },
  });
}

/**
 * Checks what repodata needs from an entry: an href that is a relative forward-slash path inside
 * the repository (no `.`/`..`/empty segments, no backslash or control characters), a pkgid that is
 * the hex digest length of `checksumType`, and non-negative integer size and mtime.
 */
export function checkRpmRepositoryEntry(entry: RpmRepositoryEntry, checksumType: RepodataChecksumType): void {
  const { href } = entry;
  if (typeof href !== "string" || href === "") throw entryInvalid(href, "href is empty");
  if (href.startsWith("/")) throw entryInvalid(href, "href must be relative to the repository root");
  if (/[\\\u0000-\u001f\u007f]/.test(href)) throw entryInvalid(href, "href contains a backslash or a control character");
  if (href.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) {
    throw entryInvalid(href, "href has an empty, '.' or '..' segment");
  }
  if (!repodataChecksumTypes.includes(checksumType)) throw entryInvalid(href, `unknown checksum type ${String(checksumType)}`);
  const length = checksumHexLength[checksumType];
  if (typeof entry.pkgid !== "string" || entry.pkgid.length !== length || !/^[0-9a-f]+$/.test(entry.pkgid)) {
    throw entryInvalid(href, `pkgid must be ${length} lowercase hex digits (${checksumType} of the file)`);
  }
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw entryInvalid(href, "size must be a non-negative integer");
  if (!Number.isSafeInteger(entry.fileMtime) || entry.fileMtime < 0) throw entryInvalid(href, "fileMtime must be a non-negative integer (Unix seconds)");
  if (typeof entry.metadata !== "object" || entry.metadata === null) throw entryInvalid(href, "metadata is missing");
}
