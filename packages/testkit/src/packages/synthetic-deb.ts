import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { writeAr } from "./ar-writer.js";
import { compareUtf8, toBytes, type ByteContent } from "./bytes.js";
import { writeTar, type TarEntry } from "./tar-writer.js";
import { IssueCollector } from "./validation.js";

export type DebFileType = "file" | "directory" | "symlink";

export interface SyntheticDebFile {
  /** Absolute (`/usr/bin/x`) or relative (`usr/bin/x`); stored as `./usr/bin/x`. Parents are added. */
  path: string;
  content?: ByteContent;
  /** Default "file", "symlink" when `linkTo` is set. */
  type?: DebFileType;
  /** Permission bits; default 0o644, 0o755 for directories, 0o777 for symlinks. */
  mode?: number;
  linkTo?: string;
}

/** An extra control-archive member: `conffiles`, `postinst`, `triggers`, ... */
export interface SyntheticDebControlFile {
  name: string;
  content: ByteContent;
  /** Default 0o644 (use 0o755 for maintainer scripts). */
  mode?: number;
}

/** A member codec other than gzip (xz, zstd) through a CLI or library the caller owns. */
export interface DebCompressor {
  /** Member name suffix without the dot: "xz", "zst". */
  extension: string;
  compress(data: Uint8Array): Uint8Array;
}

export interface SyntheticDebOptions {
  name: string;
  /** `[epoch:]upstream[-revision]`. */
  version: string;
  /** "amd64", "arm64", "all", ... */
  architecture: string;
  /** Default "Quipu Testkit <testkit@example.invalid>". */
  maintainer?: string;
  /** First line is the synopsis; further lines become the extended description (blank lines as " ."). */
  description?: string;
  depends?: string | readonly string[];
  /**
   * Further control fields in order (`Section`, `Priority`, `Provides`, `Pre-Depends`, `Homepage`, or
   * unknown ones); written after Depends and before Description. Continuation lines must start with a space.
   */
  extraFields?: Readonly<Record<string, string>>;
  files?: readonly SyntheticDebFile[];
  controlFiles?: readonly SyntheticDebControlFile[];
  /** Default "gzip" (`control.tar.gz`, `data.tar.gz`). */
  compression?: "gzip" | "none" | DebCompressor;
  /** Default 9, as dpkg-deb. */
  gzipLevel?: number;
  /** mtime of every ar member and tar entry; default 1,700,000,000 (deterministic). */
  mtime?: number;
  /** Installed-Size in KiB; default computed as dpkg-gencontrol does; `false` omits the field. */
  installedSize?: number | false;
  /** Write `md5sums` into the control archive (as debhelper does). Default true. */
  md5sums?: boolean;
}

const DEFAULT_MTIME = 1_700_000_000;
const BUILT_IN_FIELDS = ["package", "version", "architecture", "maintainer", "installed-size", "depends", "description"];

/**
 * Builds a valid binary .deb in memory, laid out as `dpkg-deb --build --root-owner-group` does: an
 * ar archive with `debian-binary` ("2.0\n"), `control.tar.gz` (`./`, `./control`, `./md5sums`, extra
 * control files) and `data.tar.gz` (`./` and every parent directory, sorted, root:root). The tars are
 * ustar padded to 10 KiB records. Same options → same bytes.
 */
export function buildSyntheticDeb(options: SyntheticDebOptions): Uint8Array {
  const issues = new IssueCollector();
  validate(options, issues);
  const data = dataEntries(options, issues);
  issues.throwIfAny("synthetic deb");

  const mtime = options.mtime ?? DEFAULT_MTIME;
  const control = controlText(options, data);
  const controlEntries: TarEntry[] = [
    { path: "./control", content: control, mode: 0o644, mtime },
    ...(options.controlFiles ?? []).map((file): TarEntry => ({ path: `./${file.name}`, content: file.content, mode: file.mode ?? 0o644, mtime })),
  ];
  if (options.md5sums ?? true) {
    const lines = data
      .filter((entry) => entry.type === "file")
      .map((entry) => `${createHash("md5").update(toBytes(entry.content)).digest("hex")}  ${entry.path.slice(2)}\n`);
    if (lines.length > 0) controlEntries.push({ path: "./md5sums", content: lines.join(""), mode: 0o644, mtime });
  }
  controlEntries.sort((a, b) => compareUtf8(a.path, b.path));
  controlEntries.unshift({ path: "./", type: "directory", mode: 0o755, mtime });

  const compression = options.compression ?? "gzip";
  const compress = (bytes: Uint8Array): Uint8Array =>
    compression === "gzip" ? gzipSync(bytes, { level: options.gzipLevel ?? 9 }) : compression === "none" ? bytes : compression.compress(bytes);
  const suffix = compression === "gzip" ? ".gz" : compression === "none" ? "" : `.${compression.extension}`;

  return writeAr([
    { name: "debian-binary", data: Buffer.from("2.0\n"), mtime },
    { name: `control.tar${suffix}`, data: compress(writeTar(controlEntries)), mtime },
    { name: `data.tar${suffix}`, data: compress(writeTar(data)), mtime },
  ]);
}

/** The conventional file name `name_version_architecture.deb` (epoch dropped, as dpkg-name does). */
export function debFileName(options: Pick<SyntheticDebOptions, "name" | "version" | "architecture">): string {
  return `${options.name}_${options.version.replace(/^\d+:/, "")}_${options.architecture}.deb`;
}

function controlText(options: SyntheticDebOptions, data: readonly TarEntry[]): string {
  const lines = [
    `Package: ${options.name}`,
    `Version: ${options.version}`,
    `Architecture: ${options.architecture}`,
    `Maintainer: ${options.maintainer ?? "Quipu Testkit <testkit@example.invalid>"}`,
  ];
  const installedSize = options.installedSize ?? computeInstalledSize(data);
  if (installedSize !== false) lines.push(`Installed-Size: ${installedSize}`);
  const depends = typeof options.depends === "string" ? options.depends : options.depends?.join(", ");
  if (depends) lines.push(`Depends: ${depends}`);
  for (const [field, value] of Object.entries(options.extraFields ?? {})) lines.push(`${field}: ${value}`);
  const [synopsis = "", ...rest] = (options.description ?? `synthetic package ${options.name}`).split("\n");
  lines.push(`Description: ${synopsis}`);
  for (const line of rest) lines.push(line.trim() === "" ? " ." : ` ${line}`);
  return `${lines.join("\n")}\n`;
}

/** dpkg-gencontrol: regular files count their size rounded up to KiB, every other object 1 KiB. */
function computeInstalledSize(data: readonly TarEntry[]): number {
  let kib = 0;
  for (const entry of data) {
    if (entry.path === "./") continue;
    kib += entry.type === "file" ? Math.ceil(toBytes(entry.content).length / 1024) : 1;
  }
  return kib;
}

function dataEntries(options: SyntheticDebOptions, issues: IssueCollector): TarEntry[] {
  const mtime = options.mtime ?? DEFAULT_MTIME;
  // Keyed by the relative path without a trailing slash; `explicit` marks entries the caller listed.
  const byPath = new Map<string, { entry: TarEntry; explicit: boolean }>();
  for (const [index, file] of (options.files ?? []).entries()) {
    const where = `files[${index}]`;
    const relative = file.path.replace(/^\/+/, "");
    if (relative === "" || relative.includes("\0") || relative.split("/").some((part) => part === "" || part === "." || part === "..")) {
      issues.add(`${where}.path`, `"${file.path}" must be a normalised file path (no trailing "/", "//", "." or "..")`);
      continue;
    }
    const type: DebFileType = file.type ?? (file.linkTo !== undefined ? "symlink" : "file");
    if (type !== "file" && file.content !== undefined) issues.add(`${where}.content`, `a ${type} has no content`);
    if (type === "symlink" && !file.linkTo) issues.add(`${where}.linkTo`, "a symlink needs a target");
    const existing = byPath.get(relative);
    if (existing?.explicit) issues.add(`${where}.path`, `"${file.path}" is listed twice`);
    else if (existing && type !== "directory") issues.add(`${where}.path`, `"${file.path}" is both a file and a parent directory`);
    const entry: TarEntry = {
      path: type === "directory" ? `./${relative}/` : `./${relative}`,
      type,
      mode: file.mode ?? (type === "directory" ? 0o755 : type === "symlink" ? 0o777 : 0o644),
      mtime,
    };
    if (type === "file") entry.content = file.content ?? "";
    if (type === "symlink") entry.linkTarget = file.linkTo ?? "";
    byPath.set(relative, { entry, explicit: true });
    const parts = relative.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      const parent = byPath.get(dir);
      if (parent === undefined) byPath.set(dir, { entry: { path: `./${dir}/`, type: "directory", mode: 0o755, mtime }, explicit: false });
      else if (parent.entry.type !== "directory") issues.add(`${where}.path`, `"${dir}" is both a file and a parent directory`);
    }
  }
  // dpkg-deb's order: `find | LC_ALL=C sort` on paths without the trailing slash, root first.
  const sorted = [...byPath.entries()].sort(([a], [b]) => compareUtf8(a, b)).map(([, value]) => value.entry);
  return [{ path: "./", type: "directory", mode: 0o755, mtime }, ...sorted];
}

const PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION_RE = /^(\d+:)?[0-9][A-Za-z0-9.+~:-]*$/;

function validate(options: SyntheticDebOptions, issues: IssueCollector): void {
  issues.check(PACKAGE_RE.test(options.name), "name", `"${options.name}" is not a Debian package name (lowercase, 2+ characters)`);
  issues.check(VERSION_RE.test(options.version), "version", `"${options.version}" is not a Debian version`);
  issues.check(/^[a-z0-9][a-z0-9-]*$/.test(options.architecture), "architecture", `"${options.architecture}" is not a Debian architecture`);
  for (const [key, value] of Object.entries({ maintainer: options.maintainer, depends: typeof options.depends === "string" ? options.depends : options.depends?.join(", ") })) {
    if (value !== undefined) issues.check(!/[\n\r\0]/.test(value), key, "must be a single line");
  }
  if (options.description !== undefined) issues.check(!/[\r\0]/.test(options.description), "description", "must not contain CR or NUL");
  for (const [field, value] of Object.entries(options.extraFields ?? {})) {
    issues.check(/^[!-9;-~][!-9;-~]*$/.test(field) && !field.startsWith("#") && !field.startsWith("-"), `extraFields.${field}`, "is not a valid field name");
    issues.check(!BUILT_IN_FIELDS.includes(field.toLowerCase()), `extraFields.${field}`, "is set by its own option");
    issues.check(!/\n(?![ \t])|[\r\0]/.test(value) && !value.endsWith("\n"), `extraFields.${field}`, "continuation lines must start with a space");
  }
  for (const [index, file] of (options.controlFiles ?? []).entries()) {
    issues.check(/^[a-z0-9_.+-]+$/.test(file.name), `controlFiles[${index}].name`, `"${file.name}" is not a control member name`);
    const reserved = file.name === "control" || (file.name === "md5sums" && options.md5sums !== false);
    issues.check(!reserved, `controlFiles[${index}].name`, "is written by the builder");
  }
  if (options.mtime !== undefined) issues.check(Number.isInteger(options.mtime) && options.mtime >= 0 && options.mtime < 1e11, "mtime", "must be a non-negative integer");
  if (options.installedSize !== undefined && options.installedSize !== false) {
    issues.check(Number.isInteger(options.installedSize) && options.installedSize >= 0, "installedSize", "must be a non-negative integer");
  }
  if (options.gzipLevel !== undefined) {
    issues.check(Number.isInteger(options.gzipLevel) && options.gzipLevel >= 1 && options.gzipLevel <= 9, "gzipLevel", "must be 1-9");
  }
}
