/**
 * Turns a repo's binaries into the directory chacra serves under `/r/…`, indexed with quipu's own
 * indexer (`@quipu/core/indexer`). Layout rules are in `repo-layout.ts`; this file does the I/O:
 *
 * 1. plan: read just enough of each package to know where it goes (`repo-package-facts.ts`: rpm
 *    header, deb control, .dsc, remembered per stored file so later builds read only new binaries);
 * 2. place: hard-link each binary from the store (a copy across file systems), so deleting a stored
 *    binary never breaks a served repo; an unchanged file is left alone, which keeps the indexer's
 *    cache valid; files no longer wanted are moved out (the original never pruned them);
 * 3. index: one `indexRpmDirectory` per arch directory (one at the top for SUSE), or one
 *    `indexDebDirectory` per codename limited to that codename's pool;
 * 4. commit: drop what was moved out, then indexes of arch directories and codenames that are gone.
 *
 * Readers always see a consistent repository: new files appear before any index names them, each
 * index switches atomically, and files an index still names are only moved out of the way into
 * `.quipu/trash` — if the build fails they are put back, so the previous generation stays whole
 * wherever the new one was not published. A bad package is a `problems` entry; the rest is
 * published.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  type Stats,
} from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { z } from "zod";
import {
  QuipuError,
  isGenericDistroVersion,
  isQuipuError,
  isSuiteName,
  parseOrThrow,
  safeSegmentSchema,
  silentLogger,
  type Codecs,
  type ErrorCode,
  type Logger,
  type RepoType,
} from "@quipu/core";
import { createNodeCodecs } from "@quipu/core/codecs";
import { indexDebDirectory, indexRpmDirectory, type IndexProblem } from "@quipu/core/indexer";
import type { RepositorySigner } from "@quipu/core/signing";
import { FactsCache, UNREAD, readDebFacts, readDscFacts, readRpmFacts } from "./repo-package-facts.js";
import {
  RPM_BASE_DIRECTORIES,
  debCodenameOfPath,
  debFileKind,
  debPoolDirectory,
  debPoolRoot,
  debStemOf,
  isDebianSourceName,
  isGeneratedDirectory,
  rpmDirectoryOf,
  rpmRepodataAtTop,
} from "./repo-layout.js";

export interface RepoBuildInput {
  /** Absolute path of the stored binary. */
  readonly file: string;
  /** File name it is published under. */
  readonly name: string;
  /** The URL arch it was uploaded under (`x86_64`, `arm64`, `source`, `noarch`, …); raw repos use it as the directory. */
  readonly arch: string;
  /** deb: the codename whose `dists/` lists it; `generic`/`universal`/`any` means every codename of the build. */
  readonly distroVersion: string;
}

export interface BuildRepositoryOptions {
  /** `{reposRoot}/{project}/{ref}/{sha1}/{distro}/{version}/flavors/{flavor}/` */
  readonly directory: string;
  readonly type: RepoType;
  readonly distro: string;
  readonly distroVersion: string;
  readonly inputs: readonly RepoBuildInput[];
  /** deb: every codename to publish (own first, then combined ones); default `[distroVersion]`. Codenames of inputs are added. */
  readonly codenames?: readonly string[] | undefined;
  /** Signs `repomd.xml` / `InRelease` and `Release.gpg`. */
  readonly signer?: RepositorySigner | undefined;
  /**
   * Inputs added since the last build. Accepted for callers that know, but not needed: the builder
   * finds changes itself with one stat per input, and a wrong hint could hide a change.
   */
  readonly changedFiles?: readonly string[] | undefined;
  readonly logger?: Logger | undefined;
  /** Aborting stops between steps; what was moved out is put back and the signal's reason is thrown. */
  readonly signal?: AbortSignal | undefined;
}

export interface RepoBuildProblem {
  /** The file's path in the repository (relative to `directory`), or the binary's name when it got no place. */
  readonly file: string;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface RepoBuildResult {
  /** Files left out of the indexes (corrupt packages, missing or conflicting binaries); everything else is published. */
  readonly problems: readonly RepoBuildProblem[];
  /** Packages in the published indexes (files placed, for raw repos). */
  readonly packages: number;
  /** Arch directories holding files (rpm, raw) or architectures of the published indexes (deb). */
  readonly archs: readonly string[];
  readonly durationMs: number;
}

// ------------------------------------------------------------------ options

const absolutePath = z.string().refine((path) => isAbsolute(path) && !path.includes("\0"), "must be an absolute path");

const RepoBuildInputSchema = z.object({
  file: absolutePath,
  name: safeSegmentSchema("name"),
  arch: safeSegmentSchema("arch"),
  distroVersion: safeSegmentSchema("distro version"),
});

/** Codenames become `dists/<codename>` and `pool/<codename>/main`; `main` would land inside the own pool. */
function codenameProblem(codename: string): string | undefined {
  if (!isSuiteName(codename) || codename.includes("/")) return `'${codename}' is not an apt codename (letters, digits, . _ + ~ -)`;
  if (codename === "main") return "'main' cannot be a codename: it is the name of the repo's own pool directory";
  return undefined;
}

const BuildRepositoryOptionsSchema = z
  .object({
    directory: absolutePath,
    type: z.enum(["rpm", "deb", "raw"]),
    distro: safeSegmentSchema("distro"),
    distroVersion: safeSegmentSchema("distro version"),
    inputs: z.array(RepoBuildInputSchema),
    codenames: z.array(safeSegmentSchema("codename")).optional(),
    changedFiles: z.array(z.string()).optional(),
  })
  .superRefine((options, context) => {
    if (options.type !== "deb") return;
    const check = (codename: string, path: (string | number)[]) => {
      const problem = codenameProblem(codename);
      if (problem !== undefined) context.addIssue({ code: "custom", path, message: problem });
    };
    check(options.distroVersion, ["distroVersion"]);
    options.codenames?.forEach((codename, i) => check(codename, ["codenames", i]));
    options.inputs.forEach((input, i) => {
      if (!isGenericDistroVersion(input.distroVersion)) check(input.distroVersion, ["inputs", i, "distroVersion"]);
    });
  });

type ParsedOptions = z.output<typeof BuildRepositoryOptionsSchema>;
type ParsedInput = z.output<typeof RepoBuildInputSchema>;

// ------------------------------------------------------------------ planning

interface Wanted {
  readonly source: string;
  readonly stat: Stats;
}

interface Plan {
  /** Repository path → the stored file that goes there, in input order. */
  readonly wanted: Map<string, Wanted>;
  /** deb: codenames to publish, own first. */
  readonly codenames: readonly string[];
  /** deb: architectures (other than `all`) of the readable .debs of each codename. */
  readonly architectures: ReadonlyMap<string, ReadonlySet<string>>;
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function sha256Of(file: string): string {
  const hash = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function planPlacements(options: ParsedOptions, cache: FactsCache, problems: RepoBuildProblem[]): Plan {
  const wanted = new Map<string, Wanted>();
  const skip = (file: string, message: string) => problems.push({ file, code: "QUIPU_CHACRA_REPO_INPUT_SKIPPED", message });
  const want = (path: string, input: ParsedInput, stat: Stats) => {
    const existing = wanted.get(path);
    if (existing === undefined) {
      wanted.set(path, { source: input.file, stat });
      return;
    }
    // The same binary reached twice (a generic .deb, an extra project sharing files) is fine.
    if (sameFile(existing.stat, stat)) return;
    if (existing.stat.size === stat.size && sha256Of(existing.source) === sha256Of(input.file)) return;
    skip(path, `${path}: left out, because another binary with different content already takes this path (${input.file} vs ${existing.source})`);
  };

  // Usable inputs with their stat; the others become problems.
  const usable: { input: ParsedInput; stat: Stats }[] = [];
  for (const input of options.inputs) {
    if (input.name.startsWith(".")) {
      skip(input.name, `${input.name}: left out, because names starting with a dot are hidden files that are never indexed or served`);
      continue;
    }
    let stat: Stats;
    try {
      stat = statSync(input.file);
    } catch (error) {
      skip(input.name, `${input.name}: left out, because its stored file ${input.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      continue;
    }
    if (!stat.isFile()) {
      skip(input.name, `${input.name}: left out, because its stored file ${input.file} is not a regular file`);
      continue;
    }
    usable.push({ input, stat });
  }

  if (options.type === "raw") {
    for (const { input, stat } of usable) want(`${input.arch}/${input.name}`, input, stat);
    return { wanted, codenames: [], architectures: new Map() };
  }

  if (options.type === "rpm") {
    for (const { input, stat } of usable) {
      const facts = input.name.endsWith(".rpm") ? cache.factsOf(input.file, stat, () => readRpmFacts(input.file, stat.size, input.name)) : UNREAD;
      want(`${rpmDirectoryOf(input.name, facts.kind === "rpm" ? facts : undefined)}/${input.name}`, input, stat);
    }
    return { wanted, codenames: [], architectures: new Map() };
  }

  // deb
  const own = options.distroVersion;
  const codenames = [...new Set([own, ...(options.codenames ?? [])])];
  for (const { input } of usable) {
    if (!isGenericDistroVersion(input.distroVersion) && !codenames.includes(input.distroVersion)) codenames.push(input.distroVersion);
  }
  const codenamesOf = (input: ParsedInput) => (isGenericDistroVersion(input.distroVersion) ? codenames : [input.distroVersion]);
  let codecs: Codecs | undefined;
  const lazyCodecs = () => (codecs ??= createNodeCodecs());
  const described = usable.flatMap(({ input, stat }) => {
    const kind = debFileKind(input.name);
    // reprepro was never given .changes files; they describe an upload, not the archive.
    if (kind === "changes") return [];
    const facts =
      kind === "deb" || kind === "ddeb" || kind === "udeb"
        ? cache.factsOf(input.file, stat, () => readDebFacts(input.file, stat.size, input.name, lazyCodecs))
        : kind === "dsc"
          ? cache.factsOf(input.file, stat, () => readDscFacts(input.file, stat.size, input.name))
          : UNREAD;
    return [{ input, stat, facts }];
  });

  // Source packages first: the tarballs a .dsc lists must sit beside it (Sources gives one Directory).
  const besideDsc = new Map<string, Map<string, string>>();
  for (const { input, stat, facts } of described) {
    if (facts.kind !== "dsc" || !isDebianSourceName(facts.source)) continue;
    for (const codename of codenamesOf(input)) {
      const directory = debPoolDirectory(debPoolRoot(codename, own), facts.source);
      want(`${directory}/${input.name}`, input, stat);
      const listed = besideDsc.get(codename) ?? new Map<string, string>();
      for (const file of facts.files) if (!listed.has(file)) listed.set(file, directory);
      besideDsc.set(codename, listed);
    }
  }
  const architectures = new Map<string, Set<string>>(codenames.map((codename) => [codename, new Set<string>()]));
  for (const { input, stat, facts } of described) {
    if (facts.kind === "dsc" && isDebianSourceName(facts.source)) continue;
    for (const codename of codenamesOf(input)) {
      const root = debPoolRoot(codename, own);
      let directory: string;
      if (facts.kind === "deb" && isDebianSourceName(facts.source)) {
        directory = debPoolDirectory(root, facts.source);
        if (facts.architecture !== "all" && input.name.endsWith(".deb")) architectures.get(codename)!.add(facts.architecture);
      } else {
        directory = besideDsc.get(codename)?.get(input.name) ?? debPoolDirectory(root, debStemOf(input.name));
      }
      want(`${directory}/${input.name}`, input, stat);
    }
  }
  return { wanted, codenames, architectures };
}

// ------------------------------------------------------------------ placing

/** A moved-out file: where it was, and where it waits in the trash until the build is committed. */
interface Displaced {
  readonly path: string;
  readonly slot: string;
}

/**
 * The file changes of one build, reversible until committed: replaced and removed files wait in
 * `.quipu/trash` (same file system, so moving is a rename) and are put back on rollback.
 */
class Placement {
  readonly displaced: Displaced[] = [];
  placed = 0;
  reused = 0;
  removed = 0;
  private counter = 0;

  constructor(
    private readonly root: string,
    private readonly trash: string,
  ) {}

  private slot(): string {
    mkdirSync(this.trash, { recursive: true });
    return join(this.trash, String(this.counter++));
  }

  /** Puts the stored file at `path`, unless the same file is already there. */
  put(path: string, wanted: Wanted): void {
    const target = join(this.root, path);
    let existing: Stats | undefined;
    try {
      existing = lstatSync(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
    }
    if (existing?.isFile() && unchanged(existing, wanted.stat)) {
      this.reused += 1;
      return;
    }
    mkdirSync(dirname(target), { recursive: true });
    const temporary = join(dirname(target), `.quipu-place-${process.pid}-${this.counter++}`);
    try {
      linkOrCopy(wanted.source, temporary, wanted.stat);
      if (existing !== undefined) {
        const slot = this.slot();
        // A second link keeps the old file for rollback while the rename below swaps in the new one
        // atomically: readers never see the path missing.
        if (existing.isDirectory()) renameSync(target, slot);
        else linkSync(target, slot);
        this.displaced.push({ path, slot });
      }
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
    this.placed += 1;
  }

  /** Moves a file that is no longer wanted out of the repository. */
  remove(path: string): void {
    const slot = this.slot();
    renameSync(join(this.root, path), slot);
    this.displaced.push({ path, slot });
    this.removed += 1;
  }

  /** Puts back every moved-out file for which `restore(path)` says so (best effort: it runs after a failure). */
  rollback(restore: (path: string) => boolean, logger: Logger): void {
    for (const { path, slot } of [...this.displaced].reverse()) {
      if (!restore(path)) continue;
      const target = join(this.root, path);
      try {
        mkdirSync(dirname(target), { recursive: true });
        renameSync(slot, target);
      } catch (error) {
        logger.warn({ event: "repo-rollback-failed", repo: this.root, path, reason: (error as Error).message }, "could not put a file back after a failed build");
      }
    }
  }

  commit(): void {
    rmSync(this.trash, { recursive: true, force: true });
  }
}

/**
 * Whether a placed file already is the stored one: the same inode for a hard link; for a copy
 * (another file system) the same size and modification time, which `linkOrCopy` carries over.
 */
function unchanged(existing: Stats, source: Stats): boolean {
  if (existing.dev === source.dev) return existing.ino === source.ino;
  // utimes goes through floating-point seconds, so the carried-over time may differ below a millisecond.
  return existing.size === source.size && Math.abs(existing.mtimeMs - source.mtimeMs) < 1;
}

function linkOrCopy(source: string, target: string, stat: Stats): void {
  try {
    linkSync(source, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EXDEV: store and repos on different file systems; EPERM/EMLINK: links not allowed or too many.
    if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw error;
    copyFileSync(source, target);
    utimesSync(target, stat.atime, stat.mtime);
  }
}

/** Every file the builder placed in earlier builds: all but hidden entries and generated indexes. */
function placedFiles(root: string, type: "rpm" | "deb" | "raw"): string[] {
  const files: string[] = [];
  const walk = (relative: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(relative === "" ? root : join(root, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!isGeneratedDirectory(type, depth, entry.name)) walk(path, depth + 1);
      } else {
        files.push(path);
      }
    }
  };
  walk("", 0);
  return files;
}

/** Removes directories left empty by pruning (never the root, hidden ones, indexes or `keep`). */
function removeEmptyDirectories(root: string, type: "rpm" | "deb" | "raw", keep: ReadonlySet<string>): void {
  const visit = (relative: string, depth: number): boolean => {
    const absolute = relative === "" ? root : join(root, relative);
    let entries;
    try {
      entries = readdirSync(absolute, { withFileTypes: true });
    } catch {
      return false;
    }
    let remaining = entries.length;
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || isGeneratedDirectory(type, depth, entry.name)) continue;
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (visit(path, depth + 1) && !keep.has(path)) {
        rmSync(join(root, path), { recursive: true, force: true });
        remaining -= 1;
      }
    }
    return remaining === 0;
  };
  visit("", 0);
}

// ------------------------------------------------------------------ building

function buildFailed(directory: string, reason: string, cause?: unknown): QuipuError {
  return new QuipuError("QUIPU_CHACRA_REPO_BUILD_FAILED", `building the repository at ${directory} failed: ${reason}`, {
    details: { repo: directory, reason },
    cause,
  });
}

function prefixed(problems: readonly IndexProblem[], prefix: string): RepoBuildProblem[] {
  return problems.map((problem) => ({ file: prefix === "" ? problem.file : `${prefix}/${problem.file}`, code: problem.code, message: problem.message }));
}

/** Repos being built by this process: a second build of the same directory would undo the first's work. */
const building = new Set<string>();

/** Builds (or rebuilds, incrementally) the repository at `options.directory`. */
export async function buildRepository(options: BuildRepositoryOptions): Promise<RepoBuildResult> {
  const started = Date.now();
  const parsed = parseOrThrow(
    BuildRepositoryOptionsSchema,
    {
      directory: options.directory,
      type: options.type,
      distro: options.distro,
      distroVersion: options.distroVersion,
      inputs: options.inputs,
      codenames: options.codenames,
      changedFiles: options.changedFiles,
    },
    "repository build options",
  );
  const directory = normalize(parsed.directory).replace(/\/+$/, "");
  if (building.has(directory)) throw buildFailed(directory, "another build of this repository is running");
  building.add(directory);
  try {
    return await build({ ...parsed, directory }, options, started);
  } finally {
    building.delete(directory);
  }
}

async function build(options: ParsedOptions, raw: BuildRepositoryOptions, started: number): Promise<RepoBuildResult> {
  const logger = raw.logger ?? silentLogger;
  const signal = raw.signal;
  const { directory, type } = options;
  const state = join(directory, ".quipu");
  const trash = join(state, "trash");
  signal?.throwIfAborted();
  mkdirSync(directory, { recursive: true });
  // Leftovers of a build that was killed: what they held is no longer named by any index.
  rmSync(trash, { recursive: true, force: true });

  const problems: RepoBuildProblem[] = [];
  const cache = new FactsCache(state);
  const plan = planPlacements(options, cache, problems);
  cache.save();

  const rpmAtTop = type === "rpm" && rpmRepodataAtTop(options.distro);
  const rpmDirectories =
    type === "rpm" ? [...new Set([...RPM_BASE_DIRECTORIES, ...[...plan.wanted.keys()].map((path) => path.slice(0, path.indexOf("/")))])].sort() : [];
  /** The index a path belongs to (arch directory, codename), so a failure restores only unpublished ones. */
  const unitOf = (path: string): string | undefined => {
    if (type === "rpm") {
      if (rpmAtTop) return "";
      const top = path.slice(0, path.indexOf("/"));
      return rpmDirectories.includes(top) ? top : undefined;
    }
    if (type === "deb") return debCodenameOfPath(path, options.distroVersion);
    return undefined;
  };

  const placement = new Placement(directory, trash);
  const published = new Set<string>();
  let packages = 0;
  const archs = new Set<string>();
  try {
    signal?.throwIfAborted();
    for (const [path, wanted] of plan.wanted) placement.put(path, wanted);
    signal?.throwIfAborted();
    // Prune what is no longer an input (the original kept stale links until `recreate`).
    for (const path of placedFiles(directory, type)) if (!plan.wanted.has(path)) placement.remove(path);
    logger.debug(
      { event: "repo-files-placed", repo: directory, placed: placement.placed, unchanged: placement.reused, removed: placement.removed },
      "repository files placed",
    );

    if (type === "rpm") {
      const indexOptions = { signer: raw.signer, logger };
      if (rpmAtTop) {
        for (const sub of rpmDirectories) mkdirSync(join(directory, sub), { recursive: true });
        signal?.throwIfAborted();
        const result = await indexRpmDirectory(directory, indexOptions);
        published.add("");
        problems.push(...prefixed(result.problems, ""));
        packages += result.packages;
      } else {
        for (const sub of rpmDirectories) {
          signal?.throwIfAborted();
          mkdirSync(join(directory, sub), { recursive: true });
          const result = await indexRpmDirectory(join(directory, sub), indexOptions);
          published.add(sub);
          problems.push(...prefixed(result.problems, sub));
          packages += result.packages;
        }
      }
      for (const path of plan.wanted.keys()) archs.add(path.slice(0, path.indexOf("/")));
    } else if (type === "deb") {
      for (const codename of plan.codenames) {
        signal?.throwIfAborted();
        const pool = debPoolRoot(codename, options.distroVersion);
        const result = await indexDebDirectory(directory, {
          codename,
          component: "main",
          packageDirectories: [pool],
          cacheFile: join(state, `deb-${codename}-index-cache`),
          compressions: ["none", "gzip", "xz"],
          signer: raw.signer,
          logger,
          // A codename without binaries still gets an (empty) amd64 index, so `apt-get update` works.
          ...(plan.architectures.get(codename)?.size ? {} : { architectures: ["amd64"] }),
        });
        published.add(codename);
        problems.push(...prefixed(result.problems, ""));
        packages += result.packages;
        for (const arch of result.architectures) archs.add(arch);
      }
    } else {
      packages = plan.wanted.size;
      for (const path of plan.wanted.keys()) archs.add(path.slice(0, path.indexOf("/")));
    }
  } catch (error) {
    placement.rollback((path) => {
      const unit = unitOf(path);
      return unit === undefined || !published.has(unit);
    }, logger);
    placement.commit();
    if (signal?.aborted && error === signal.reason) throw error;
    if (isQuipuError(error, "QUIPU_CHACRA_REPO_BUILD_FAILED")) throw error;
    throw buildFailed(directory, error instanceof Error ? error.message : String(error), error);
  }

  placement.commit();
  removeStaleIndexes(directory, type, rpmDirectories, plan.codenames);
  removeEmptyDirectories(directory, type, new Set(rpmDirectories));
  return { problems, packages, archs: [...archs].sort(), durationMs: Date.now() - started };
}

/** After a successful build: arch directories (with their repodata) and codenames that are gone. */
function removeStaleIndexes(directory: string, type: "rpm" | "deb" | "raw", rpmDirectories: readonly string[], codenames: readonly string[]): void {
  const directoriesIn = (path: string) => {
    try {
      return readdirSync(path, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !entry.name.startsWith("."));
    } catch {
      return [];
    }
  };
  if (type === "rpm") {
    for (const entry of directoriesIn(directory)) {
      if (!rpmDirectories.includes(entry.name) && !isGeneratedDirectory("rpm", 0, entry.name)) rmSync(join(directory, entry.name), { recursive: true, force: true });
    }
  } else if (type === "deb") {
    for (const entry of directoriesIn(join(directory, "dists"))) {
      if (codenames.includes(entry.name)) continue;
      rmSync(join(directory, "dists", entry.name), { recursive: true, force: true });
      for (const suffix of ["", ".idx", ".blob"]) rmSync(join(directory, ".quipu", `deb-${entry.name}-index-cache${suffix}`), { force: true });
    }
  }
}
