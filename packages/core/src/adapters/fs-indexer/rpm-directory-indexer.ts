import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod/mini";
import type { CompressionFormat } from "../../indexing/codecs.js";
import { FILELISTS_XML_FOOT, filelistsXmlHead } from "../../indexing/rpm/filelists-xml.js";
import { OTHER_XML_FOOT, otherXmlHead } from "../../indexing/rpm/other-xml.js";
import { repodataChecksumTypes, type RepodataChecksumType } from "../../indexing/rpm/package-facts.js";
import { PRIMARY_XML_FOOT, primaryXmlHead, renderPrimaryPackage } from "../../indexing/rpm/primary-xml.js";
import { repodataChecksum } from "../../indexing/rpm/repodata-checksum.js";
import { DEFAULT_CHANGELOG_LIMIT, toRepodataPackage } from "../../indexing/rpm/repodata-package.js";
import { renderRepomdXml, type RepomdRecord, type RepomdTags } from "../../indexing/rpm/repomd-xml.js";
import type { RpmPackageMetadata } from "../../indexing/rpm/rpm-reader.js";
import type { RpmRepositoryEntry } from "../../indexing/rpm/rpm-repository-entry.js";
import { renderRpmPackage } from "../../indexing/rpm/rpm-repository.js";
import { signRpmRepomd } from "../signing/repository-signing.js";
import { composeDocument } from "./block-compression.js";
import { cacheFingerprint } from "./cache-fingerprint.js";
import { checkDirectory } from "./directory-scan.js";
import {
  cachePathFor,
  changedPathsSchema,
  commonOptionsShape,
  compareCodePoints,
  compareCodePointsFrom,
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
import { effectiveMtime, RPM_OK, RPM_PROBLEM } from "./package-reading.js";
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
  compression: z.optional(z.enum(["gzip", "zstd", "xz", "bzip2", "none"])),
  checksumType: z.optional(z.enum(repodataChecksumTypes as [RepodataChecksumType, ...RepodataChecksumType[]])),
  changelogLimit: z.optional(z.union([z.int().check(z.minimum(0)), z.literal(Infinity)])),
  revision: z.optional(z.string().check(z.minLength(1))),
  keepAdditionalMetadata: z.optional(z.boolean()),
  changedPaths: z.optional(changedPathsSchema),
});

const EXTENSIONS: Record<CompressionFormat, string> = { none: "", gzip: ".gz", xz: ".xz", zstd: ".zst", bzip2: ".bz2" };

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
  let saving: Promise<void> | undefined;
  // Large buffers of this run (cache index, documents), reused by the next run in this process.
  const scratch = new RunScratch();
  const allocate = (size: number) => scratch.take(size);
  try {
    const problems: IndexProblem[] = [];
    const shape: CacheShape = { ...SHAPE_FIELDS, fingerprint: cacheFingerprint("rpm", { checksumType, changelogLimit }, rendererProbe(checksumType, changelogLimit)) };
    const cache = (parsed.cache ?? true) ? IndexCache.load(cachePathFor(root, "rpm", parsed.cacheFile), shape, logger, scratch) : IndexCache.disabled(shape, scratch);
    opened = cache;
    timer.mark("cache-load");

    options.onProgress?.({ phase: "scan", done: 0, total: 0 });
    const selection = selectFiles(root, cache, {
      scan: { extensions: [".rpm"], skipTopLevel: ["repodata"] },
      changedPaths: parsed.changedPaths,
      // The rendered `<time file>` depends on sourceDateEpoch too.
      stillValid: (record, mtimeMs) => recordNumber(record, 4) !== RPM_OK || recordNumber(record, 5) === effectiveMtime(mtimeMs, epoch),
      onUnreadable: (path, error) => problems.push(problemFrom(path, error, "QUIPU_INDEX_FILE_UNREADABLE")),
    });
    const { kept, toRead } = selection;
    options.onProgress?.({ phase: "scan", done: kept.length + toRead.length, total: kept.length + toRead.length });
    timer.mark("scan");

    const fresh = await readIntoCache(toRead, cache, SHAPE_FIELDS.fragmentFields, {
      settings: { kind: "rpm", checksumType, changelogLimit, sourceDateEpoch: epoch },
      codecs,
      workersAllowed: true,
      threads: parsed.threads,
      logger,
      onProgress: options.onProgress,
      allocate,
    });
    timer.mark("read");

    // createrepo_c's order: file name, then path.
    const compare = (a: CacheRecord, b: CacheRecord) => {
      const x = a.path;
      const y = b.path;
      return compareCodePointsFrom(x, x.lastIndexOf("/") + 1, y, y.lastIndexOf("/") + 1) || compareCodePoints(x, y);
    };
    const isOk = (r: CacheRecord) => recordNumber(r, 4) === RPM_OK;
    const packages = mergeOrdered(kept.filter(isOk), fresh.filter(isOk), compare);
    const failed = [...kept, ...fresh].filter((r) => recordNumber(r, 4) === RPM_PROBLEM).sort((a, b) => compareCodePoints(a.path, b.path));
    for (const record of failed) problems.push({ file: record.path, code: record.text[1] as IndexProblem["code"], message: record.text[2]! });
    problems.sort((a, b) => compareCodePoints(a.file, b.file));
    if (parsed.strict && problems.length > 0) throw strictFailure(root, problems);
    timer.mark("merge");

    // Compose the three documents from the (cached) fragments, concurrently.
    options.onProgress?.({ phase: "compose", done: 0, total: 3 });
    const count = packages.length;
    let newest = 0;
    for (const record of packages) newest = Math.max(newest, recordNumber(record, 5));
    const timestamp = epoch ?? newest;
    const documents = [
      ["primary", primaryXmlHead(count), PRIMARY_XML_FOOT],
      ["filelists", filelistsXmlHead(count), FILELISTS_XML_FOOT],
      ["other", otherXmlHead(count), OTHER_XML_FOOT],
    ] as const;
    let composedCount = 0;
    const composed = await Promise.all(
      documents.map(async ([, head, foot], i) => {
        const document = await composeDocument({ format: compression, head: utf8(head), source: cache.source(packages, i), foot: utf8(foot), codecs, store: cache, openDigests: [checksumType], allocate });
        options.onProgress?.({ phase: "compose", done: ++composedCount, total: 3 });
        return document;
      }),
    );
    const content: PublishFile[] = [];
    const records: RepomdRecord[] = [];
    documents.forEach(([type], i) => {
      const document = composed[i]!;
      const checksum = repodataChecksum(document.stored, checksumType);
      const path = `repodata/${checksum}-${type}.xml${EXTENSIONS[compression]}`;
      content.push({ path, bytes: document.stored });
      records.push({
        type,
        checksumType,
        checksum,
        ...(compression === "none" ? {} : { openChecksum: document.openDigests[checksumType]!, openSize: document.openLength }),
        href: path,
        timestamp,
        size: document.stored.length,
      });
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

    // The cache reaches the disk while the repository is published (both only sync files).
    saving = cache.save([...packages, ...failed], logger);
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
    await saving;
    timer.mark("cache-sync");
    logger.debug({ event: "index.timings", kind: "rpm", mode: selection.mode, ...timer.marks }, "index phase timings");
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
    // A failed publish still lets the cache finish (save never throws).
    await saving;
    opened?.close();
    scratch.release();
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
