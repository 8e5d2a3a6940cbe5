/**
 * `@quipu/core/indexer` — index a directory on disk into an apt or dnf/yum repository, in place:
 * `indexRpmDirectory(dir)` (like `createrepo_c dir`) and `indexDebDirectory(dir, { codename })`.
 *
 * - Incremental: a persistent cache (keyed by path, size, mtime, ctime and inode) keeps what was read
 *   from each package and its rendered index fragments, and compressed blocks of the indexes, so
 *   a run after adding one package reads that package and recompresses one block per index. A
 *   caller that knows what it changed passes `changedPaths`, and the scan of the whole directory
 *   is skipped too.
 * - Fast: many packages to read are spread over worker threads (`threads`; by default only on
 *   machines with more than two cores), documents are composed concurrently (xz in its own
 *   process while gzip blocks are compressed here), and large buffers are reused by the next run
 *   in the same process.
 * - Atomic: uniquely named files first, the entry points (`repomd.xml`, `Release`/`InRelease`)
 *   renamed last, the previous generation's files kept one generation; a crash leaves the previous
 *   repository intact; a lock file keeps two runs apart.
 * - Deterministic: with `sourceDateEpoch`, the same packages and options give the same bytes, and
 *   an incremental run gives the same bytes as a run from scratch.
 * - Bad input: an unreadable, truncated or corrupt package is a `problems` entry (file, QuipuError
 *   code, message) and the others are indexed; `strict` fails the run and writes nothing.
 *
 * The pure builders (`buildRpmRepository`, `buildAptRepository` in `@quipu/core`) define the
 * content; this adapter adds files, caching and publishing.
 */
export { indexRpmDirectory, type IndexRpmDirectoryOptions, type RpmDirectoryIndexResult } from "./rpm-directory-indexer.js";
export { indexDebDirectory, type IndexDebDirectoryOptions, type DebDirectoryIndexResult } from "./deb-directory-indexer.js";
export type { DirectoryIndexOptions, DirectoryIndexResult, IndexProblem, IndexProgress, PublishStep } from "./index-types.js";
export { CACHE_FORMAT } from "./index-cache.js";
