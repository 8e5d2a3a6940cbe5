import type { RepositorySigner } from "./repository-signer.js";
import { signingInputInvalid } from "./signing-errors.js";

/** A file of a repository, path relative to its root (what the apt and rpm writers return). */
export interface RepositoryFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** A signature file added by `signAptRelease` / `signRpmRepomd`. */
export interface RepositorySignatureFile extends RepositoryFile {
  readonly kind: "signature";
  /** Path of the file it signs. */
  readonly signs: string;
}

export interface SignAptReleaseOptions {
  /**
   * Paths of the Release files to sign. Default: every top-level `Release` in the list — one whose
   * directory has no `Release` above it, so `dists/<codename>/Release` (or a flat repository's
   * `Release`) but not the legacy per-index `…/binary-<arch>/Release` files.
   */
  readonly releases?: readonly string[] | undefined;
  /** Release.gpg armored (default, as `gpg -abs` writes it) or binary. */
  readonly armorReleaseGpg?: boolean | undefined;
}

function directoryOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function isUnder(path: string, directory: string): boolean {
  return directory === "" || path.startsWith(`${directory}/`);
}

function sibling(directory: string, name: string): string {
  return directory === "" ? name : `${directory}/${name}`;
}

interface Group<T> {
  /** Directory whose files the group must come after. */
  readonly root: string;
  /** Position among the other files where the entry point was. */
  readonly anchor: number;
  readonly order: number;
  readonly files: readonly (T | RepositorySignatureFile)[];
}

/**
 * Puts each group back into `rest` at its old place, or later when a file under its root comes
 * after that place: the entry point (with its signatures) stays after every file it describes.
 */
function placeGroups<T extends RepositoryFile>(rest: readonly T[], groups: readonly Group<T>[]): (T | RepositorySignatureFile)[] {
  const placed = groups.map((group) => {
    let at = group.anchor;
    for (let i = rest.length - 1; i >= at; i -= 1) {
      if (isUnder((rest[i] as T).path, group.root)) {
        at = i + 1;
        break;
      }
    }
    return { at, group };
  });
  placed.sort((a, b) => b.at - a.at || b.group.order - a.group.order);
  const out: (T | RepositorySignatureFile)[] = [...rest];
  for (const { at, group } of placed) out.splice(at, 0, ...group.files);
  return out;
}

/** Top-level Release files: a `Release` with no `Release` in a directory above it. */
function topLevelReleases(paths: readonly string[]): string[] {
  const releaseDirs = new Set(paths.filter((path) => baseName(path) === "Release").map(directoryOf));
  return paths.filter((path) => {
    if (baseName(path) !== "Release") return false;
    const dir = directoryOf(path);
    for (const other of releaseDirs) if (other !== dir && (other === "" || dir.startsWith(`${other}/`))) return false;
    return true;
  });
}

/**
 * Signs an apt repository: for each top-level Release (or each path in `options.releases`) adds
 * `Release.gpg` (detached) and `InRelease` (clear-signed) beside it. Returns the whole list to
 * write, in order: every other file first, then per Release `Release.gpg`, `Release`, `InRelease`
 * — InRelease, the file apt fetches first, comes last, so a client never sees it before the
 * indexes it lists; Release.gpg comes before Release so a client falling back to the pair never
 * finds a Release without its signature on a first publication. Existing `InRelease` /
 * `Release.gpg` beside a signed Release are replaced.
 */
export async function signAptRelease<T extends RepositoryFile>(
  files: readonly T[],
  signer: RepositorySigner,
  options: SignAptReleaseOptions = {},
): Promise<(T | RepositorySignatureFile)[]> {
  const paths = files.map((file) => file.path);
  const releases = options.releases === undefined ? topLevelReleases(paths) : [...new Set(options.releases)];
  if (releases.length === 0) throw signingInputInvalid("no top-level Release file in the list", { path: "Release" });
  for (const path of releases) {
    if (!paths.includes(path)) throw signingInputInvalid(`'${path}' is not in the list`, { path });
    if (baseName(path) !== "Release") throw signingInputInvalid(`'${path}' is not named Release`, { path });
  }
  const stale = new Set(releases.flatMap((path) => [sibling(directoryOf(path), "InRelease"), sibling(directoryOf(path), "Release.gpg")]));
  const armor = options.armorReleaseGpg ?? true;

  const rest: T[] = [];
  const groups: Group<T>[] = [];
  for (const file of files) {
    if (stale.has(file.path)) continue;
    if (!releases.includes(file.path)) {
      rest.push(file);
      continue;
    }
    const dir = directoryOf(file.path);
    const detached = await signer.signDetached(file.bytes, { armor });
    const inRelease = await signer.signInRelease(file.bytes);
    groups.push({
      root: dir,
      anchor: rest.length,
      order: groups.length,
      files: [
        { path: sibling(dir, "Release.gpg"), bytes: detached, kind: "signature", signs: file.path },
        file,
        { path: sibling(dir, "InRelease"), bytes: inRelease, kind: "signature", signs: file.path },
      ],
    });
  }
  return placeGroups(rest, groups);
}

/**
 * Signs dnf/yum repositories: adds the armored detached signature `repodata/repomd.xml.asc`
 * (checked by clients with `repo_gpgcheck=1`) for every `repodata/repomd.xml` in the list.
 * Returns the whole list to write, with each `repomd.xml.asc` just before its `repomd.xml`, which
 * stays after every other file of its repository (the rpm writer's "repomd.xml last" rule).
 * An existing `repomd.xml.asc` is replaced.
 */
export async function signRpmRepomd<T extends RepositoryFile>(files: readonly T[], signer: RepositorySigner): Promise<(T | RepositorySignatureFile)[]> {
  const isRepomd = (path: string) => path === "repodata/repomd.xml" || path.endsWith("/repodata/repomd.xml");
  const repomds = new Set(files.map((file) => file.path).filter(isRepomd));
  if (repomds.size === 0) throw signingInputInvalid("no repodata/repomd.xml in the list", { path: "repodata/repomd.xml" });
  const rest: T[] = [];
  const groups: Group<T>[] = [];
  for (const file of files) {
    if (file.path.endsWith(".asc") && repomds.has(file.path.slice(0, -4))) continue;
    if (!repomds.has(file.path)) {
      rest.push(file);
      continue;
    }
    const signature = await signer.signDetached(file.bytes, { armor: true });
    groups.push({
      root: directoryOf(directoryOf(file.path)),
      anchor: rest.length,
      order: groups.length,
      files: [{ path: `${file.path}.asc`, bytes: signature, kind: "signature", signs: file.path }, file],
    });
  }
  return placeGroups(rest, groups);
}
