import { QuipuError } from "../../errors/quipu-error.js";
import { createCodecs, type Codecs, type CompressionFormat } from "../codecs.js";
import { FILELISTS_XML_FOOT, filelistsXmlHead, renderFilelistsPackage } from "./filelists-xml.js";
import { OTHER_XML_FOOT, otherXmlHead, renderOtherPackage } from "./other-xml.js";
import type { RepodataChecksumType } from "./package-facts.js";
import { PRIMARY_XML_FOOT, primaryXmlHead, renderPrimaryPackage } from "./primary-xml.js";
import { repodataChecksum } from "./repodata-checksum.js";
import { checkChangelogLimit, toRepodataPackage, type RepodataRules } from "./repodata-package.js";
import { renderRepomdXml, type RepomdRecord, type RepomdTags } from "./repomd-xml.js";
import { checkRpmRepositoryEntry, type RenderedRpmPackage, type RpmRepositoryEntry } from "./rpm-repository-entry.js";
import { Utf8Assembler } from "./utf8-assembler.js";

/** One file to publish, path relative to the repository root. */
export interface RpmRepositoryFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface RenderRpmPackageOptions extends RepodataRules {
  /** Digest type of pkgids and of repomd's checksums. Default sha256. */
  checksumType?: RepodataChecksumType;
}

export interface BuildRpmRepositoryOptions extends RenderRpmPackageOptions {
  /** Compression of primary/filelists/other. Default gzip (readable by every yum/dnf/zypper); zstd needs dnf ≥ 4.2 / EL ≥ 8.4. */
  compression?: CompressionFormat;
  /** Codecs port; gzip is built in, zstd/xz/bzip2 must be injected. Default `createCodecs()`. */
  codecs?: Codecs;
  /** `<revision>`. Default: the timestamp, as a decimal string. */
  revision?: string;
  /**
   * `<timestamp>` of every record (createrepo_c uses the metadata files' mtime; with
   * `--set-timestamp-to-revision`, the revision). Default: the newest `fileMtime` among the
   * packages (0 for an empty repository), so the same input always gives the same bytes.
   */
  timestamp?: number;
  /** `<hash>-primary.xml.gz` style names (createrepo_c's default). Default true. */
  uniqueMdFilenames?: boolean;
  tags?: RepomdTags;
}

const EXTENSIONS: Record<CompressionFormat, string> = { none: "", gzip: ".gz", xz: ".xz", zstd: ".zst", bzip2: ".bz2" };

/** Renders one package's three fragments (pure; cache them keyed by the entry and these options). */
export function renderRpmPackage(entry: RpmRepositoryEntry, options: RenderRpmPackageOptions = {}): RenderedRpmPackage {
  const checksumType = options.checksumType ?? "sha256";
  const pkg = toRepodataPackage(entry.metadata, options);
  const facts = { ...entry, checksumType };
  return {
    primary: renderPrimaryPackage(pkg, facts),
    filelists: renderFilelistsPackage(pkg, facts),
    other: renderOtherPackage(pkg, facts),
  };
}

/** createrepo_c's package order: file name, then full path; byte-wise (code point) comparison. */
export function compareRpmEntries(x: Pick<RpmRepositoryEntry, "href">, y: Pick<RpmRepositoryEntry, "href">): number {
  return compareCodePoints(basename(x.href), basename(y.href)) || compareCodePoints(x.href, y.href);
}

function basename(href: string): string {
  return href.slice(href.lastIndexOf("/") + 1);
}

function compareCodePoints(x: string, y: string): number {
  if (x === y) return 0;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const cx = x.codePointAt(i)!;
    const cy = y.codePointAt(i)!;
    if (cx !== cy) return cx - cy;
    if (cx > 0xffff) i++;
  }
  return x.length - y.length;
}

/**
 * Builds a dnf/yum repository's metadata from package entries: `repodata/*-primary.xml.<c>`,
 * `*-filelists.xml.<c>`, `*-other.xml.<c>` and, **last**, `repodata/repomd.xml` — so a caller that
 * writes the files in order and renames repomd.xml into place publishes atomically. The XML equals
 * createrepo_c's for the same packages, mtimes and options. Deterministic: same input, same bytes.
 */
export function buildRpmRepository(entries: readonly RpmRepositoryEntry[], options: BuildRpmRepositoryOptions = {}): RpmRepositoryFile[] {
  const checksumType = options.checksumType ?? "sha256";
  const compression = options.compression ?? "gzip";
  const codecs = options.codecs ?? createCodecs();
  checkChangelogLimit(options.changelogLimit ?? 10);
  if (!(compression in EXTENSIONS)) {
    throw new QuipuError("QUIPU_VALIDATION_FAILED", `unknown compression ${String(compression)}`, {
      details: { issues: [`compression: must be one of ${Object.keys(EXTENSIONS).join(", ")}`] },
    });
  }
  if (!codecs.supports(compression, "compress")) {
    throw new QuipuError("QUIPU_CODEC_UNSUPPORTED", `no compressor for ${compression} is configured`, {
      details: { format: compression, direction: "compress" },
    });
  }

  const seen = new Set<string>();
  for (const entry of entries) {
    checkRpmRepositoryEntry(entry, checksumType);
    if (seen.has(entry.href)) {
      throw new QuipuError("QUIPU_RPM_ENTRY_INVALID", `rpm repository entry ${JSON.stringify(entry.href)}: listed twice`, {
        details: { href: entry.href, reason: "duplicate href" },
      });
    }
    seen.add(entry.href);
  }
  const ordered = [...entries].sort(compareRpmEntries);
  const count = ordered.length;
  const primary = new Utf8Assembler(count * 3072 + 1024);
  const filelists = new Utf8Assembler(count * 1024 + 1024);
  const other = new Utf8Assembler(count * 1024 + 1024);
  primary.append(primaryXmlHead(count));
  filelists.append(filelistsXmlHead(count));
  other.append(otherXmlHead(count));
  let newest = 0;
  for (const entry of ordered) {
    const rendered = entry.rendered ?? renderRpmPackage(entry, options);
    primary.append(rendered.primary);
    filelists.append(rendered.filelists);
    other.append(rendered.other);
    newest = Math.max(newest, entry.fileMtime);
  }
  primary.append(PRIMARY_XML_FOOT);
  filelists.append(FILELISTS_XML_FOOT);
  other.append(OTHER_XML_FOOT);
  const documents: [string, Uint8Array][] = [
    ["primary", primary.bytes()],
    ["filelists", filelists.bytes()],
    ["other", other.bytes()],
  ];
  const timestamp = options.timestamp ?? newest;
  const revision = options.revision ?? String(timestamp);

  const encoder = new TextEncoder();
  const files: RpmRepositoryFile[] = [];
  const records: RepomdRecord[] = [];
  for (const [type, open] of documents) {
    const stored = compression === "none" ? open.slice() : codecs.compress(compression, open);
    const checksum = repodataChecksum(stored, checksumType);
    const name = `${type}.xml${EXTENSIONS[compression]}`;
    const path = `repodata/${options.uniqueMdFilenames === false ? name : `${checksum}-${name}`}`;
    files.push({ path, bytes: stored });
    records.push({
      type,
      checksumType,
      checksum,
      ...(compression === "none" ? {} : { openChecksum: repodataChecksum(open, checksumType), openSize: open.length }),
      href: path,
      timestamp,
      size: stored.length,
    });
  }
  const repomd = renderRepomdXml({ revision, records, ...(options.tags === undefined ? {} : { tags: options.tags }) });
  files.push({ path: "repodata/repomd.xml", bytes: encoder.encode(repomd) });
  return files;
}
