import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { isQuipuError } from "../../errors/quipu-error.js";
import type { CompressionFormat } from "../../indexing/codecs.js";
import { FILELISTS_XML_FOOT, filelistsXmlHead } from "../../indexing/rpm/filelists-xml.js";
import { OTHER_XML_FOOT, otherXmlHead } from "../../indexing/rpm/other-xml.js";
import { repodataChecksumTypes, type RepodataChecksumType } from "../../indexing/rpm/package-facts.js";
import { PRIMARY_XML_FOOT, primaryXmlHead, renderPrimaryPackage } from "../../indexing/rpm/primary-xml.js";
import { repodataChecksum } from "../../indexing/rpm/repodata-checksum.js";
import { DEFAULT_CHANGELOG_LIMIT, toRepodataPackage } from "../../indexing/rpm/repodata-package.js";
import { renderRepomdXml, type RepomdRecord, type RepomdTags } from "../../indexing/rpm/repomd-xml.js";
import { readRpm, type RpmPackageMetadata } from "../../indexing/rpm/rpm-reader.js";
import { checkRpmRepositoryEntry, type RpmRepositoryEntry } from "../../indexing/rpm/rpm-repository-entry.js";
import { renderRpmPackage } from "../../indexing/rpm/rpm-repository.js";
import { signRpmRepomd } from "../signing/repository-signing.js";
import { composeDocument } from "./block-compression.js";
import { cacheFingerprint } from "./cache-fingerprint.js";
import { checkDirectory, hashFileInChunks, readFileHead, readFileView, scanPackageFiles, WHOLE_READ_LIMIT, type ScannedFile } from "./directory-scan.js";
import {
  cachePathFor,
  commonOptionsShape,
  compareCodePoints,
  contentId,
  elapsed,
  lockPathFor,
  mergeOrdered,
  parseIndexOptions,
  PhaseTimer,
  problemFrom,
  runContext,
  sameStat,
  statNumbers,
  strictFailure,
  utf8,
} from "./directory-indexing.js";
import { publishGeneration, removeFiles, removeLeftoverTemporaries, type PublishFile } from "./atomic-publish.js";
import { IndexCache, NO_FRAGMENT, type CacheRecord, type CacheShape, type FragmentRef } from "./index-cache.js";
import { acquireIndexLock } from "./index-lock.js";
import type { DirectoryIndexOptions, DirectoryIndexResult, IndexProblem } from "./index-types.js";
import { readPreviousRepomd } from "./previous-generation.js";

export interface IndexRpmDirectoryOptions extends DirectoryIndexOptions {
  /** Compression of primary/filelists/other (default gzip, readable by every yum/dnf/zypper; zstd needs dnf ≥ 4.2). */
  readonly compression?: "gzip" | "zstd" | "xz" | "bzip2" | "none" | undefined;
  /** Digest of pkgids and of repomd's checksums (createrepo_c `-s`; default sha256). */
  readonly checksumType?: RepodataChecksumType | undefined;
  /** Newest changelog entries kept per package (default 10, as createrepo_c). */
  readonly changelogLimit?: number | undefined;
  /** `<revision>` of repomd.xml (default: the timestamp). */
  readonly revision?: string | undefined;
  readonly tags?: RepomdTags | undefined;
  /**
   * Keep the other records of the previous repomd.xml (comps `group`, `updateinfo`, `modules`, …) whose
   * files are still there, like createrepo_c's `--keep-all-metadata` (default true).
   */
  readonly keepAdditionalMetadata?: boolean | undefined;
}

export interface RpmDirectoryIndexResult extends DirectoryIndexResult {
  readonly kind: "rpm";
  /** `repodata/repomd.xml`. */
  readonly repomd: string;
}

const RpmOptionsSchema = z.object({
  ...commonOptionsShape,
  compression: z.enum(["gzip", "zstd", "xz", "bzip2", "none"]).optional(),
  checksumType: z.enum(repodataChecksumTypes as [RepodataChecksumType, ...RepodataChecksumType[]]).optional(),
  changelogLimit: z.union([z.number().int().nonnegative(), z.literal(Infinity)]).optional(),
  revision: z.string().min(1).optional(),
  keepAdditionalMetadata: z.boolean().optional(),
});

const EXTENSIONS: Record<CompressionFormat, string> = { none: "", gzip: ".gz", xz: ".xz", zstd: ".zst", bzip2: ".bz2" };
const OK = 1;
const PROBLEM = 2;
/** Files larger than this have their header read from the first bytes only (then the rest is hashed in chunks). */
const HEADER_READ = 4 * 1024 * 1024;

/*
 * Cache record of one .rpm:
 *   text    [path, problem code, problem message]
 *   numbers [size, mtimeMs, ctimeMs, ino, status, fileMtime]
 *   fragments [primary, filelists, other]
 */
const SHAPE_FIELDS = { kind: "rpm", textFields: 3, numberFields: 6, fragmentFields: 3 } as const;

function rendererProbe(checksumType: RepodataChecksumType, changelogLimit: number): string {
  const dep = { name: "probe", flags: 8, version: "1:2-3", pre: false };
  const metadata: RpmPackageMetadata = {
    name: "probe", epoch: 1, version: "2", release: "3", arch: "noarch", headerArch: "noarch", os: "linux", isSource: false,
    leadType: 0, leadName: "probe", leadVersion: 3, formatVersion: 4, summary: "s & <t>", description: "d", url: "u", license: "l",
    vendor: "v", group: "g", buildHost: "h", packager: "p", sourceRpm: "probe.src.rpm", buildTime: 1, headerRange: { start: 1, end: 2 },
    installedSize: 3, archiveSize: 4,
    dependencies: { provides: [dep], requires: [{ ...dep, name: "/bin/sh", pre: true }], conflicts: [dep], obsoletes: [dep], recommends: [dep], suggests: [dep], supplements: [dep], enhances: [dep], oldSuggests: [], oldEnhances: [] },
    files: [{ path: "/usr/bin/probe", type: "file", mode: 0o100755, flags: 0 }, { path: "/etc/probe", type: "dir", mode: 0o40755, flags: 0 }],
    changelogs: [{ time: 2, author: "a ", text: "t" }, { time: 2, author: "b", text: "u" }],
  };
  const entry: RpmRepositoryEntry = { metadata, href: "p/probe.rpm", size: 1, pkgid: "0".repeat(64), fileMtime: 5 };
  const rendered = renderRpmPackage(entry, { checksumType, changelogLimit });
  return `${rendered.primary}${rendered.filelists}${rendered.other}${renderPrimaryPackage(toRepodataPackage(metadata), { ...entry, checksumType: "sha256" })}`;
}

/**
 * Indexes every `.rpm` under `directory` (recursively; hidden entries, the top-level `repodata/`
 * and the cache are skipped) into `<directory>/repodata/`, like `createrepo_c <directory>`: the
 * XML equals `buildRpmRepository`'s for the same packages and options. Incremental (only new or
 * changed files are read), atomic (repomd.xml renamed last, the previous generation's files kept
 * one generation), deterministic with `sourceDateEpoch`. A file that is not a readable rpm is
 * reported in `problems` and left out (or fails the run, with `strict`).
 */
export async function indexRpmDirectory(directory: string, options: IndexRpmDirectoryOptions = {}): Promise<RpmDirectoryIndexResult> {
  const parsed = parseIndexOptions(RpmOptionsSchema, options, "rpm index options");
  const context = runContext(directory, options);
  const { root, logger, codecs } = context;
  const checksumType = parsed.checksumType ?? "sha256";
  const changelogLimit = parsed.changelogLimit ?? DEFAULT_CHANGELOG_LIMIT;
  const compression = parsed.compression ?? "gzip";
  const epoch = parsed.sourceDateEpoch;
  checkDirectory(root);
  if (compression !== "none" && compression !== "gzip" && !codecs.supports(compression, "compress")) {
    // Fail before taking the lock or reading anything.
    codecs.compress(compression, new Uint8Array(0));
  }

  const timer = new PhaseTimer();
  const releaseLock = acquireIndexLock(lockPathFor(root));
  let opened: IndexCache | undefined;
  try {
    const problems: IndexProblem[] = [];
    options.onProgress?.({ phase: "scan", done: 0, total: 0 });
    const files = scanPackageFiles(root, { extensions: [".rpm"], skipTopLevel: ["repodata"] }, (path, error) =>
      problems.push(problemFrom(path, error, "QUIPU_INDEX_FILE_UNREADABLE")),
    );
    options.onProgress?.({ phase: "scan", done: files.length, total: files.length });
    timer.mark("scan");

    const shape: CacheShape = { ...SHAPE_FIELDS, fingerprint: cacheFingerprint("rpm", { checksumType, changelogLimit }, rendererProbe(checksumType, changelogLimit)) };
    const cache = (parsed.cache ?? true) ? IndexCache.load(cachePathFor(root, "rpm", parsed.cacheFile), shape, logger) : IndexCache.disabled(shape);
    opened = cache;
    const effectiveMtime = (file: ScannedFile) => {
      const seconds = Math.floor(file.mtimeMs / 1000);
      return epoch === undefined ? seconds : Math.min(seconds, epoch);
    };

    // Reuse what the cache knows about unchanged files, in the cache's (sorted) order.
    const byPath = new Map(files.map((file) => [file.path, file]));
    const kept: CacheRecord[] = [];
    const keptPaths = new Set<string>();
    for (const record of cache.records) {
      const path = record.text[0]!;
      const file = byPath.get(path);
      if (file === undefined || keptPaths.has(path) || !sameStat(record, file)) continue;
      if (record.numbers[4] === OK && record.numbers[5] !== effectiveMtime(file)) continue;
      kept.push(record);
      keptPaths.add(path);
    }
    const toRead = files.filter((file) => !keptPaths.has(file.path));
    timer.mark("cache-load");
    const fresh: CacheRecord[] = [];
    let done = 0;
    for (const file of toRead) {
      fresh.push(readRpmFile(file, { checksumType, changelogLimit, fileMtime: effectiveMtime(file), cache }));
      if (++done % 200 === 0) options.onProgress?.({ phase: "read", done, total: toRead.length });
    }
    options.onProgress?.({ phase: "read", done, total: toRead.length });

    const compare = (a: CacheRecord, b: CacheRecord) => {
      const x = a.text[0]!;
      const y = b.text[0]!;
      return compareCodePoints(x.slice(x.lastIndexOf("/") + 1), y.slice(y.lastIndexOf("/") + 1)) || compareCodePoints(x, y);
    };
    const packages = mergeOrdered(
      kept.filter((r) => r.numbers[4] === OK),
      fresh.filter((r) => r.numbers[4] === OK),
      compare,
    );
    const failed = [...kept, ...fresh].filter((r) => r.numbers[4] === PROBLEM).sort((a, b) => compareCodePoints(a.text[0]!, b.text[0]!));
    for (const record of failed) problems.push({ file: record.text[0]!, code: record.text[1] as IndexProblem["code"], message: record.text[2]! });
    problems.sort((a, b) => compareCodePoints(a.file, b.file));
    if (parsed.strict && problems.length > 0) throw strictFailure(root, problems);
    timer.mark("read");

    // Compose the three documents from the (cached) fragments.
    options.onProgress?.({ phase: "compose", done: 0, total: 3 });
    const count = packages.length;
    let newest = 0;
    const refs: [FragmentRef[], FragmentRef[], FragmentRef[]] = [[], [], []];
    for (const record of packages) {
      newest = Math.max(newest, record.numbers[5]!);
      for (let i = 0; i < 3; i++) refs[i]!.push(record.fragments[i]!);
    }
    const timestamp = epoch ?? newest;
    const documents = [
      ["primary", primaryXmlHead(count), PRIMARY_XML_FOOT],
      ["filelists", filelistsXmlHead(count), FILELISTS_XML_FOOT],
      ["other", otherXmlHead(count), OTHER_XML_FOOT],
    ] as const;
    const content: PublishFile[] = [];
    const records: RepomdRecord[] = [];
    documents.forEach(([type, head, foot], i) => {
      const source = cache.source(refs[i]!);
      const composed = composeDocument({ format: compression, head: utf8(head), source, foot: utf8(foot), codecs, store: cache, openDigests: [checksumType] });
      const checksum = repodataChecksum(composed.stored, checksumType);
      const path = `repodata/${checksum}-${type}.xml${EXTENSIONS[compression]}`;
      content.push({ path, bytes: composed.stored });
      records.push({
        type,
        checksumType,
        checksum,
        ...(compression === "none" ? {} : { openChecksum: composed.openDigests[checksumType]!, openSize: composed.openLength }),
        href: path,
        timestamp,
        size: composed.stored.length,
      });
      options.onProgress?.({ phase: "compose", done: i + 1, total: 3 });
    });

    const previous = readPreviousRepomd(root);
    if (previous && (parsed.keepAdditionalMetadata ?? true)) {
      const present = new Set(safeList(join(root, "repodata")));
      for (const record of previous.additional) {
        if (record.href.startsWith("repodata/") && present.has(record.href.slice("repodata/".length)) && !records.some((r) => r.type === record.type)) {
          records.push(record);
        }
      }
    }
    const repomd = {
      path: "repodata/repomd.xml",
      bytes: utf8(renderRepomdXml({ revision: parsed.revision ?? String(timestamp), records, ...(options.tags === undefined ? {} : { tags: options.tags }) })),
    };
    const fixed: PublishFile[] = options.signer ? (await signRpmRepomd([repomd], options.signer)).map((f) => ({ path: f.path, bytes: f.bytes })) : [repomd];
    const obsolete = options.signer ? [] : ["repodata/repomd.xml.asc"];

    timer.mark("compose");
    cache.save([...packages, ...failed], logger);
    timer.mark("cache-save");

    options.onProgress?.({ phase: "publish", done: 0, total: content.length + fixed.length });
    removeLeftoverTemporaries(root, ["repodata"]);
    const outcome = await publishGeneration(root, { content, fixed, obsolete, onStep: options.onPublishStep });

    await options.onPublishStep?.("remove-stale");
    const keep = new Set([...records.map((r) => r.href), ...(previous?.hrefs ?? [])]);
    const stale = safeList(join(root, "repodata"))
      .filter((name) => /^[0-9a-f]{32,128}-/.test(name))
      .map((name) => `repodata/${name}`)
      .filter((path) => !keep.has(path));
    const removed = removeFiles(root, stale);
    timer.mark("publish");
    logger.debug({ event: "index.timings", kind: "rpm", ...timer.marks }, "index phase timings");
    options.onProgress?.({ phase: "publish", done: content.length + fixed.length, total: content.length + fixed.length });

    const result: RpmDirectoryIndexResult = {
      kind: "rpm",
      directory: root,
      packages: count,
      indexed: toRead.length,
      reused: kept.length,
      problems,
      files: [...content, ...fixed].map((f) => f.path),
      written: outcome.written,
      removed,
      durationMs: elapsed(context),
      repomd: "repodata/repomd.xml",
    };
    for (const problem of problems) logger.warn({ event: "index.problem", file: problem.file, code: problem.code }, problem.message);
    logger.info(
      { event: "index.published", kind: "rpm", directory: root, packages: count, indexed: result.indexed, reused: result.reused, problems: problems.length, durationMs: result.durationMs },
      "rpm repository indexed",
    );
    return result;
  } finally {
    opened?.close();
    releaseLock();
  }
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

interface ReadRpmFileOptions {
  readonly checksumType: RepodataChecksumType;
  readonly changelogLimit: number;
  readonly fileMtime: number;
  readonly cache: IndexCache;
}

/** Reads, hashes and renders one .rpm into a cache record (a problem record when it cannot be read). */
function readRpmFile(file: ScannedFile, options: ReadRpmFileOptions): CacheRecord {
  try {
    let metadata: RpmPackageMetadata;
    let pkgid: string;
    let size: number;
    if (file.size <= WHOLE_READ_LIMIT) {
      const bytes = readFileView(file.absolute);
      metadata = readRpm(bytes, { fileName: file.path });
      pkgid = createHash(options.checksumType).update(bytes).digest("hex");
      size = bytes.length;
    } else {
      metadata = readLargeRpmHeader(file);
      const hashed = hashFileInChunks(file.absolute, [options.checksumType]);
      pkgid = hashed.digests[options.checksumType]!;
      size = hashed.size;
    }
    const entry: RpmRepositoryEntry = { metadata, href: file.path, size, pkgid, fileMtime: options.fileMtime };
    checkRpmRepositoryEntry(entry, options.checksumType);
    const rendered = renderRpmPackage(entry, { checksumType: options.checksumType, changelogLimit: options.changelogLimit });
    const fragments = [rendered.primary, rendered.filelists, rendered.other].map((text) => {
      const bytes = utf8(text);
      return options.cache.add(bytes, contentId(bytes));
    });
    return { text: [file.path, "", ""], numbers: [...statNumbers(file), OK, options.fileMtime], fragments };
  } catch (error) {
    const problem = problemFrom(file.path, error, "QUIPU_RPM_INVALID");
    return { text: [file.path, problem.code, problem.message], numbers: [...statNumbers(file), PROBLEM, 0], fragments: [NO_FRAGMENT, NO_FRAGMENT, NO_FRAGMENT] };
  }
}

/** The headers of a large .rpm from its first bytes (more if the header is unusually large). */
function readLargeRpmHeader(file: ScannedFile): RpmPackageMetadata {
  try {
    return readRpm(readFileHead(file.absolute, HEADER_READ), { fileName: file.path, fileSize: file.size });
  } catch (error) {
    if (!isQuipuError(error, "QUIPU_RPM_INVALID")) throw error;
    return readRpm(readFileHead(file.absolute, WHOLE_READ_LIMIT), { fileName: file.path, fileSize: file.size });
  }
}
