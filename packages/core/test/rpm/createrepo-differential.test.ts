/**
 * Differential test against createrepo_c (the reference indexer): the same packages, with the same
 * file mtimes and options, must give the same primary/filelists/other XML — byte for byte once
 * decompressed — and a repomd.xml that differs only in what the compressor decides (the compressed
 * files' checksum and size). createrepo_c runs with --set-timestamp-to-revision so the record
 * timestamps are comparable; we pass the same value as `timestamp`.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildRpmRepository,
  createRpmRepositoryEntry,
  type BuildRpmRepositoryOptions,
  type RepodataChecksumType,
  type RpmRepositoryEntry,
} from "../../src/indexing/rpm/index.js";
import { cliCodecs } from "./cli-codecs.js";
import { rpmFixtures } from "./rpm-fixtures.js";

const REVISION = 1_700_000_999;
/** Repository layout: subdirectories exercise hrefs and createrepo_c's basename-then-path order. */
const layout: Record<string, string> = {
  "quipu-tools-1.2.3-4.q1.noarch.rpm": "quipu-tools-1.2.3-4.q1.noarch.rpm",
  "x86_64/quipu-daemon-0.9-1.x86_64.rpm": "quipu-daemon-0.9-1.x86_64.rpm",
  "SRPMS/quipu-daemon-0.9-1.src.rpm": "quipu-daemon-0.9-1.src.rpm",
  "noarch/b/quipu-nodeps-1.0-1.noarch.rpm": "quipu-nodeps-1.0-1.noarch.rpm",
  "noarch/a/quipu-nodeps-1.0-1.noarch.rpm": "quipu-nodeps-1.0-1.noarch.rpm",
  "noarch/quipu-nodeps-1.1-2.noarch.rpm": "quipu-nodeps-1.1-2.noarch.rpm",
};

let work: string;
let repo: string;
let entries: (checksumType: RepodataChecksumType) => RpmRepositoryEntry[];

interface Parsed {
  xml: Record<"primary" | "filelists" | "other", string>;
  repomd: string;
}

function decompress(path: string): string {
  const bytes = readFileSync(path);
  if (path.endsWith(".gz")) return gunzipSync(bytes).toString("utf8");
  if (path.endsWith(".xz")) return Buffer.from(cliCodecs().decompress("xz", bytes)).toString("utf8");
  return bytes.toString("utf8");
}

function runCreaterepo(name: string, args: string[]): Parsed {
  const out = join(work, `out-${name}`);
  mkdirSync(out);
  const r = spawnSync("createrepo_c", ["--no-database", "--simple-md-filenames", `--revision=${REVISION}`, "--set-timestamp-to-revision", "--outputdir", out, ...args, repo], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`createrepo_c failed: ${r.stderr}`);
  const dir = join(out, "repodata");
  const files = readdirSync(dir);
  const find = (type: string) => join(dir, files.find((f) => f.startsWith(`${type}.xml`))!);
  return {
    xml: { primary: decompress(find("primary")), filelists: decompress(find("filelists")), other: decompress(find("other")) },
    repomd: readFileSync(join(dir, "repomd.xml"), "utf8"),
  };
}

function runOurs(checksumType: RepodataChecksumType, options: BuildRpmRepositoryOptions): Parsed & { files: ReturnType<typeof buildRpmRepository> } {
  const files = buildRpmRepository(entries(checksumType), {
    uniqueMdFilenames: false,
    revision: String(REVISION),
    timestamp: REVISION,
    checksumType,
    ...options,
  });
  const codecs = cliCodecs();
  const open = (type: string) => {
    const f = files.find((x) => x.path.startsWith(`repodata/${type}.xml`))!;
    const format = f.path.endsWith(".gz") ? "gzip" : f.path.endsWith(".xz") ? "xz" : "none";
    return Buffer.from(codecs.decompress(format, f.bytes)).toString("utf8");
  };
  return {
    files,
    xml: { primary: open("primary"), filelists: open("filelists"), other: open("other") },
    repomd: Buffer.from(files.at(-1)!.bytes).toString("utf8"),
  };
}

/** Splits a metadata document into its per-package elements, so a failure names the package. */
function packages(xml: string): string[] {
  return xml.split(/(?=<package )/).slice(1);
}

interface RepomdData {
  type: string;
  checksum: string;
  openChecksum: string | undefined;
  href: string;
  timestamp: string;
  size: string;
  openSize: string | undefined;
}

function parseRepomd(xml: string): { revision: string; data: RepomdData[] } {
  const revision = /<revision>([^<]*)<\/revision>/.exec(xml)![1]!;
  const data = [...xml.matchAll(/<data type="([^"]+)">([\s\S]*?)<\/data>/g)].map(([, type, body]) => {
    const get = (re: RegExp) => re.exec(body!)?.[1];
    return {
      type: type!,
      checksum: get(/<checksum type="[^"]+">([^<]+)</)!,
      openChecksum: get(/<open-checksum type="[^"]+">([^<]+)</),
      href: get(/<location href="([^"]+)"/)!,
      timestamp: get(/<timestamp>([^<]+)</)!,
      size: get(/<size>([^<]+)</)!,
      openSize: get(/<open-size>([^<]+)</),
    };
  });
  return { revision, data };
}

function compare(name: string, theirs: Parsed, ours: Parsed & { files: ReturnType<typeof buildRpmRepository> }) {
  for (const type of ["primary", "filelists", "other"] as const) {
    expect(packages(ours.xml[type]), `${name}: ${type} packages`).toEqual(packages(theirs.xml[type]));
    expect(ours.xml[type], `${name}: ${type}.xml`).toBe(theirs.xml[type]);
  }
  const t = parseRepomd(theirs.repomd);
  const o = parseRepomd(ours.repomd);
  expect(o.revision).toBe(t.revision);
  // Documented difference: compressed bytes (zlib/liblzma settings, flushing) — so `checksum` and
  // `size` of the stored files differ; they are checked against our own bytes instead.
  const strip = ({ checksum: _c, size: _s, ...rest }: RepomdData) => rest;
  expect(o.data.map(strip)).toEqual(t.data.map(strip));
  for (const record of o.data) {
    const file = ours.files.find((f) => f.path === record.href)!;
    expect(Number(record.size)).toBe(file.bytes.length);
  }
  // Same layout apart from those values.
  const mask = (xml: string) => xml.replace(/<checksum type="(\w+)">[0-9a-f]+</g, '<checksum type="$1">X<').replace(/<size>\d+</g, "<size>N<");
  expect(mask(ours.repomd)).toBe(mask(theirs.repomd));
}

beforeAll(() => {
  const fixtures = rpmFixtures();
  work = mkdtempSync(join(tmpdir(), "quipu-createrepo-diff-"));
  repo = join(work, "repo");
  let mtime = 1_700_000_000;
  const hrefs = Object.keys(layout);
  for (const href of hrefs) {
    const target = join(repo, href);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(fixtures.get(layout[href]!).path, target);
    utimesSync(target, mtime, mtime);
    mtime += 3600;
  }
  entries = (checksumType) =>
    hrefs.map((href, i) =>
      createRpmRepositoryEntry(readFileSync(join(repo, href)), { href, fileMtime: 1_700_000_000 + i * 3600, checksumType }),
    );
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("createrepo_c differential", () => {
  it("default options (gzip, sha256, 10 changelog entries)", () => {
    compare("default", runCreaterepo("default", []), runOurs("sha256", {}));
  });

  it("--changelog-limit 2", () => {
    const theirs = runCreaterepo("limit", ["--changelog-limit", "2"]);
    const ours = runOurs("sha256", { changelogLimit: 2 });
    compare("limit", theirs, ours);
    expect(ours.xml.other).toContain('date="1709726400">- same day as the newer entry</changelog>');
    expect(ours.xml.other).not.toContain("a third entry on that day");
  });

  it("--checksum sha512 with xz compression", () => {
    compare("sha512-xz", runCreaterepo("sha512", ["--checksum", "sha512", "--general-compress-type", "xz"]), runOurs("sha512", { compression: "xz", codecs: cliCodecs() }));
  });

  it("the repository really exercises the interesting rules", () => {
    const { xml } = runOurs("sha256", {});
    expect([...xml.primary.matchAll(/<location href="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "SRPMS/quipu-daemon-0.9-1.src.rpm",
      "x86_64/quipu-daemon-0.9-1.x86_64.rpm",
      "noarch/a/quipu-nodeps-1.0-1.noarch.rpm",
      "noarch/b/quipu-nodeps-1.0-1.noarch.rpm",
      "noarch/quipu-nodeps-1.1-2.noarch.rpm",
      "quipu-tools-1.2.3-4.q1.noarch.rpm",
    ]);
    const tools = packages(xml.primary).find((p) => p.includes("<name>quipu-tools</name>"))!;
    expect(tools).not.toContain('name="/usr/bin/quipu-tool"');
    expect(tools).toContain('<rpm:entry name="/usr/share/quipu-tools/data.txt"/>');
    expect(tools).not.toContain("rpmlib(");
    expect(tools).not.toContain('name="quipu-virtual" flags="EQ" epoch="0" ver="1.0"/>\n      <rpm:entry name="quipu-virtual"');
    expect(tools.match(/libc\.so\.6/g)).toHaveLength(1);
    expect(tools).toContain('<rpm:entry name="libc.so.6(GLIBC_2.14)(64bit)"/>');
    expect(tools).toContain('<rpm:entry name="/usr/sbin/useradd" pre="1"/>');
    expect(tools).toContain('<file type="ghost">/etc/quipu/state.db</file>');
    expect(tools).toContain("<file>/usr/lib/sendmail</file>");
    expect(tools).toContain("<file>/opt/quipu/sbin/quipu-admin</file>");
    expect(tools).not.toContain("data.txt</file>");
    expect(packages(xml.primary).find((p) => p.includes("<arch>src</arch>"))).toContain("<rpm:sourcerpm></rpm:sourcerpm>");
    expect(xml.filelists).toContain("<file>/usr/share/quipu-tools/naïve &amp; &lt;odd&gt;.txt</file>");
  });
});
