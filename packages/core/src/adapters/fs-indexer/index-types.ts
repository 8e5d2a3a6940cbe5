import type { ErrorCode } from "../../errors/error-codes.js";
import type { Codecs } from "../../indexing/codecs.js";
import type { Logger } from "../../ports/logger.js";
import type { RepositorySigner } from "../signing/repository-signer.js";

/** A file that could not be indexed; the other packages still are (unless `strict`). */
export interface IndexProblem {
  /** Path relative to the indexed directory. */
  readonly file: string;
  /** The QuipuError code (`QUIPU_RPM_INVALID`, `QUIPU_DEB_INVALID`, `QUIPU_INDEX_FILE_UNREADABLE`, …). */
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Moments of the publish sequence, reported to `onPublishStep` before each one happens. A hook that
 * throws aborts the run there: temporary files are removed and the previous repository stays as it
 * was (tests use this to check atomicity).
 * - `write-content`: about to write the new uniquely named files (`repodata/<hash>-*`, `by-hash/…`);
 * - `write-entry-points`: content is on disk; about to write the fixed-name files under temporary names;
 * - `rename-entry-points`: everything is written and synced; about to rename the fixed-name files into place, entry point last;
 * - `remove-stale`: the new generation is live; about to delete files of older generations.
 */
export type PublishStep = "write-content" | "write-entry-points" | "rename-entry-points" | "remove-stale";

export interface IndexProgress {
  readonly phase: "scan" | "read" | "compose" | "publish";
  readonly done: number;
  readonly total: number;
}

/** Options shared by `indexRpmDirectory` and `indexDebDirectory`. */
export interface DirectoryIndexOptions {
  /** Keep a persistent cache of parsed packages and rendered index pieces (default true). */
  readonly cache?: boolean | undefined;
  /** Where the cache lives (default `<dir>/.quipu/<kind>-index-cache`; `.idx` and `.blob` are appended). */
  readonly cacheFile?: string | undefined;
  /**
   * A hint from a caller that knows what it changed (chacra knows what it uploaded or deleted): only
   * these paths (relative to the directory; files or directories) may have been added, changed or
   * removed since the last run. The scan of the whole directory is skipped: the hinted paths are
   * stat'ed (a directory is scanned, a missing path means what was there is gone) and every other
   * package is taken from the cache as it is. Without a usable cache the directory is scanned as
   * usual, so a wrong guess about the cache costs time, never correctness; a file changed but not
   * listed is, however, not noticed until a run without the hint.
   */
  readonly changedPaths?: readonly string[] | undefined;
  /**
   * Threads that read and parse packages, the calling one included (1 = the calling thread only).
   * Default: one per core, at most 8 — but 1 on machines with two cores or fewer, where worker
   * threads were measured to cost as much as they save. Worker threads are started only when at
   * least 256 files are to be read.
   */
  readonly threads?: number | undefined;
  /** Any problem fails the whole run with `QUIPU_INDEX_STRICT_FAILED` and nothing is written. */
  readonly strict?: boolean | undefined;
  /**
   * Fixed time (Unix seconds) for every timestamp the index carries, as SOURCE_DATE_EPOCH: repomd
   * revision and timestamps, file mtimes in primary.xml (clamped to it), the Release `Date`. Same
   * packages + same options = same bytes.
   */
  readonly sourceDateEpoch?: number | undefined;
  /** Signs the entry points (`repomd.xml.asc`; `InRelease` + `Release.gpg`). See `@quipu/core/signing`. */
  readonly signer?: RepositorySigner | undefined;
  /** Compressors (default `createNodeCodecs()` from `@quipu/core/codecs`). */
  readonly codecs?: Codecs | undefined;
  readonly logger?: Logger | undefined;
  readonly onProgress?: ((progress: IndexProgress) => void) | undefined;
  /** Called before each publish step; throwing aborts the run there (see `PublishStep`). */
  readonly onPublishStep?: ((step: PublishStep) => void | Promise<void>) | undefined;
  /** The clock for the Release `Date` when no `sourceDateEpoch` is given (default the system clock). */
  readonly now?: (() => Date) | undefined;
}

/** What an index run did. */
export interface DirectoryIndexResult {
  readonly kind: "rpm" | "deb";
  /** Absolute path of the indexed directory. */
  readonly directory: string;
  /** Packages (and source packages) in the published index. */
  readonly packages: number;
  /** Files read and parsed in this run. */
  readonly indexed: number;
  /** Files taken from the cache without reading them. */
  readonly reused: number;
  readonly problems: readonly IndexProblem[];
  /** Every file of the new generation, relative to the directory, in publish order (entry point last). */
  readonly files: readonly string[];
  /** How many of `files` were actually written (uniquely named files already present are kept). */
  readonly written: number;
  /** Files of older generations removed. */
  readonly removed: readonly string[];
  readonly durationMs: number;
}
