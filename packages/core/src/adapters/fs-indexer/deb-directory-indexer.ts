import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod/mini";
import { QuipuError } from "../../errors/quipu-error.js";
import { formatControlParagraph, ControlParagraph } from "../../indexing/deb/control-fields.js";
import { compareDebianVersions } from "../../indexing/deb/debian-version.js";
import { computeFileHashes, HASH_NAMES, RELEASE_HASH_FIELD, type FileHashes, type HashName } from "../../indexing/deb/file-hashes.js";
import { renderPackagesStanza } from "../../indexing/deb/packages-index.js";
import { renderRelease, type ReleaseFileEntry } from "../../indexing/deb/release-file.js";
import { isArchitectureName, isComponentName, isSuiteName } from "../../indexing/deb/repo-names.js";
import type { IndexCompression } from "../../indexing/deb/apt-repository.js";
import { signAptRelease } from "../signing/repository-signing.js";
import { composeDocument } from "./block-compression.js";
import { cacheFingerprint } from "./cache-fingerprint.js";
import { checkDirectory, normaliseRelativePath } from "./directory-scan.js";
import {
  cachePathFor,
  changedPathsSchema,
  commonOptionsShape,
  normalisedPath,
  compareCodePoints,
  elapsed,
  lockPathFor,
  mergeOrdered,
  parseIndexOptions,
  PhaseTimer,
  problemFrom,
  readIntoCache,
  runContext,
  selectFiles,
  strictFailure,
  utf8,
} from "./directory-indexing.js";
import { publishGeneration, removeFiles, removeLeftoverTemporaries, type PublishFile } from "./atomic-publish.js";
import { IndexCache, recordNumber, type CacheRecord, type CacheShape } from "./index-cache.js";
import { RunScratch } from "./scratch-pool.js";
import { DEB_BINARY, DEB_PROBLEM, DEB_SOURCE } from "./package-reading.js";
import { acquireIndexLock } from "./index-lock.js";
import type { DirectoryIndexOptions, DirectoryIndexResult, IndexProblem } from "./index-types.js";
import { readPreviousRelease } from "./previous-generation.js";

export interface IndexDebDirectoryOptions extends DirectoryIndexOptions {
  /** `dists/<codename>/…` and the Codename field; required unless `layout` is `flat`. */
  readonly codename?: string | undefined;
  /** The one component every package is published in (default `main`). */
  readonly component?: string | undefined;
  /** `dists` (default) or `flat` (`Packages`, `Release` at the top: sources.list `deb URI ./`). */
  readonly layout?: "dists" | "flat" | undefined;
  /** Suite field (default: the codename). */
  readonly suite?: string | undefined;
  readonly origin?: string | undefined;
  readonly label?: string | undefined;
  readonly version?: string | undefined;
  readonly description?: string | undefined;
  /** Architectures (default: those of the packages). A package of another architecture is a problem. */
  readonly architectures?: readonly string[] | undefined;
  /** Digests in Packages stanzas and Release lists (default md5 + sha256); sha256 is always computed. */
  readonly checksums?: readonly HashName[] | undefined;
  /**
   * Index compressions (default `gzip`; add `none` to also write the plain `Packages`, which is
   * always listed in Release). `xz` is recompressed whole whenever an index changes.
   */
  readonly compressions?: readonly IndexCompression[] | undefined;
  /** `Acquire-By-Hash: yes` and `by-hash/` copies (default true). */
  readonly acquireByHash?: boolean | undefined;
  /** Index `.dsc` files into Sources (default true). */
  readonly sources?: boolean | undefined;
  /**
   * Look for packages only in these subdirectories (relative to the directory, e.g.
   * `["pool/jammy"]`), not in the whole tree; `Filename:` stays relative to the directory. This is
   * how several codenames are published from one tree (`pool/jammy/…` only for `dists/jammy`).
   * Cached records of files outside them are kept for the runs that index those (one cache can
   * serve every codename; a separate `cacheFile` per codename keeps each one small).
   */
  readonly packageDirectories?: readonly string[] | undefined;
  /** The Release `Date` (default: `sourceDateEpoch`, else the clock). */
  readonly date?: Date | undefined;
  readonly validUntil?: Date | undefined;
  readonly notAutomatic?: boolean | undefined;
  readonly butAutomaticUpgrades?: boolean | undefined;
}

export interface DebDirectoryIndexResult extends DirectoryIndexResult {
  readonly kind: "deb";
  /** The Release file, relative to the directory (`dists/<codename>/Release`, or `Release` when flat). */
  readonly release: string;
  /** `InRelease` beside it, when signed. */
  readonly inRelease: string | undefined;
  readonly architectures: readonly string[];
}

const word = z.string().check(z.refine((value) => value.trim() !== "" && !/[\x00-\x1f\x7f]/.test(value), "must be one non-empty line"));
const DebOptionsSchema = z
  .object({
    ...commonOptionsShape,
    codename: z.optional(z.string().check(z.refine(isSuiteName, "must be a suite name (letters, digits, . _ + ~ -, slashes between words)"))),
    component: z.optional(z.string().check(z.refine(isComponentName, "must be a component name"))),
    layout: z.optional(z.enum(["dists", "flat"])),
    suite: z.optional(z.string().check(z.refine(isSuiteName, "must be a suite name"))),
    origin: z.optional(word),
    label: z.optional(word),
    version: z.optional(word),
    description: z.optional(word),
    architectures: z.optional(z.array(z.string().check(z.refine(isArchitectureName, "must be a Debian architecture name"))).check(z.minLength(1))),
    checksums: z.optional(
      z
        .array(z.enum(HASH_NAMES))
        .check(
          z.minLength(1),
          z.refine((list) => list.includes("sha256") || list.includes("sha512"), "must include sha256 or sha512 (apt refuses weak hashes only)"),
        ),
    ),
    compressions: z.optional(z.array(z.enum(["none", "gzip", "xz", "zstd", "bzip2"])).check(z.minLength(1))),
    acquireByHash: z.optional(z.boolean()),
    sources: z.optional(z.boolean()),
    notAutomatic: z.optional(z.boolean()),
    butAutomaticUpgrades: z.optional(z.boolean()),
    changedPaths: z.optional(changedPathsSchema),
    packageDirectories: z.optional(
      z
        .array(
          normalisedPath(
            (path) => {
              const segments = normaliseRelativePath(path)?.split("/");
              if (segments === undefined || segments.some((segment) => segment.startsWith(".")) || ["dists", "by-hash"].includes(segments[0]!)) return undefined;
              return segments.join("/");
            },
            (path) => `'${path}' is not a package directory under the directory (relative, no '..', not hidden, not dists/ or by-hash/)`,
          ),
        )
        .check(z.minLength(1)),
    ),
  })
  .check(z.refine((o) => o.layout === "flat" || o.codename !== undefined, { message: "a codename is required (or layout flat)", path: ["codename"] }));

const SUFFIX: Record<IndexCompression, string> = { none: "", gzip: ".gz", xz: ".xz", zstd: ".zst", bzip2: ".bz2" };

/*
 * Cache record of one .deb / .dsc:
 *   text    [path, package (or source), version, architecture ("source" for a .dsc), problem code, problem message]
 *   numbers [size, mtimeMs, ctimeMs, ino, status]
 *   fragments [stanza]
 */
const SHAPE_FIELDS = { kind: "deb", textFields: 6, numberFields: 5, fragmentFields: 1 } as const;

function rendererProbe(checksums: readonly HashName[]): string {
  const control = ControlParagraph.from([
    ["Package", "probe"],
    ["Version", "1:2-3"],
    ["Architecture", "all"],
    ["Maintainer", "P <p@example.invalid>"],
    ["Description", "probe\n long\n ."],
    ["X-Unknown", "kept"],
  ]);
  const hashes = computeFileHashes(new Uint8Array(1), checksums);
  return formatControlParagraph(renderPackagesStanza({ control, filename: "p/probe.deb", size: 1, hashes }));
}

interface DebRecordView {
  readonly record: CacheRecord;
  readonly path: string;
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
}

function view(record: CacheRecord): DebRecordView {
  const [path, name, version, architecture] = record.text as [string, string, string, string];
  return { record, path, name, version, architecture };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** buildAptRepository's order: package, version (dpkg order, then text), architecture; then the path. */
function compareEntries(a: DebRecordView, b: DebRecordView): number {
  return (
    compareText(a.name, b.name) ||
    compareDebianVersions(a.version, b.version) ||
    compareText(a.version, b.version) ||
    compareText(a.architecture, b.architecture) ||
    compareText(a.path, b.path)
  );
}

/**
 * Indexes every `.deb` (and `.dsc`, into Sources) under `directory` into an apt repository in the
 * same directory: `dists/<codename>/<component>/binary-<arch>/Packages…`, by-hash copies and
 * `dists/<codename>/Release` (signed into `InRelease` + `Release.gpg` with a `signer`), with
 * `Filename:` relative to `directory` — the same bytes `buildAptRepository` gives for those
 * packages, except that gzip indexes are made of reusable blocks. Incremental, atomic (the
 * Release/InRelease entry points renamed last, the previous generation's by-hash files kept one
 * generation), deterministic with `sourceDateEpoch`. Unreadable or duplicate packages are reported
 * in `problems` (or fail the run, with `strict`).
 */
export async function indexDebDirectory(directory: string, options: IndexDebDirectoryOptions = {}): Promise<DebDirectoryIndexResult> {
  const parsed = parseIndexOptions(DebOptionsSchema, options, "deb index options");
  const context = runContext(directory, options);
  const { root, logger, codecs } = context;
  const flat = parsed.layout === "flat";
  const component = flat ? "" : (parsed.component ?? "main");
  const checksums = HASH_NAMES.filter((name) => (parsed.checksums ?? ["md5", "sha256"]).includes(name));
  const compressions = [...new Set(parsed.compressions ?? ["gzip"])] as IndexCompression[];
  const acquireByHash = parsed.acquireByHash ?? true;
  const epoch = parsed.sourceDateEpoch;
  checkDirectory(root);
  for (const format of compressions) {
    if (format !== "none" && format !== "gzip" && !codecs.supports(format, "compress")) codecs.compress(format, new Uint8Array(0));
  }

  const timer = new PhaseTimer();
  const releaseLock = acquireIndexLock(lockPathFor(root));
  let opened: IndexCache | undefined;
  let saving: Promise<void> | undefined;
  // Large buffers of this run (cache index, documents), reused by the next run in this process.
  const scratch = new RunScratch();
  const allocate = (size: number) => scratch.take(size);
  try {
    const problems: IndexProblem[] = [];
    const shape: CacheShape = { ...SHAPE_FIELDS, fingerprint: cacheFingerprint("deb", { checksums }, rendererProbe(checksums)) };
    const cache = (parsed.cache ?? true) ? IndexCache.load(cachePathFor(root, "deb", parsed.cacheFile), shape, logger, scratch) : IndexCache.disabled(shape, scratch);
    opened = cache;
    timer.mark("cache-load");

    options.onProgress?.({ phase: "scan", done: 0, total: 0 });
    const selection = selectFiles(root, cache, {
      scan: { extensions: parsed.sources === false ? [".deb"] : [".deb", ".dsc"], skipTopLevel: ["dists", "by-hash"], directories: parsed.packageDirectories },
      changedPaths: parsed.changedPaths,
      onUnreadable: (path, error) => problems.push(problemFrom(path, error, "QUIPU_INDEX_FILE_UNREADABLE")),
    });
    const { kept, toRead, carried } = selection;
    options.onProgress?.({ phase: "scan", done: kept.length + toRead.length, total: kept.length + toRead.length });
    timer.mark("scan");

    const fresh = await readIntoCache(toRead, cache, SHAPE_FIELDS.fragmentFields, {
      settings: { kind: "deb", checksums },
      codecs,
      // Workers decode control members with the default codecs: only when the caller gave no others.
      workersAllowed: options.codecs === undefined,
      threads: parsed.threads,
      logger,
      onProgress: options.onProgress,
      allocate,
    });
    timer.mark("read");

    const ofStatus = (list: CacheRecord[], status: number) => list.filter((r) => recordNumber(r, 4) === status).map(view);
    const allBinaries = mergeOrdered(ofStatus(kept, DEB_BINARY), ofStatus(fresh, DEB_BINARY), compareEntries);
    const allSources = mergeOrdered(ofStatus(kept, DEB_SOURCE), ofStatus(fresh, DEB_SOURCE), compareEntries);
    let binaries = allBinaries;
    const failed = [...kept, ...fresh].filter((r) => recordNumber(r, 4) === DEB_PROBLEM);
    for (const record of failed) problems.push({ file: record.path, code: record.text[4] as IndexProblem["code"], message: record.text[5]! });

    // Architectures: declared (a package of another one is a problem) or those of the packages.
    const declared = parsed.architectures;
    if (declared !== undefined) {
      binaries = binaries.filter((b) => {
        if (b.architecture === "all" || declared.includes(b.architecture)) return true;
        problems.push({
          file: b.path,
          code: "QUIPU_DEB_REPO_INVALID",
          message: `${b.path}: architecture '${b.architecture}' is not one of the repository's architectures (${declared.join(", ")})`,
        });
        return false;
      });
    }
    binaries = dropDuplicates(binaries, problems);
    const sources = dropDuplicates(allSources, problems);
    problems.sort((a, b) => compareCodePoints(a.file, b.file));
    if (parsed.strict && problems.length > 0) throw strictFailure(root, problems);
    timer.mark("merge");

    const concrete = [...new Set(binaries.map((b) => b.architecture).filter((a) => a !== "all"))].sort();
    const architectures = declared ? [...declared] : concrete.length > 0 ? concrete : binaries.length > 0 ? ["all"] : [];
    if (!flat && architectures.length === 0 && sources.length === 0) {
      throw new QuipuError("QUIPU_DEB_REPO_INVALID", `nothing to index: no .deb or .dsc under ${root} and no architectures given`, {
        details: { reason: "nothing to index", directory: root },
      });
    }

    // The indexes, as items of cached stanzas.
    options.onProgress?.({ phase: "compose", done: 0, total: 0 });
    const indexes: { path: string; records: CacheRecord[] }[] = [];
    for (const arch of flat ? ["any"] : architectures) {
      const selected = flat ? binaries : binaries.filter((b) => b.architecture === arch || (arch !== "all" && b.architecture === "all"));
      indexes.push({ path: flat ? "Packages" : `${component}/binary-${arch}/Packages`, records: selected.map((v) => v.record) });
    }
    if (sources.length > 0) indexes.push({ path: flat ? "Sources" : `${component}/source/Sources`, records: sources.map((v) => v.record) });

    const releaseDirectory = flat ? "" : `dists/${parsed.codename}`;
    const under = (path: string) => (releaseDirectory === "" ? path : `${releaseDirectory}/${path}`);
    const listed: ReleaseFileEntry[] = [];
    const byHash = new Map<string, PublishFile>();
    const canonical: PublishFile[] = [];
    /** Lists a file in Release and, with `bytes`, publishes it (with by-hash copies). */
    const publish = (path: string, size: number, hashes: FileHashes, bytes: Uint8Array | undefined) => {
      listed.push({ path, size, hashes });
      if (bytes === undefined) return;
      const dir = path.includes("/") ? `${path.slice(0, path.lastIndexOf("/"))}/` : "";
      let sameAs: string | undefined;
      if (acquireByHash) {
        for (const name of checksums) {
          const hashPath = under(`${dir}by-hash/${RELEASE_HASH_FIELD[name]}/${hashes[name] as string}`);
          byHash.set(hashPath, { path: hashPath, bytes });
          sameAs ??= hashPath;
        }
      }
      canonical.push({ path: under(path), bytes, sameAs });
    };
    // Every index in every compression at once (gzip blocks on the libuv pool, xz in its own
    // process), then listed in a fixed order.
    // The uncompressed index is always listed (apt ignores indexes whose plain name is missing), written only with `none`.
    const formats: IndexCompression[] = compressions.includes("none") ? ["none", ...compressions.filter((c) => c !== "none")] : [...compressions];
    // Compressions done by another process (xz, bzip2) are started first, so that they run while
    // this thread does the gzip blocks and the digests.
    const external = (format: IndexCompression) => format !== "none" && format !== "gzip" && format !== "zstd";
    const startOrder = formats.map((format, i) => ({ format, i })).sort((a, b) => Number(external(b.format)) - Number(external(a.format)));
    const composed = await Promise.all(
      indexes.map(async (index) => {
        const source = cache.source(index.records, 0);
        const documents: Promise<Awaited<ReturnType<typeof composeDocument>>>[] = new Array(formats.length);
        for (const { format, i } of startOrder) documents[i] = composeDocument({ format, source, codecs, store: cache, openDigests: i === 0 ? checksums : false, allocate });
        return Promise.all(documents);
      }),
    );
    indexes.forEach((index, k) => {
      formats.forEach((format, i) => {
        const document = composed[k]![i]!;
        if (i === 0) publish(index.path, document.openLength, digestsOf(document.openDigests, checksums), format === "none" ? document.stored : undefined);
        if (format !== "none") publish(`${index.path}${SUFFIX[format]}`, document.stored.length, computeFileHashes(document.stored, checksums), document.stored);
      });
    });
    const date = options.date ?? (epoch !== undefined ? new Date(epoch * 1000) : (options.now ?? (() => new Date()))());
    const releaseText = renderRelease(
      {
        origin: parsed.origin,
        label: parsed.label,
        suite: parsed.suite ?? parsed.codename,
        version: parsed.version,
        codename: parsed.codename,
        date,
        validUntil: options.validUntil,
        notAutomatic: parsed.notAutomatic,
        butAutomaticUpgrades: parsed.butAutomaticUpgrades,
        acquireByHash,
        noSupportForArchitectureAll: architectures.includes("all") && architectures.some((a) => a !== "all"),
        architectures: flat && declared === undefined ? undefined : architectures,
        components: flat ? undefined : [component],
        description: parsed.description,
        hashes: checksums,
      },
      listed,
    );
    // Nothing but the date changed: keep the published Release as it is (no churn for mirrors and clients).
    const previous = readPreviousRelease(join(root, releaseDirectory));
    const withoutDate = (text: string) => text.replace(/^Date: .*\n/m, "");
    const sameAsBefore = options.date === undefined && epoch === undefined && previous !== undefined && withoutDate(previous.text) === withoutDate(releaseText);
    const release = { path: under("Release"), bytes: utf8(sameAsBefore ? previous.text : releaseText) };
    const entryPoints = options.signer ? (await signAptRelease([release], options.signer)).map((f) => ({ path: f.path, bytes: f.bytes })) : [release];
    const byPathOrder = (a: PublishFile, b: PublishFile) => compareText(a.path, b.path);
    const content = [...byHash.values()].sort(byPathOrder);
    const fixed = [...canonical.sort(byPathOrder), ...entryPoints];
    const obsolete = options.signer ? [] : [under("InRelease"), under("Release.gpg")];

    timer.mark("compose");
    // Every parsed file is cached, duplicates and misfits too: those are decided again each run. The
    // cache reaches the disk while the repository is published.
    saving = cache.save([...allBinaries.map((b) => b.record), ...allSources.map((s) => s.record), ...failed, ...carried], logger);
    timer.mark("cache-save");

    options.onProgress?.({ phase: "publish", done: 0, total: content.length + fixed.length });
    removeLeftoverTemporaries(root, [...content, ...fixed].map((f) => dirOf(f.path)));
    const outcome = await publishGeneration(root, { content, fixed, obsolete, onStep: options.onPublishStep });

    await options.onPublishStep?.("remove-stale");
    const keep = new Set([...byHash.keys(), ...(previous?.byHash ?? []).map(under)]);
    const indexDirs = new Set([...listed.map((f) => dirOf(f.path)), ...(previous?.paths ?? []).map(dirOf)]);
    const staleByHash: string[] = [];
    for (const dir of indexDirs) {
      for (const name of checksumsDirs()) {
        const hashDir = under(`${dir === "" ? "" : `${dir}/`}by-hash/${name}`);
        for (const file of safeList(join(root, hashDir))) if (!keep.has(`${hashDir}/${file}`)) staleByHash.push(`${hashDir}/${file}`);
      }
    }
    const listedNow = new Set(listed.map((f) => f.path));
    const staleIndexes = (previous?.paths ?? []).filter((p) => !listedNow.has(p) && !p.endsWith("Release")).map(under);
    const removed = removeFiles(root, [...staleByHash, ...staleIndexes]);
    timer.mark("publish");
    await saving;
    timer.mark("cache-sync");
    logger.debug({ event: "index.timings", kind: "deb", mode: selection.mode, ...timer.marks }, "index phase timings");
    options.onProgress?.({ phase: "publish", done: content.length + fixed.length, total: content.length + fixed.length });

    const result: DebDirectoryIndexResult = {
      kind: "deb",
      directory: root,
      packages: binaries.length + sources.length,
      indexed: toRead.length,
      reused: kept.length,
      problems,
      files: [...content, ...fixed].map((f) => f.path),
      written: outcome.written,
      removed,
      durationMs: elapsed(context),
      release: release.path,
      inRelease: options.signer ? under("InRelease") : undefined,
      architectures,
    };
    for (const problem of problems) logger.warn({ event: "index.problem", file: problem.file, code: problem.code }, problem.message);
    logger.info(
      { event: "index.published", kind: "deb", directory: root, packages: result.packages, indexed: result.indexed, reused: result.reused, problems: problems.length, durationMs: result.durationMs },
      "apt repository indexed",
    );
    return result;
  } finally {
    // A failed publish still lets the cache finish (save never throws).
    await saving;
    opened?.close();
    scratch.release();
    releaseLock();
  }
}

function digestsOf(digests: Readonly<Record<string, string>>, names: readonly HashName[]): FileHashes {
  const hashes: { -readonly [K in HashName]?: string } = {};
  for (const name of HASH_NAMES) if (name === "sha256" || names.includes(name)) hashes[name] = digests[name];
  return hashes as FileHashes;
}

function checksumsDirs(): string[] {
  return HASH_NAMES.map((name) => RELEASE_HASH_FIELD[name]);
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Keeps the first of each (name, version, architecture); the others become QUIPU_DEB_DUPLICATE_PACKAGE problems. */
function dropDuplicates(sorted: readonly DebRecordView[], problems: IndexProblem[]): DebRecordView[] {
  const out: DebRecordView[] = [];
  for (const entry of sorted) {
    const first = out[out.length - 1];
    if (first && first.name === entry.name && first.version === entry.version && first.architecture === entry.architecture) {
      const what = entry.architecture === "source" ? `source ${entry.name} ${entry.version}` : `${entry.name} ${entry.version} (${entry.architecture})`;
      problems.push({
        file: entry.path,
        code: "QUIPU_DEB_DUPLICATE_PACKAGE",
        message: `${entry.path}: ${what} is already given by ${first.path}; this file is left out`,
      });
      continue;
    }
    out.push(entry);
  }
  return out;
}
