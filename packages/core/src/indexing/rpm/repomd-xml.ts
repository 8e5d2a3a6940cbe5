import type { RepodataChecksumType } from "./package-facts.js";
import { RPM_NS } from "./primary-xml.js";
import { escapeXmlAttribute as a, escapeXmlText as t, XML_DECLARATION } from "./xml-writer.js";

export const REPO_NS = "http://linux.duke.edu/metadata/repo";

/** One `<data type="…">` of repomd.xml. */
export interface RepomdRecord {
  /** `primary`, `filelists`, `other`, or any additional type (`group`, `updateinfo`, …). */
  readonly type: string;
  readonly checksumType: RepodataChecksumType;
  /** Digest of the file as stored (compressed). */
  readonly checksum: string;
  /** Digest of the uncompressed content; omitted for uncompressed files' records when absent. */
  readonly openChecksum?: string;
  /** Path relative to the repository root, e.g. `repodata/<hash>-primary.xml.gz`. */
  readonly href: string;
  readonly timestamp: number;
  readonly size: number;
  readonly openSize?: number;
  /** Written for `*_db` records (createrepo_c writes 10). */
  readonly databaseVersion?: number;
}

export interface RepomdTags {
  readonly content?: readonly string[];
  readonly repo?: readonly string[];
  readonly distro?: readonly { readonly value: string; readonly cpeid?: string }[];
}

export interface RepomdDocument {
  readonly revision: string;
  readonly tags?: RepomdTags;
  readonly records: readonly RepomdRecord[];
}

/** Rank of the well-known record types, as createrepo_c sorts them; others follow by name. */
const TYPE_ORDER = ["primary", "filelists", "other", "primary_db", "filelists_db", "other_db", "primary_zck", "filelists_zck", "other_zck"];

export function compareRepomdRecords(x: RepomdRecord, y: RepomdRecord): number {
  const rx = TYPE_ORDER.indexOf(x.type);
  const ry = TYPE_ORDER.indexOf(y.type);
  if (rx >= 0 || ry >= 0) {
    if (rx < 0) return 1;
    if (ry < 0) return -1;
    return rx - ry;
  }
  return x.type < y.type ? -1 : x.type > y.type ? 1 : 0;
}

/** repomd.xml, laid out as createrepo_c writes it (libxml2 document dump, two-space indent). */
export function renderRepomdXml(doc: RepomdDocument): string {
  let out = `${XML_DECLARATION}<repomd xmlns="${REPO_NS}" xmlns:rpm="${RPM_NS}">\n`;
  out += `  <revision>${t(doc.revision)}</revision>\n`;
  const tags = doc.tags;
  if (tags && ((tags.content?.length ?? 0) > 0 || (tags.repo?.length ?? 0) > 0 || (tags.distro?.length ?? 0) > 0)) {
    out += "  <tags>\n";
    for (const c of tags.content ?? []) out += `    <content>${t(c)}</content>\n`;
    for (const r of tags.repo ?? []) out += `    <repo>${t(r)}</repo>\n`;
    for (const d of tags.distro ?? []) {
      out += d.cpeid === undefined ? `    <distro>${t(d.value)}</distro>\n` : `    <distro cpeid="${a(d.cpeid)}">${t(d.value)}</distro>\n`;
    }
    out += "  </tags>\n";
  }
  for (const record of [...doc.records].sort(compareRepomdRecords)) {
    out += `  <data type="${a(record.type)}">\n`;
    out += `    <checksum type="${record.checksumType}">${t(record.checksum)}</checksum>\n`;
    if (record.openChecksum !== undefined) out += `    <open-checksum type="${record.checksumType}">${t(record.openChecksum)}</open-checksum>\n`;
    out += `    <location href="${a(record.href)}"/>\n`;
    out += `    <timestamp>${record.timestamp}</timestamp>\n`;
    out += `    <size>${record.size}</size>\n`;
    if (record.openSize !== undefined) out += `    <open-size>${record.openSize}</open-size>\n`;
    if (record.type.endsWith("_db")) out += `    <database_version>${record.databaseVersion ?? 10}</database_version>\n`;
    out += "  </data>\n";
  }
  return `${out}</repomd>\n`;
}
