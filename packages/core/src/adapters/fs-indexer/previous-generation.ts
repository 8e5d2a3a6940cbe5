/**
 * Reading the generation currently published (before replacing it): which files its entry point
 * references, so they are kept for one more generation, and which additional repomd records
 * (comps, updateinfo, modules, …) to carry over.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RepomdRecord } from "../../indexing/rpm/repomd-xml.js";
import { repodataChecksumTypes, type RepodataChecksumType } from "../../indexing/rpm/package-facts.js";
import { HASH_NAMES, RELEASE_HASH_FIELD, type HashName } from "../../indexing/deb/file-hashes.js";

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_all, name: string) => {
    switch (name) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
      default:
        return String.fromCodePoint(name.startsWith("#x") ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    }
  });
}

export interface PreviousRepomd {
  /** Every `<location href>` of the old repomd.xml. */
  readonly hrefs: readonly string[];
  /** Records other than the ones the indexer writes (and their stale database/zchunk variants). */
  readonly additional: readonly RepomdRecord[];
}

/** Types the indexer regenerates; their `_db` / `_zck` variants describe old packages and are dropped. */
const OWN_TYPES = new Set(["primary", "filelists", "other"]);

/** Reads `<root>/repodata/repomd.xml` as left by the previous run (or another tool); undefined when absent. */
export function readPreviousRepomd(root: string): PreviousRepomd | undefined {
  const text = readText(join(root, "repodata", "repomd.xml"));
  if (text === undefined) return undefined;
  const hrefs: string[] = [];
  const additional: RepomdRecord[] = [];
  for (const match of text.matchAll(/<data\s+type="([^"]*)"\s*>([\s\S]*?)<\/data>/g)) {
    const type = unescapeXml(match[1]!);
    const body = match[2]!;
    const href = /<location\b[^>]*\bhref="([^"]*)"/.exec(body)?.[1];
    if (href === undefined) continue;
    hrefs.push(unescapeXml(href));
    const base = type.replace(/_(db|zck)$/, "");
    if (OWN_TYPES.has(base)) continue;
    const checksum = /<checksum\s+type="([^"]*)"\s*>([^<]*)<\/checksum>/.exec(body);
    const openChecksum = /<open-checksum\s+type="[^"]*"\s*>([^<]*)<\/open-checksum>/.exec(body)?.[1];
    const number = (tag: string) => {
      const value = new RegExp(`<${tag}>\\s*(\\d+)\\s*</${tag}>`).exec(body)?.[1];
      return value === undefined ? undefined : Number(value);
    };
    const checksumType = checksum?.[1] === "sha" ? "sha1" : checksum?.[1];
    const timestamp = number("timestamp");
    const size = number("size");
    if (!checksum || !repodataChecksumTypes.includes(checksumType as RepodataChecksumType) || timestamp === undefined || size === undefined) continue;
    const openSize = number("open-size");
    const databaseVersion = number("database_version");
    additional.push({
      type,
      checksumType: checksumType as RepodataChecksumType,
      checksum: checksum[2]!.trim(),
      ...(openChecksum === undefined ? {} : { openChecksum: openChecksum.trim() }),
      href: unescapeXml(href),
      timestamp,
      size,
      ...(openSize === undefined ? {} : { openSize }),
      ...(databaseVersion === undefined ? {} : { databaseVersion }),
    });
  }
  return { hrefs, additional };
}

export interface PreviousRelease {
  /** The whole text. */
  readonly text: string;
  /** Every path the old Release lists (relative to its directory). */
  readonly paths: readonly string[];
  /** The by-hash names those files have under the old Release (`<dir>/by-hash/<Field>/<hex>`, relative to the Release directory). */
  readonly byHash: readonly string[];
}

const FIELD_TO_HASH = new Map<string, HashName>(HASH_NAMES.map((name) => [RELEASE_HASH_FIELD[name].toLowerCase(), name]));

/** Reads the Release in `releaseDirectory` (absolute); undefined when absent. */
export function readPreviousRelease(releaseDirectory: string): PreviousRelease | undefined {
  const text = readText(join(releaseDirectory, "Release"));
  if (text === undefined) return undefined;
  const paths = new Set<string>();
  const byHash = new Set<string>();
  let field: HashName | undefined;
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) {
      const name = line.slice(0, line.indexOf(":")).trim().toLowerCase();
      field = FIELD_TO_HASH.get(name);
      continue;
    }
    if (field === undefined) continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 3) continue;
    const [digest, , path] = parts as [string, string, string];
    if (!/^[0-9a-f]+$/.test(digest) || path.includes("..")) continue;
    paths.add(path);
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? "" : `${path.slice(0, slash)}/`;
    byHash.add(`${dir}by-hash/${RELEASE_HASH_FIELD[field]}/${digest}`);
  }
  return { text, paths: [...paths], byHash: [...byHash] };
}
