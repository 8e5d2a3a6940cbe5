/**
 * Reading one package file into what the cache keeps of it: text fields, numbers (the stat key
 * first) and rendered index fragments. Runs in the calling thread or in a parse worker
 * (`parse-worker.ts`), so it takes and returns plain data only.
 */
import { hash } from "node:crypto";
import { isQuipuError } from "../../errors/quipu-error.js";
import type { Codecs } from "../../indexing/codecs.js";
import { formatControlParagraph } from "../../indexing/deb/control-fields.js";
import type { HashName } from "../../indexing/deb/file-hashes.js";
import { readDebPackage } from "../../indexing/deb/package-entry.js";
import { renderPackagesStanza } from "../../indexing/deb/packages-index.js";
import { readDscSource, renderSourcesStanza } from "../../indexing/deb/sources-index.js";
import type { RepodataChecksumType } from "../../indexing/rpm/package-facts.js";
import { readRpm, type RpmPackageMetadata } from "../../indexing/rpm/rpm-reader.js";
import { checkRpmRepositoryEntry, type RpmRepositoryEntry } from "../../indexing/rpm/rpm-repository-entry.js";
import { renderRpmPackage } from "../../indexing/rpm/rpm-repository.js";
import { problemFrom } from "./fragment-basics.js";
import { hashFileInChunks, readFileHead, readFileView, WHOLE_READ_LIMIT } from "./directory-scan.js";

/** size, mtimeMs, ctimeMs, ino: the stat part of a cache key. */
export type StatNumbers = readonly [number, number, number, number];

/** A file to read; `stat` is what the scan saw (absent when the scan did not stat: then the open file's is used). */
export interface FileToRead {
  readonly path: string;
  readonly absolute: string;
  readonly stat?: StatNumbers | undefined;
}

export interface RpmReadSettings {
  readonly kind: "rpm";
  readonly checksumType: RepodataChecksumType;
  readonly changelogLimit: number;
  readonly sourceDateEpoch: number | undefined;
}

export interface DebReadSettings {
  readonly kind: "deb";
  readonly checksums: readonly HashName[];
}

export type ReadSettings = RpmReadSettings | DebReadSettings;

/** What one file gives: the cache record's text and numbers, and its fragments with their content ids. */
export interface ReadOutcome {
  readonly text: string[];
  readonly numbers: number[];
  /** Rendered fragments as text (encoded by the receiver: into one arena in a worker, one buffer each in-thread). */
  readonly fragments: string[];
}

/** Record status numbers, shared by the readers and the indexers. */
export const RPM_OK = 1;
export const RPM_PROBLEM = 2;
export const DEB_BINARY = 1;
export const DEB_SOURCE = 2;
export const DEB_PROBLEM = 3;

/** Files larger than this have their rpm header read from the first bytes only (then the rest is hashed in chunks). */
const HEADER_READ = 4 * 1024 * 1024;
const NO_STAT: StatNumbers = [0, 0, 0, 0];

/** The rpm `<time file>`: the mtime in seconds, clamped to `sourceDateEpoch`. */
export function effectiveMtime(mtimeMs: number, sourceDateEpoch: number | undefined): number {
  const seconds = Math.floor(mtimeMs / 1000);
  return sourceDateEpoch === undefined ? seconds : Math.min(seconds, sourceDateEpoch);
}

export function readPackageFile(file: FileToRead, settings: ReadSettings, codecs: Codecs): ReadOutcome {
  return settings.kind === "rpm" ? readRpmFile(file, settings) : readDebianFile(file, settings, codecs);
}

function statOf(stat: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): StatNumbers {
  return [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino];
}

/** Reads, hashes and renders one .rpm (a problem record when it cannot be read). */
function readRpmFile(file: FileToRead, settings: RpmReadSettings): ReadOutcome {
  let stat = file.stat;
  try {
    let metadata: RpmPackageMetadata;
    let pkgid: string;
    let size: number;
    if (stat === undefined || stat[0] <= WHOLE_READ_LIMIT) {
      const view = readFileView(file.absolute, WHOLE_READ_LIMIT);
      stat ??= statOf(view.stat);
      if (view.bytes === undefined) {
        ({ metadata, pkgid, size } = readLargeRpm(file, settings, stat[0]));
      } else {
        metadata = readRpm(view.bytes, { fileName: file.path });
        pkgid = hash(settings.checksumType, view.bytes, "hex");
        size = view.bytes.length;
      }
    } else {
      ({ metadata, pkgid, size } = readLargeRpm(file, settings, stat[0]));
    }
    const fileMtime = effectiveMtime(stat[1], settings.sourceDateEpoch);
    const entry: RpmRepositoryEntry = { metadata, href: file.path, size, pkgid, fileMtime };
    checkRpmRepositoryEntry(entry, settings.checksumType);
    const rendered = renderRpmPackage(entry, { checksumType: settings.checksumType, changelogLimit: settings.changelogLimit });
    return { text: [file.path, "", ""], numbers: [...stat, RPM_OK, fileMtime], fragments: [rendered.primary, rendered.filelists, rendered.other] };
  } catch (error) {
    const problem = problemFrom(file.path, error, "QUIPU_RPM_INVALID");
    return { text: [file.path, problem.code, problem.message], numbers: [...(stat ?? NO_STAT), RPM_PROBLEM, 0], fragments: [] };
  }
}

function readLargeRpm(file: FileToRead, settings: RpmReadSettings, fileSize: number): { metadata: RpmPackageMetadata; pkgid: string; size: number } {
  const metadata = readLargeRpmHeader(file, fileSize);
  const hashed = hashFileInChunks(file.absolute, [settings.checksumType]);
  return { metadata, pkgid: hashed.digests[settings.checksumType]!, size: hashed.size };
}

/** The headers of a large .rpm from its first bytes (more if the header is unusually large). */
function readLargeRpmHeader(file: FileToRead, fileSize: number): RpmPackageMetadata {
  try {
    return readRpm(readFileHead(file.absolute, HEADER_READ), { fileName: file.path, fileSize });
  } catch (error) {
    if (!isQuipuError(error, "QUIPU_RPM_INVALID")) throw error;
    return readRpm(readFileHead(file.absolute, WHOLE_READ_LIMIT), { fileName: file.path, fileSize });
  }
}

/** Reads, hashes and renders one .deb or .dsc (a problem record when it cannot be read). */
function readDebianFile(file: FileToRead, settings: DebReadSettings, codecs: Codecs): ReadOutcome {
  let stat = file.stat;
  const isDsc = file.path.endsWith(".dsc");
  try {
    const view = readFileView(file.absolute);
    stat ??= statOf(view.stat);
    const bytes = view.bytes!;
    if (isDsc) {
      const entry = readDscSource(bytes, { filename: file.path });
      const text = formatControlParagraph(renderSourcesStanza(entry));
      return { text: [file.path, entry.dsc.source, entry.dsc.version, "source", "", ""], numbers: [...stat, DEB_SOURCE], fragments: [`${text}\n`] };
    }
    const entry = readDebPackage(bytes, { codecs, filename: file.path, hashes: settings.checksums });
    const text = formatControlParagraph(renderPackagesStanza(entry));
    return {
      text: [file.path, entry.deb.package, entry.deb.version, entry.deb.architecture, "", ""],
      numbers: [...stat, DEB_BINARY],
      fragments: [`${text}\n`],
    };
  } catch (error) {
    const problem = problemFrom(file.path, error, isDsc ? "QUIPU_DEB_DSC_INVALID" : "QUIPU_DEB_INVALID");
    return { text: [file.path, "", "", "", problem.code, problem.message], numbers: [...(stat ?? NO_STAT), DEB_PROBLEM], fragments: [] };
  }
}
