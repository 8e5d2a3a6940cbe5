/** Helpers for the directory indexer tests: staging packages, snapshots, and repository checks that read what a client would. */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { rpmFixtures } from "../rpm/rpm-fixtures.js";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `quipu-fsidx-${prefix}-`));
}

/** A maker of new, numbered directories under `parent`, one per test scenario. */
export function freshDirectories(parent: string): (name: string) => string {
  let counter = 0;
  return (name) => {
    const dir = join(parent, `${name}-${counter++}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
}

/** Where each real rpm fixture goes in a test repository. */
export const RPM_LAYOUT: Readonly<Record<string, string>> = {
  "quipu-tools-1.2.3-4.q1.noarch.rpm": "quipu-tools-1.2.3-4.q1.noarch.rpm",
  "x86_64/quipu-daemon-0.9-1.x86_64.rpm": "quipu-daemon-0.9-1.x86_64.rpm",
  "SRPMS/quipu-daemon-0.9-1.src.rpm": "quipu-daemon-0.9-1.src.rpm",
  "noarch/quipu-nodeps-1.0-1.noarch.rpm": "quipu-nodeps-1.0-1.noarch.rpm",
};

/** Copies real fixture rpms into `dir` (relative path → fixture file name), with a fixed mtime. */
export function stageRpms(dir: string, layout: Readonly<Record<string, string>> = RPM_LAYOUT, mtime = 1_700_000_000): string[] {
  const fixtures = rpmFixtures();
  for (const [path, name] of Object.entries(layout)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(fixtures.get(name).path, target);
    utimesSync(target, mtime, mtime);
  }
  return Object.keys(layout);
}

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every file under `dir/sub` (relative to `dir`) → its sha256; hidden entries skipped. */
export function snapshot(dir: string, sub = ""): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[relative(dir, full)] = sha256(readFileSync(full));
    }
  };
  walk(join(dir, sub));
  return out;
}

/** Temporary files left by the publisher (there must be none after a run, failed or not). */
export function leftoverTemporaries(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.name.includes(".quipu-tmp-")) found.push(relative(dir, full));
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return found;
}

export interface RepomdData {
  readonly type: string;
  readonly checksum: string;
  readonly openChecksum: string | undefined;
  readonly href: string;
  readonly size: number;
  readonly openSize: number | undefined;
}

export function parseRepomd(xml: string): { revision: string; data: RepomdData[] } {
  const revision = /<revision>([^<]*)<\/revision>/.exec(xml)?.[1] ?? "";
  const data = [...xml.matchAll(/<data type="([^"]+)">([\s\S]*?)<\/data>/g)].map((m) => {
    const body = m[2]!;
    const open = /<open-checksum type="[^"]+">([^<]+)</.exec(body)?.[1];
    const openSize = /<open-size>(\d+)</.exec(body)?.[1];
    return {
      type: m[1]!,
      checksum: /<checksum type="[^"]+">([^<]+)</.exec(body)![1]!,
      openChecksum: open,
      href: /<location href="([^"]+)"/.exec(body)![1]!,
      size: Number(/<size>(\d+)</.exec(body)![1]),
      openSize: openSize === undefined ? undefined : Number(openSize),
    };
  });
  return { revision, data };
}

/**
 * What dnf checks when it loads a repository: every file repomd.xml lists exists, with the listed
 * size and sha256, and (gzip) decompresses to the listed open checksum. Returns the decompressed
 * documents by type.
 */
export function checkRpmRepository(dir: string): Record<string, string> {
  const repomd = parseRepomd(readFileSync(join(dir, "repodata", "repomd.xml"), "utf8"));
  const documents: Record<string, string> = {};
  for (const record of repomd.data) {
    const bytes = readFileSync(join(dir, record.href));
    if (bytes.length !== record.size) throw new Error(`${record.href}: size ${bytes.length}, repomd says ${record.size}`);
    if (sha256(bytes) !== record.checksum) throw new Error(`${record.href}: checksum mismatch`);
    if (record.href.endsWith(".gz")) {
      const open = gunzipSync(bytes);
      if (record.openChecksum !== undefined && sha256(open) !== record.openChecksum) throw new Error(`${record.href}: open checksum mismatch`);
      if (record.openSize !== undefined && open.length !== record.openSize) throw new Error(`${record.href}: open size mismatch`);
      documents[record.type] = open.toString("utf8");
    }
  }
  return documents;
}

/** Lines of a Release file's SHA256 list: path → { sha256, size }. */
export function releaseSha256(text: string): Map<string, { sha256: string; size: number }> {
  const out = new Map<string, { sha256: string; size: number }>();
  const section = /^SHA256:\n((?: .*\n?)*)/m.exec(text)?.[1] ?? "";
  for (const line of section.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 3) out.set(parts[2]!, { sha256: parts[0]!, size: Number(parts[1]) });
  }
  return out;
}

/**
 * What apt checks (with Acquire-By-Hash): every index Release lists that is published, and its
 * by-hash copy, has the listed size and sha256. Returns the decompressed text of each `.gz`
 * index by uncompressed path.
 */
export function checkAptRepository(dir: string, releaseDirectory: string): Record<string, string> {
  const base = join(dir, releaseDirectory);
  const listed = releaseSha256(readFileSync(join(base, "Release"), "utf8"));
  const indexes: Record<string, string> = {};
  for (const [path, { sha256: digest, size }] of listed) {
    const file = join(base, path);
    const slash = path.lastIndexOf("/");
    const byHash = join(base, slash < 0 ? "" : path.slice(0, slash), "by-hash", "SHA256", digest);
    if (!existsSync(file)) {
      if (path.endsWith(".gz")) throw new Error(`${path} is listed but missing`);
      continue;
    }
    const bytes = readFileSync(file);
    if (bytes.length !== size || sha256(bytes) !== digest) throw new Error(`${path}: does not match Release`);
    if (!existsSync(byHash) || sha256(readFileSync(byHash)) !== digest) throw new Error(`${path}: by-hash copy missing or wrong`);
    if (path.endsWith(".gz")) indexes[path.slice(0, -3)] = gunzipSync(bytes).toString("utf8");
  }
  return indexes;
}

export function mtimeOf(path: string): number {
  return statSync(path).mtimeMs;
}
