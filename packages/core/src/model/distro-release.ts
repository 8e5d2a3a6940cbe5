import { QuipuError } from "../errors/quipu-error.js";
import { distroTable, type DistroDefinition, type DistroRelease, type PackageType } from "./distro-table.js";
import { valueForDetails } from "./error-value.js";

/** A release the distro table knows, in every spelling callers need. */
export interface ResolvedDistroRelease {
  /** Canonical distro name (`rhel` for `redhat`). */
  readonly distro: string;
  readonly codename: string | null;
  readonly version: string;
  readonly packageType: PackageType;
  /** The spelling chacra paths and shaman records use: the codename for deb distros, else the version. */
  readonly pathVersion: string;
}

/**
 * A distro release as far as it can be understood: the table's answer when known, otherwise the
 * input passed through the way shaman's `parse_distro_release` does (an all-letters identifier is
 * taken as a codename, anything else as a version), because artefacts exist for releases the
 * table does not list (`windows/1809`, next year's Fedora).
 */
export interface NormalizedDistroRelease {
  readonly distro: string;
  readonly codename: string | null;
  readonly version: string | null;
  readonly packageType: PackageType | null;
  /** As in `ResolvedDistroRelease`; the trimmed input when the release is unknown. */
  readonly pathVersion: string;
  /** True when the distro table knows this release. */
  readonly known: boolean;
}

interface DistroIndex {
  readonly definition: DistroDefinition;
  readonly releasesBySpelling: ReadonlyMap<string, DistroRelease>;
}

function indexDistro(definition: DistroDefinition): DistroIndex {
  const releasesBySpelling = new Map<string, DistroRelease>();
  for (const release of definition.releases) {
    for (const spelling of [release.version, release.codename, ...(release.aliases ?? [])]) {
      if (spelling !== null) releasesBySpelling.set(spelling, release);
    }
  }
  return { definition, releasesBySpelling };
}

const distroIndexByName: ReadonlyMap<string, DistroIndex> = new Map(
  distroTable.flatMap((definition) => {
    const index = indexDistro(definition);
    return [definition.name, ...definition.aliases].map((name) => [name, index] as const);
  }),
);

function lookUpDistro(name: unknown): DistroIndex | undefined {
  return typeof name === "string" ? distroIndexByName.get(name.trim().toLowerCase()) : undefined;
}

/** The table entry for a distro name or alias (case-insensitive), or undefined. */
export function findDistro(name: unknown): DistroDefinition | undefined {
  return lookUpDistro(name)?.definition;
}

/**
 * A version as the table spells it: trimmed, lowercase, CentOS Stream spellings (`stream9`,
 * `9-stream`) reduced to the major and SUSE service packs (`15-SP5`, `15sp5`) written `15.5`.
 * Whole numbers are accepted too, because YAML turns `distro_version: 9` into a number — but not
 * fractions, since `16.10` would arrive as `16.1`.
 */
function versionSpelling(value: unknown): string | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  if (typeof value !== "string") return null;
  const spelling = value.trim().toLowerCase();
  const stream = /^(?:stream-?(\d+)|(\d+)-stream)$/.exec(spelling);
  if (stream) return stream[1] ?? stream[2] ?? spelling;
  const servicePack = /^(\d+)[-._]?sp(\d+)$/.exec(spelling);
  if (servicePack) return `${servicePack[1]}.${servicePack[2]}`;
  return spelling;
}

function findRelease(index: DistroIndex, value: unknown): DistroRelease | undefined {
  const spelling = versionSpelling(value);
  if (spelling === null || spelling === "") return undefined;
  // A point release resolves to the release it updates: 9.4 → 9, 22.04.3 → 22.04, 12.5 → 12.
  let candidate = spelling;
  for (;;) {
    const release = index.releasesBySpelling.get(candidate);
    if (release) return release;
    if (!/^\d+(\.\d+)+$/.test(candidate)) break;
    candidate = candidate.slice(0, candidate.lastIndexOf("."));
  }
  if (index.definition.rolling && /^\d{8}$/.test(spelling)) return index.definition.releases[0];
  return undefined;
}

function resolved(definition: DistroDefinition, release: DistroRelease): ResolvedDistroRelease {
  return {
    distro: definition.name,
    codename: release.codename,
    version: release.version,
    packageType: definition.packageType,
    pathVersion: definition.pathSpelling === "codename" && release.codename !== null ? release.codename : release.version,
  };
}

function unknownDistro(distro: unknown): QuipuError {
  return new QuipuError("QUIPU_MODEL_UNKNOWN_DISTRO", `unknown distro: ${String(valueForDetails(distro))}`, {
    details: { distro: valueForDetails(distro) },
  });
}

function unknownVersion(distro: string, version: unknown): QuipuError {
  return new QuipuError(
    "QUIPU_MODEL_UNKNOWN_DISTRO_VERSION",
    `unknown version or codename for ${distro}: ${String(valueForDetails(version))}`,
    { details: { distro, version: valueForDetails(version) } },
  );
}

// The lenient functions below still refuse non-text input, with the same codes, rather than crash.
function distroText(distro: unknown): string {
  if (typeof distro === "string") return distro.trim();
  throw unknownDistro(distro);
}

function versionText(distro: string, version: unknown): string {
  if (typeof version === "string") return version.trim();
  if (typeof version === "number" && Number.isSafeInteger(version) && version >= 0) return String(version);
  throw unknownVersion(distro, version);
}

/**
 * Resolves a codename or version of a distro: `ubuntu/22.04` ≡ `ubuntu/jammy`, `debian/12` ≡
 * `debian/bookworm`, `centos/9.4` → `9`. Throws QUIPU_MODEL_UNKNOWN_DISTRO (`details.distro`) or
 * QUIPU_MODEL_UNKNOWN_DISTRO_VERSION (`details.distro`, `details.version`).
 */
export function resolveDistroVersion(distro: string, codenameOrVersion: string | number): ResolvedDistroRelease {
  const index = lookUpDistro(distro);
  if (!index) throw unknownDistro(distro);
  const release = findRelease(index, codenameOrVersion);
  if (!release) throw unknownVersion(index.definition.name, codenameOrVersion);
  return resolved(index.definition, release);
}

/** `deb` or `rpm` for a known distro; throws QUIPU_MODEL_UNKNOWN_DISTRO otherwise. */
export function packageTypeOf(distro: string): PackageType {
  const definition = findDistro(distro);
  if (!definition) throw unknownDistro(distro);
  return definition.packageType;
}

/**
 * Like `resolveDistroVersion`, but never throws: unknown distros and releases pass through as
 * shaman did (see `NormalizedDistroRelease`). Used for search queries and for the
 * `distro_version`/`distro_codename` pair in repo and build JSON.
 */
export function normalizeDistroRelease(distro: string, codenameOrVersion: string | number): NormalizedDistroRelease {
  const name = distroText(distro);
  const identifier = versionText(name, codenameOrVersion);
  const index = lookUpDistro(name);
  const release = index ? findRelease(index, identifier) : undefined;
  if (index && release) return { ...resolved(index.definition, release), known: true };
  const looksLikeCodename = /^\p{L}+$/u.test(identifier);
  return {
    distro: index?.definition.name ?? name,
    codename: looksLikeCodename ? identifier : null,
    version: looksLikeCodename ? null : identifier,
    packageType: index?.definition.packageType ?? null,
    pathVersion: identifier,
    known: false,
  };
}

/**
 * Every spelling that names the same release, path spelling first: for search, so `ubuntu/24.04`
 * finds repos stored as `noble` and `debian/bookworm` finds repos stored as `12`. Unknown distros
 * or releases give just the trimmed input (exact matching, as the original did).
 */
export function equivalentDistroVersions(distro: string, codenameOrVersion: string | number): string[] {
  const name = distroText(distro);
  const identifier = versionText(name, codenameOrVersion);
  const index = lookUpDistro(name);
  const release = index ? findRelease(index, identifier) : undefined;
  if (!index || !release) return [identifier];
  const pathVersion = resolved(index.definition, release).pathVersion;
  const spellings = [pathVersion, release.codename, release.version, ...(release.aliases ?? [])];
  return [...new Set(spellings.filter((spelling): spelling is string => spelling !== null))];
}

/** The canonical name and every alias of a distro (canonical first); unknown names give `[name]`. */
export function equivalentDistroNames(distro: string): string[] {
  const name = distroText(distro);
  const definition = findDistro(name);
  return definition ? [definition.name, ...definition.aliases] : [name];
}

/** Whether two version spellings name the same release of `distro` (`jammy` and `22.04`, `9.4` and `9`). */
export function isSameDistroRelease(distro: string, a: string | number, b: string | number): boolean {
  const name = distroText(distro);
  const textA = versionText(name, a);
  const textB = versionText(name, b);
  const index = lookUpDistro(name);
  const releaseA = index ? findRelease(index, textA) : undefined;
  const releaseB = index ? findRelease(index, textB) : undefined;
  if (releaseA || releaseB) return releaseA === releaseB;
  return textA === textB;
}
