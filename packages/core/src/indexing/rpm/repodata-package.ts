import { QuipuError } from "../../errors/quipu-error.js";
import { comparisonOf, splitEvr, type RpmComparison, type RpmDependency } from "./rpm-dependency.js";
import type { RpmFileType, RpmPackageMetadata } from "./rpm-reader.js";
import { rpmVersionCompare } from "./rpm-vercmp.js";
import { RpmSense } from "./tag-ids.js";

/** One `<rpm:entry>` as repodata writes it. */
export interface RepodataDependency {
  readonly name: string;
  readonly flags?: RpmComparison;
  readonly epoch?: string;
  readonly version?: string;
  readonly release?: string;
  /** Only on requires. */
  readonly pre?: boolean;
}

export interface RepodataFile {
  readonly path: string;
  readonly type: RpmFileType;
}

export interface RepodataChangelog {
  readonly author: string;
  readonly date: number;
  readonly text: string;
}

/** A package as createrepo_c puts it into primary/filelists/other, before per-file facts (pkgid, href, mtime). */
export interface RepodataPackage {
  readonly name: string;
  readonly arch: string;
  readonly epoch: string;
  readonly version: string;
  readonly release: string;
  readonly summary: string;
  readonly description: string;
  readonly packager: string;
  readonly url: string;
  readonly buildTime: number;
  readonly installedSize: number;
  readonly archiveSize: number;
  readonly license: string;
  readonly vendor: string;
  readonly group: string;
  readonly buildHost: string;
  readonly sourceRpm: string;
  readonly headerRange: { readonly start: number; readonly end: number };
  readonly provides: readonly RepodataDependency[];
  readonly requires: readonly RepodataDependency[];
  readonly conflicts: readonly RepodataDependency[];
  readonly obsoletes: readonly RepodataDependency[];
  readonly suggests: readonly RepodataDependency[];
  readonly enhances: readonly RepodataDependency[];
  readonly recommends: readonly RepodataDependency[];
  readonly supplements: readonly RepodataDependency[];
  /** Every file, in header order. */
  readonly files: readonly RepodataFile[];
  /** At most `changelogLimit` entries, oldest first, equal dates made unique. */
  readonly changelogs: readonly RepodataChangelog[];
}

export interface RepodataRules {
  /** Newest changelog entries kept per package (createrepo_c `--changelog-limit`). Default 10; `Infinity` keeps all. */
  changelogLimit?: number;
  /**
   * createrepo_c's (default-on) build option ENABLE_LEGACY_WEAKDEPS: requires with MISSINGOK become
   * recommends, and the old SUSE tags 1156–1161 are read. Default true.
   */
  legacyWeakDeps?: boolean;
}

export const DEFAULT_CHANGELOG_LIMIT = 10;

/**
 * The frozen yum-era rule for which paths primary.xml lists: `/etc/…`, `/usr/lib/sendmail`, and
 * anything containing `bin/` (so `/opt/x/sbin/y` too).
 */
export function isPrimaryPath(path: string): boolean {
  return path.startsWith("/etc/") || path === "/usr/lib/sendmail" || path.includes("bin/");
}

export function checkChangelogLimit(limit: number): number {
  if (limit === Infinity || (Number.isInteger(limit) && limit >= 0)) return limit;
  throw new QuipuError("QUIPU_VALIDATION_FAILED", `changelogLimit must be a non-negative integer or Infinity, got ${limit}`, {
    details: { issues: [`changelogLimit: must be a non-negative integer or Infinity`] },
  });
}

type DepKind =
  | "provides"
  | "conflicts"
  | "obsoletes"
  | "requires"
  | "suggests"
  | "enhances"
  | "recommends"
  | "supplements"
  | "oldSuggests"
  | "oldEnhances";

/** createrepo_c's processing order; requires come after provides so self-provided requires can be dropped. */
const KIND_ORDER: readonly DepKind[] = [
  "provides",
  "conflicts",
  "obsoletes",
  "requires",
  "suggests",
  "enhances",
  "recommends",
  "supplements",
  "oldSuggests",
  "oldEnhances",
];

/**
 * Applies createrepo_c's derivation rules (parsehdr.c) to read metadata:
 * - requires: drop `rpmlib(…)`; drop a path the package itself contains when it is a primary path;
 *   drop one identical (name, flags, version text) to a provide; drop a repeat of the previous
 *   require of the same name with the same flags, version and `pre`; keep only the highest
 *   `libc.so.6(…)` (written last); `pre` from PREREQ/SCRIPT_PRE/SCRIPT_POST/PRETRANS/POSTTRANS;
 * - every dependency's version split into epoch (default "0"), version, release; one with a
 *   non-numeric epoch is dropped;
 * - legacy weak dependencies mapped by their STRONG bit;
 * - changelogs: the newest `changelogLimit`, written oldest first, authors' trailing spaces
 *   trimmed, equal dates bumped by one second each so they stay ordered.
 */
export function toRepodataPackage(metadata: RpmPackageMetadata, rules: RepodataRules = {}): RepodataPackage {
  const changelogLimit = checkChangelogLimit(rules.changelogLimit ?? DEFAULT_CHANGELOG_LIMIT);
  const legacyWeakDeps = rules.legacyWeakDeps ?? true;

  const out = {
    provides: [] as RepodataDependency[],
    requires: [] as RepodataDependency[],
    conflicts: [] as RepodataDependency[],
    obsoletes: [] as RepodataDependency[],
    suggests: [] as RepodataDependency[],
    enhances: [] as RepodataDependency[],
    recommends: [] as RepodataDependency[],
    supplements: [] as RepodataDependency[],
  };
  // Built only when a require names a path (most packages have none).
  let filePaths: Set<string> | undefined;
  const ownsFile = (path: string) => {
    if (filePaths === undefined) {
      filePaths = new Set<string>();
      for (const file of metadata.files) filePaths.add(file.path);
    }
    return filePaths.has(path);
  };
  const provided = new Set<string>();
  const lastRequire = new Map<string, { flags: RpmComparison | undefined; version: string; pre: boolean }>();

  for (const kind of KIND_ORDER) {
    if (!legacyWeakDeps && (kind === "oldSuggests" || kind === "oldEnhances")) continue;
    const source: readonly RpmDependency[] = metadata.dependencies[kind];
    let libcHighest: RepodataDependency | undefined;
    for (const dep of source) {
      const flags = comparisonOf(dep.flags);
      const key = `${dep.name}${flags ?? ""}${dep.version}`;
      let pre = false;
      if (kind === "requires") {
        if (dep.name.startsWith("rpmlib(")) continue;
        if (dep.name.startsWith("/") && isPrimaryPath(dep.name) && ownsFile(dep.name)) continue;
        if (provided.has(key)) continue;
        pre = dep.pre;
        const previous = lastRequire.get(dep.name);
        if (previous !== undefined && previous.flags === flags && previous.version === dep.version && previous.pre === pre) continue;
      }
      let entry: RepodataDependency;
      if (dep.version === "") {
        entry = flags === undefined ? { name: dep.name } : { name: dep.name, flags };
      } else {
        const evr = splitEvr(dep.version);
        if (evr.epoch === undefined) continue;
        entry = { name: dep.name, flags, epoch: evr.epoch, version: evr.version, release: evr.release };
      }
      switch (kind) {
        case "provides":
          provided.add(key);
          out.provides.push(entry);
          break;
        case "requires": {
          if (legacyWeakDeps && (dep.flags & RpmSense.MISSINGOK) !== 0) {
            out.recommends.push(entry);
            break;
          }
          const withPre: RepodataDependency = pre ? { ...entry, pre } : entry;
          if (dep.name.startsWith("libc.so.6")) {
            if (libcHighest === undefined || compareLibcDependency(libcHighest.name, dep.name) === 2) libcHighest = withPre;
            break;
          }
          out.requires.push(withPre);
          lastRequire.set(dep.name, { flags, version: dep.version, pre });
          break;
        }
        case "oldSuggests":
          ((dep.flags & RpmSense.STRONG) !== 0 ? out.recommends : out.suggests).push(entry);
          break;
        case "oldEnhances":
          ((dep.flags & RpmSense.STRONG) !== 0 ? out.supplements : out.enhances).push(entry);
          break;
        default:
          out[kind].push(entry);
      }
    }
    if (libcHighest !== undefined) out.requires.push(libcHighest);
  }

  return {
    name: metadata.name,
    arch: metadata.arch,
    epoch: String(metadata.epoch),
    version: metadata.version,
    release: metadata.release,
    summary: metadata.summary,
    description: metadata.description,
    packager: metadata.packager,
    url: metadata.url,
    buildTime: metadata.buildTime,
    installedSize: metadata.installedSize,
    archiveSize: metadata.archiveSize,
    license: metadata.license,
    vendor: metadata.vendor,
    group: metadata.group,
    buildHost: metadata.buildHost,
    sourceRpm: metadata.sourceRpm,
    headerRange: metadata.headerRange,
    ...out,
    files: metadata.files,
    changelogs: selectChangelogs(metadata, changelogLimit),
  };
}

function selectChangelogs(metadata: RpmPackageMetadata, limit: number): RepodataChangelog[] {
  // Built newest first (header order); `taken[taken.length - 1]` is the head of createrepo_c's list.
  const taken: { author: string; date: number; text: string }[] = [];
  let lastTime = 0;
  for (const entry of metadata.changelogs) {
    if (taken.length >= limit) break;
    let end = entry.author.length;
    while (end > 1 && entry.author.charCodeAt(end - 1) === 0x20) end--;
    taken.push({ author: entry.author.slice(0, end), date: entry.time, text: entry.text });
    if (lastTime === entry.time) {
      let expected = entry.time;
      for (let k = taken.length - 2; k >= 0 && taken[k]!.date === expected; k--) {
        taken[k]!.date++;
        expected++;
      }
    } else {
      lastTime = entry.time;
    }
  }
  return taken.reverse();
}

/**
 * createrepo_c's `cr_compare_dependency` for `libc.so.6(…)` names: 0 same, 1 first bigger, 2 second
 * bigger, -1 error. Compares the version inside the first parentheses with rpmvercmp.
 */
export function compareLibcDependency(a: string, b: string): -1 | 0 | 1 | 2 {
  if (a === b) return 0;
  const openA = a.indexOf("(");
  const openB = b.indexOf("(");
  if (openA < 0 && openB < 0) return 0;
  if (openA < 0) return 2;
  if (openB < 0) return 1;
  const closeA = a.indexOf(")", openA);
  const closeB = b.indexOf(")", openB);
  if (closeA < 0 && closeB < 0) return -1;
  if (closeA < 0) return 2;
  if (closeB < 0) return 1;
  let i = openA + 1;
  let j = openB + 1;
  if (i === closeA && j === closeB) return 0;
  if (i === closeA) return 2;
  if (j === closeB) return 1;
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  while (i < a.length && !isDigit(a.charCodeAt(i))) i++;
  while (j < b.length && !isDigit(b.charCodeAt(j))) j++;
  if (i > closeA && j > closeB) return 0;
  if (i > closeA) return 2;
  if (j > closeB) return 1;
  const result = rpmVersionCompare(a.slice(i, closeA), b.slice(j, closeB));
  return result === -1 ? 2 : result;
}
