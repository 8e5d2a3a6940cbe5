import type { Codecs } from "../codecs.js";
import { QuipuError } from "../../errors/quipu-error.js";
import { repoInvalid } from "./deb-errors.js";
import { compareDebianVersions } from "./debian-version.js";
import { computeFileHashes, HASH_NAMES, RELEASE_HASH_FIELD, type HashName } from "./file-hashes.js";
import { checkPackageEntry, type AptPackageEntry, type PackageIdentity } from "./package-entry.js";
import { renderPackagesIndex } from "./packages-index.js";
import { DEFAULT_RELEASE_HASHES, renderRelease, type ReleaseFileEntry } from "./release-file.js";
import { isArchitectureName, isComponentName, isSuiteName } from "./repo-names.js";
import { checkSourceEntry, renderSourcesIndex, type AptSourceEntry } from "./sources-index.js";

/** Compressions an index can be published in (`none` = the plain file). */
export type IndexCompression = "none" | "gzip" | "xz" | "zstd" | "bzip2";

const SUFFIX: Readonly<Record<IndexCompression, string>> = { none: "", gzip: ".gz", xz: ".xz", zstd: ".zst", bzip2: ".bz2" };

export interface AptRepositoryOptions {
  /** The binary packages (see `readDebPackage`). */
  readonly packages: readonly AptPackageEntry[];
  /** Source packages (see `readDscSource`); a Sources index per component is written when any is given. */
  readonly sources?: readonly AptSourceEntry[] | undefined;
  /** Compressors for the indexes (gzip built in; xz/zstd/bzip2 from an adapter). */
  readonly codecs: Codecs;
  /**
   * `dists` (default): `dists/<codename>/<component>/binary-<arch>/Packages…` and
   * `dists/<codename>/Release`. `flat`: `Packages…`, `Sources…` and `Release` at the top
   * (sources.list `deb URI ./`); components are not used and entries' components are ignored.
   */
  readonly layout?: "dists" | "flat" | undefined;
  /** Directory under `dists/` and the Codename field; required for the `dists` layout. */
  readonly codename?: string | undefined;
  /** Suite field (default: the codename). */
  readonly suite?: string | undefined;
  /** Components (default: those of the entries, sorted; `main` when none is named). The first is the default for entries. */
  readonly components?: readonly string[] | undefined;
  /**
   * Architectures (default: those of the packages other than `all`, sorted; `all` alone when only
   * arch:all packages exist). arch:all packages go into every binary-<arch> index; listing `all`
   * also writes binary-all and `No-Support-for-Architecture-all: Packages`.
   */
  readonly architectures?: readonly string[] | undefined;
  readonly origin?: string | undefined;
  readonly label?: string | undefined;
  readonly version?: string | undefined;
  readonly description?: string | undefined;
  readonly changelogs?: string | undefined;
  /** The Release `Date`; pass it in (for example from a Clock) so output is reproducible. */
  readonly date: Date;
  readonly validUntil?: Date | undefined;
  readonly notAutomatic?: boolean | undefined;
  readonly butAutomaticUpgrades?: boolean | undefined;
  readonly signedBy?: readonly string[] | undefined;
  /** Checksum lists in Release and by-hash directories (default MD5Sum + SHA256). */
  readonly releaseHashes?: readonly HashName[] | undefined;
  /** Digests in Packages stanzas (default: every digest each entry carries). */
  readonly packageHashes?: readonly HashName[] | undefined;
  /** Index compressions (default `none` + `gzip`, plus `xz` when the codecs can compress it). */
  readonly compressions?: readonly IndexCompression[] | undefined;
  /** `Acquire-By-Hash: yes` and `by-hash/<Hash>/<hex>` copies of every published index (default true). */
  readonly acquireByHash?: boolean | undefined;
  /** Also write the legacy per-index `Release` files (`binary-<arch>/Release`, `source/Release`). Default false. */
  readonly componentReleaseFiles?: boolean | undefined;
  /** Same Package/Version/Architecture twice with different files: `error` (default) or keep the first given. */
  readonly duplicates?: "error" | "keep-first" | undefined;
}

/** A file to write, relative to the archive root. */
export interface AptRepositoryFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** `by-hash` copies (same bytes as an index: may be hard links), `index` files, `release` files. */
  readonly kind: "by-hash" | "index" | "release";
}

/** One index built, by its uncompressed path. */
export interface AptIndexSummary {
  readonly path: string;
  readonly component: string | undefined;
  /** A binary architecture, or `source` for a Sources index. */
  readonly architecture: string;
  readonly entries: number;
}

export interface AptRepository {
  /** Every file, in a safe write order: by-hash copies, indexes, per-index Release files, then the top Release last. */
  readonly files: readonly AptRepositoryFile[];
  /** The top-level Release: sign it into `InRelease` / `Release.gpg` in `releaseDirectory`. */
  readonly release: AptRepositoryFile;
  /** Directory of the top-level Release (`dists/<codename>`, or `""` for a flat repository). */
  readonly releaseDirectory: string;
  readonly indexes: readonly AptIndexSummary[];
  readonly architectures: readonly string[];
  readonly components: readonly string[];
}

interface Placed<T> {
  readonly entry: T;
  /** Component the entry is published in (`""` in a flat repository). */
  readonly component: string;
  /** Position in the input, the last sort key (keeps the first of duplicates first). */
  readonly order: number;
}

type PlacedPackage = Placed<AptPackageEntry> & { readonly id: PackageIdentity };

interface PlainIndex {
  /** Path relative to the Release directory. */
  readonly path: string;
  readonly text: string;
  readonly summary: AptIndexSummary;
}

interface Settings {
  readonly flat: boolean;
  readonly codename: string | undefined;
  readonly suite: string | undefined;
  readonly releaseHashes: readonly HashName[];
  readonly compressions: readonly IndexCompression[];
  readonly acquireByHash: boolean;
  readonly duplicates: "error" | "keep-first";
}

const encoder = new TextEncoder();

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Builds an apt repository's metadata from package entries: Packages (and Sources) indexes in
 * every requested compression, by-hash copies, and a Release file listing every index by its
 * uncompressed name and by each published variant. Pure and deterministic: the same input gives
 * the same bytes, whatever the order of the entries. The caller writes `files` in order and signs
 * `release` (InRelease / Release.gpg).
 */
export function buildAptRepository(options: AptRepositoryOptions): AptRepository {
  const settings = resolveSettings(options);
  const { flat } = settings;
  const components = resolveComponents(options, flat);
  const place = <T extends { readonly component?: string | undefined; readonly filename: string }>(entry: T, order: number): Placed<T> => {
    const component = flat ? "" : (entry.component ?? (components[0] as string));
    if (!components.includes(component)) {
      throw repoInvalid(`${entry.filename}: component '${component}' is not one of ${components.join(", ")}`, { file: entry.filename });
    }
    return { entry, component, order };
  };
  const binaries: PlacedPackage[] = options.packages.map((entry, order) => ({ ...place(entry, order), id: checkPackageEntry(entry) }));
  const sources = (options.sources ?? []).map((entry, order) => {
    checkSourceEntry(entry);
    return place(entry, order);
  });
  const architectures = resolveArchitectures(options, binaries, sources.length > 0, flat);

  const packagesInOrder = dedupe(
    [...binaries].sort(
      (a, b) =>
        compareText(a.component, b.component) ||
        compareText(a.id.package, b.id.package) ||
        compareDebianVersions(a.id.version, b.id.version) ||
        compareText(a.id.version, b.id.version) ||
        compareText(a.id.architecture, b.id.architecture) ||
        a.order - b.order,
    ),
    (b) => ({ key: [b.component, b.id.package, b.id.version, b.id.architecture].join("\0"), ...b.id, file: b.entry.filename, sha256: b.entry.hashes.sha256 }),
    settings.duplicates,
  );
  const sourcesInOrder = dedupe(
    [...sources].sort(
      (a, b) =>
        compareText(a.component, b.component) ||
        compareText(a.entry.dsc.source, b.entry.dsc.source) ||
        compareDebianVersions(a.entry.dsc.version, b.entry.dsc.version) ||
        compareText(a.entry.dsc.version, b.entry.dsc.version) ||
        a.order - b.order,
    ),
    (s) => ({
      key: [s.component, s.entry.dsc.source, s.entry.dsc.version].join("\0"),
      package: s.entry.dsc.source,
      version: s.entry.dsc.version,
      architecture: "source",
      file: s.entry.filename,
      sha256: s.entry.hashes.sha256,
    }),
    settings.duplicates,
  );

  // Every index as uncompressed text, by path relative to the Release directory.
  const plain: PlainIndex[] = [];
  for (const component of components) {
    const inComponent = packagesInOrder.filter((b) => b.component === component);
    for (const arch of flat ? ["any"] : architectures) {
      const selected = flat ? inComponent : inComponent.filter((b) => b.id.architecture === arch || (arch !== "all" && b.id.architecture === "all"));
      const path = flat ? "Packages" : `${component}/binary-${arch}/Packages`;
      const text = renderPackagesIndex(
        selected.map((b) => b.entry),
        { hashes: options.packageHashes },
      );
      plain.push({ path, text, summary: { path, component: flat ? undefined : component, architecture: arch, entries: selected.length } });
    }
    if (sources.length > 0) {
      const selected = sourcesInOrder.filter((s) => s.component === component);
      const path = flat ? "Sources" : `${component}/source/Sources`;
      const text = renderSourcesIndex(selected.map((s) => s.entry));
      plain.push({ path, text, summary: { path, component: flat ? undefined : component, architecture: "source", entries: selected.length } });
    }
  }

  const releaseDirectory = flat ? "" : `dists/${settings.codename}`;
  const under = (path: string) => (releaseDirectory === "" ? path : `${releaseDirectory}/${path}`);
  const listed: ReleaseFileEntry[] = [];
  const indexFiles: AptRepositoryFile[] = [];
  const byHash = new Map<string, AptRepositoryFile>();
  const indexReleases: AptRepositoryFile[] = [];

  /** Lists a file in Release and, when `write`, publishes it (with by-hash copies for indexes). */
  const publish = (path: string, bytes: Uint8Array, write: boolean, kind: "index" | "release") => {
    const hashes = computeFileHashes(bytes, settings.releaseHashes);
    listed.push({ path, size: bytes.length, hashes });
    if (!write) return;
    (kind === "index" ? indexFiles : indexReleases).push({ path: under(path), bytes, kind });
    if (!settings.acquireByHash || kind !== "index") return;
    const dir = path.includes("/") ? `${path.slice(0, path.lastIndexOf("/"))}/` : "";
    for (const name of settings.releaseHashes) {
      const hashPath = under(`${dir}by-hash/${RELEASE_HASH_FIELD[name]}/${hashes[name] as string}`);
      byHash.set(hashPath, { path: hashPath, bytes, kind: "by-hash" });
    }
  };

  for (const index of plain) {
    const bytes = encoder.encode(index.text);
    publish(index.path, bytes, settings.compressions.includes("none"), "index");
    for (const compression of settings.compressions) {
      if (compression !== "none") publish(`${index.path}${SUFFIX[compression]}`, options.codecs.compress(compression, bytes), true, "index");
    }
    if (options.componentReleaseFiles && !flat) {
      const dir = index.path.slice(0, index.path.lastIndexOf("/"));
      publish(`${dir}/Release`, encoder.encode(renderComponentRelease(options, settings, index.summary)), true, "release");
    }
  }

  const releaseText = renderRelease(
    {
      origin: options.origin,
      label: options.label,
      suite: settings.suite,
      version: options.version,
      codename: settings.codename,
      changelogs: options.changelogs,
      date: options.date,
      validUntil: options.validUntil,
      notAutomatic: options.notAutomatic,
      butAutomaticUpgrades: options.butAutomaticUpgrades,
      acquireByHash: settings.acquireByHash,
      signedBy: options.signedBy,
      noSupportForArchitectureAll: architectures.includes("all") && architectures.some((a) => a !== "all"),
      architectures: flat && options.architectures === undefined ? undefined : architectures,
      components: flat ? undefined : components,
      description: options.description,
      hashes: settings.releaseHashes,
    },
    listed,
  );
  const release: AptRepositoryFile = { path: under("Release"), bytes: encoder.encode(releaseText), kind: "release" };
  const byPath = (a: AptRepositoryFile, b: AptRepositoryFile) => compareText(a.path, b.path);
  return {
    files: [...[...byHash.values()].sort(byPath), ...indexFiles.sort(byPath), ...indexReleases.sort(byPath), release],
    release,
    releaseDirectory,
    indexes: plain.map((p) => p.summary),
    architectures,
    components: flat ? [] : components,
  };
}

function resolveSettings(options: AptRepositoryOptions): Settings {
  const layout = options.layout ?? "dists";
  if (layout !== "dists" && layout !== "flat") throw repoInvalid(`unknown layout '${String(layout)}'`, { option: "layout" });
  const flat = layout === "flat";
  const codename = options.codename;
  if (!flat && codename === undefined) throw repoInvalid("a codename is required for the dists layout", { option: "codename" });
  if (codename !== undefined && !isSuiteName(codename)) throw repoInvalid(`invalid codename '${codename}'`, { option: "codename" });
  const suite = options.suite ?? codename;
  if (suite !== undefined && !isSuiteName(suite)) throw repoInvalid(`invalid suite '${suite}'`, { option: "suite" });
  if (flat && options.components !== undefined) throw repoInvalid("a flat repository has no components", { option: "components" });

  const releaseHashes = options.releaseHashes ?? DEFAULT_RELEASE_HASHES;
  for (const name of releaseHashes) if (!HASH_NAMES.includes(name)) throw repoInvalid(`unknown hash '${String(name)}'`, { option: "releaseHashes" });
  if (!releaseHashes.includes("sha256") && !releaseHashes.includes("sha512")) {
    throw repoInvalid("Release needs a SHA256 or SHA512 list (apt refuses repositories with weak hashes only)", { option: "releaseHashes" });
  }
  const compressions = [...new Set(options.compressions ?? defaultCompressions(options.codecs))];
  for (const c of compressions) if (!Object.hasOwn(SUFFIX, c)) throw repoInvalid(`unknown compression '${String(c)}'`, { option: "compressions" });
  if (compressions.length === 0) throw repoInvalid("at least one compression (or 'none') is needed", { option: "compressions" });
  const duplicates = options.duplicates ?? "error";
  if (duplicates !== "error" && duplicates !== "keep-first") throw repoInvalid(`unknown duplicates policy '${String(duplicates)}'`, { option: "duplicates" });
  return {
    flat,
    codename,
    suite,
    releaseHashes: HASH_NAMES.filter((name) => releaseHashes.includes(name)),
    compressions,
    acquireByHash: options.acquireByHash ?? true,
    duplicates,
  };
}

/** The declared components, or those the entries name (sorted), or `main`; `[""]` for a flat repository. */
function resolveComponents(options: AptRepositoryOptions, flat: boolean): string[] {
  if (flat) return [""];
  const declared = options.components;
  if (declared !== undefined) {
    if (declared.length === 0) throw repoInvalid("components is empty", { option: "components" });
    for (const component of declared) if (!isComponentName(component)) throw repoInvalid(`invalid component '${component}'`, { option: "components" });
    if (new Set(declared).size !== declared.length) throw repoInvalid("components are listed twice", { option: "components" });
    return [...declared];
  }
  const named = [...options.packages, ...(options.sources ?? [])].map((e) => e.component).filter((c): c is string => c !== undefined);
  return named.length === 0 ? ["main"] : sortedUnique(named);
}

/** The declared architectures, or those of the packages (arch:all alone gives `all`); every package must fit one. */
function resolveArchitectures(options: AptRepositoryOptions, binaries: readonly PlacedPackage[], hasSources: boolean, flat: boolean): string[] {
  const concrete = sortedUnique(binaries.map((b) => b.id.architecture).filter((a) => a !== "all"));
  const hasAll = binaries.some((b) => b.id.architecture === "all");
  const architectures = [...(options.architectures ?? (concrete.length > 0 ? concrete : hasAll ? ["all"] : []))];
  for (const arch of architectures) if (!isArchitectureName(arch)) throw repoInvalid(`invalid architecture '${arch}'`, { option: "architectures" });
  if (new Set(architectures).size !== architectures.length) throw repoInvalid("architectures are listed twice", { option: "architectures" });
  for (const { id, entry } of binaries) {
    const fits = id.architecture === "all" ? architectures.length > 0 : architectures.includes(id.architecture);
    if (!fits) {
      throw repoInvalid(`${entry.filename}: architecture '${id.architecture}' is not one of the repository's architectures (${architectures.join(", ") || "none"})`, {
        file: entry.filename,
        architecture: id.architecture,
      });
    }
  }
  if (!flat && architectures.length === 0 && !hasSources) {
    throw repoInvalid("nothing to index: no packages, no sources and no architectures given", { option: "architectures" });
  }
  return architectures;
}

function defaultCompressions(codecs: Codecs): IndexCompression[] {
  return codecs.supports("xz", "compress") ? ["none", "gzip", "xz"] : ["none", "gzip"];
}

/** The legacy per-index Release file that dak, reprepro and aptly write next to each index. */
function renderComponentRelease(options: AptRepositoryOptions, settings: Settings, summary: AptIndexSummary): string {
  const lines: Array<[string, string | undefined]> = [
    ["Archive", settings.suite],
    ["Origin", options.origin],
    ["Label", options.label],
    ["Version", options.version],
    ["Acquire-By-Hash", settings.acquireByHash ? "yes" : undefined],
    ["Component", summary.component],
    ["Architecture", summary.architecture],
  ];
  return lines
    .filter((line): line is [string, string] => line[1] !== undefined)
    .map(([name, value]) => `${name}: ${value}\n`)
    .join("");
}

interface DuplicateKey {
  readonly key: string;
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly file: string;
  readonly sha256: string;
}

/** Drops exact repeats (same file, same bytes) of a sorted list; other repeats are an error, or the first given wins. */
function dedupe<T>(sorted: readonly T[], describe: (item: T) => DuplicateKey, policy: "error" | "keep-first"): T[] {
  const kept: T[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = describe(sorted[i] as T);
    let j = i + 1;
    while (j < sorted.length && describe(sorted[j] as T).key === first.key) j += 1;
    const group = sorted.slice(i, j).map(describe);
    if (policy === "error" && group.some((d) => d.file !== first.file || d.sha256 !== first.sha256)) {
      const files = group.map((d) => d.file);
      throw new QuipuError("QUIPU_DEB_DUPLICATE_PACKAGE", `${first.package} ${first.version} (${first.architecture}) is given by more than one file: ${files.join(", ")}`, {
        details: { package: first.package, version: first.version, architecture: first.architecture, files },
      });
    }
    kept.push(sorted[i] as T);
    i = j;
  }
  return kept;
}
