/**
 * Where each file of a chacra repository goes, decided from facts read out of the package (never
 * from I/O here): the pure half of `repo-builder.ts`, so the layout rules can be tested alone.
 *
 * - rpm: `{SRPMS,noarch,x86_64,aarch64,…}/<file>`. The directory comes from the package header
 *   (source flag and ARCH), mapped to dnf's `$basearch`; the original guessed from the file name
 *   and filed ppc64le and s390x packages under `noarch/`. Files that are not rpms (the `cephadm`
 *   script ceph jobs upload) go to `noarch/`, as before.
 * - deb: `pool/main/<prefix>/<source>/<file>` for the repo's own codename, as Debian and reprepro
 *   lay it out (release tooling counts files under `pool/main/c/ceph/`); every other combined
 *   codename gets its own `pool/<codename>/main/…`, so each `dists/<codename>` lists only its own
 *   packages even when two codenames carry files of the same name.
 * - raw: `<arch>/<file>`.
 */
import { findDistro } from "@quipu/core";

/** Arch directories every rpm repo has, empty or not, so `baseurl=…/$basearch` always resolves. */
export const RPM_BASE_DIRECTORIES: readonly string[] = ["SRPMS", "noarch", "x86_64", "aarch64"];

/** zypper reads one `repodata/` at the top of the repo, so SUSE repos are indexed whole. */
export function rpmRepodataAtTop(distro: string): boolean {
  return findDistro(distro)?.family === "suse";
}

/**
 * dnf's `$basearch` for an rpm ARCH tag (the part of dnf's arch table that matters for server
 * and ceph builds); unknown arches stand for themselves.
 */
const BASEARCH: Readonly<Record<string, string>> = {
  i386: "i386",
  i486: "i386",
  i586: "i386",
  i686: "i386",
  athlon: "i386",
  geode: "i386",
  pentium3: "i386",
  pentium4: "i386",
  amd64: "x86_64",
  ia32e: "x86_64",
  armv7hl: "armhfp",
  armv7hnl: "armhfp",
  armv8hl: "armhfp",
  armv5tel: "arm",
  armv5tejl: "arm",
  armv6l: "arm",
  armv7l: "arm",
  armv8l: "arm",
  ppc64p7: "ppc64",
};

/** A directory name we are willing to create from package data. */
const ARCH_DIRECTORY = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$/;

export function rpmBaseArch(arch: string): string {
  return BASEARCH[arch] ?? arch;
}

/** What the rpm header says, as far as placement cares. */
export interface RpmPlacementFacts {
  readonly isSource: boolean;
  /** The ARCH tag (`noarch`, `x86_64`, `ppc64le`, …). */
  readonly arch: string;
}

/** The original's guess from the file name, kept for files whose header cannot be read. */
export function rpmDirectoryFromFileName(name: string): string {
  if (/\.(no)?src\.rpm$/.test(name)) return "SRPMS";
  const arch = /\.([A-Za-z0-9_]+)\.rpm$/.exec(name)?.[1];
  return arch === undefined ? "noarch" : checkedArchDirectory(rpmBaseArch(arch));
}

/** The arch directory of a file in an rpm repo: from the header when there is one, else from the name. */
export function rpmDirectoryOf(name: string, facts: RpmPlacementFacts | undefined): string {
  if (facts === undefined) return name.endsWith(".rpm") ? rpmDirectoryFromFileName(name) : "noarch";
  if (facts.isSource) return "SRPMS";
  return checkedArchDirectory(rpmBaseArch(facts.arch));
}

function checkedArchDirectory(arch: string): string {
  // `repodata` would collide with the index of a SUSE repo; a weird ARCH tag is not worth a directory.
  return ARCH_DIRECTORY.test(arch) && arch !== "repodata" ? arch : "noarch";
}

/**
 * A source package name as Debian policy spells it (§5.6.1). The control file's `Source` field is
 * not checked by the .deb reader, and it becomes a directory here: anything else is not trusted.
 */
export function isDebianSourceName(name: string): boolean {
  return /^[a-z0-9][a-z0-9+.-]+$/.test(name);
}

/** Debian's pool prefix: `lib` sources by four letters (`libr/librados`), the rest by one. */
export function debPoolPrefix(source: string): string {
  return source.startsWith("lib") && source.length > 3 ? source.slice(0, 4) : source.slice(0, 1);
}

export type DebFileKind = "deb" | "ddeb" | "udeb" | "dsc" | "changes" | "other";

export function debFileKind(name: string): DebFileKind {
  const extension = /\.(deb|ddeb|udeb|dsc|changes)$/.exec(name)?.[1];
  return (extension as DebFileKind | undefined) ?? "other";
}

const ARCHIVE_SUFFIXES = /(\.(tar|gz|tgz|xz|txz|bz2|tbz2?|zst|zstd|lz|lzma|zip|7z|msi|exe|deb|ddeb|udeb|dsc|changes|buildinfo|sh|py|txt|json|asc|sig|sha256|sha512))+$/i;

/**
 * The pool directory name for a file whose package facts are unknown (unreadable package, tarball,
 * script): the part before the first `_`, as Debian names every package file
 * (`ceph_18.2.0.orig.tar.gz` → `ceph`, next to its .dsc), else the name without archive suffixes.
 */
export function debStemOf(name: string): string {
  const underscore = name.indexOf("_");
  const stem = underscore > 0 ? name.slice(0, underscore) : name.replace(ARCHIVE_SUFFIXES, "");
  return stem === "" || stem.startsWith(".") ? name : stem;
}

/** The pool of one codename: the repo's own in `pool/main`, a combined one in `pool/<codename>/main`. */
export function debPoolRoot(codename: string, ownCodename: string): string {
  return codename === ownCodename ? "pool/main" : `pool/${codename}/main`;
}

export function debPoolDirectory(poolRoot: string, source: string): string {
  return `${poolRoot}/${debPoolPrefix(source)}/${source}`;
}

/** The codename a pool path belongs to, or undefined for paths outside every pool. */
export function debCodenameOfPath(path: string, ownCodename: string): string | undefined {
  if (path.startsWith("pool/main/")) return ownCodename;
  const match = /^pool\/([^/]+)\/main\//.exec(path);
  return match?.[1];
}

/**
 * Whether a directory is written by the indexer rather than placed by the builder, so pruning
 * leaves it alone: `repodata/` at the top or in an arch directory (rpm), `dists/` (deb). Raw repos
 * generate nothing, so a repo switched to raw loses its old indexes too. `depth` is 0 at the top.
 */
export function isGeneratedDirectory(type: "rpm" | "deb" | "raw", depth: number, name: string): boolean {
  if (type === "rpm") return name === "repodata" && depth <= 1;
  if (type === "deb") return name === "dists" && depth === 0;
  return false;
}
