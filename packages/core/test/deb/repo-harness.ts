import { execFile } from "node:child_process";
import { copyFileSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, normalize, sep } from "node:path";
import { computeFileHashes } from "../../src/indexing/deb/file-hashes.js";
import { readDebPackage, type AptPackageEntry } from "../../src/indexing/deb/package-entry.js";
import { readDscSource, type AptSourceEntry } from "../../src/indexing/deb/sources-index.js";
import type { Codecs } from "../../src/indexing/codecs.js";
import { buildSourceFixture, debFixtures } from "./deb-fixtures.js";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `quipu-${prefix}-`));
}

/** Creates `<parent>/<name>` (and parents) and returns its path. */
export function makeDir(parent: string, name: string): string {
  const path = join(parent, name);
  mkdirSync(path, { recursive: true });
  return path;
}

export function writeFiles(root: string, files: ReadonlyArray<{ path: string; bytes: Uint8Array }>): void {
  for (const file of files) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.bytes);
  }
}

/** The pool path Debian would use: pool/<component>/<prefix>/<source>/<file>. */
export function poolPath(component: string, source: string, file: string): string {
  const prefix = source.startsWith("lib") ? source.slice(0, 4) : source.slice(0, 1);
  return `pool/${component}/${prefix}/${source}/${file}`;
}

/**
 * Copies every fixture .deb (and the source package) into `<root>/pool/…` and returns the
 * entries for buildAptRepository, read through the public API from the copied bytes.
 */
export function stagePool(root: string, codecs: Codecs): { packages: AptPackageEntry[]; sources: AptSourceEntry[] } {
  const packages = debFixtures().map((fixture) => {
    const pkg = /^Package:\s*(\S+)/m.exec(fixture.spec.control)?.[1] ?? "x";
    const filename = poolPath("main", pkg, fixture.fileName);
    mkdirSync(dirname(join(root, filename)), { recursive: true });
    copyFileSync(fixture.path, join(root, filename));
    return readDebPackage(new Uint8Array(readFileSync(join(root, filename))), { codecs, filename });
  });
  const source = buildSourceFixture();
  const sourceDir = dirname(poolPath("main", "quipu-src", source.dscName));
  mkdirSync(join(root, sourceDir), { recursive: true });
  for (const file of source.files) copyFileSync(join(source.dir, file), join(root, sourceDir, file));
  const extraHashes = Object.fromEntries(
    source.files.slice(1).map((file) => [file, computeFileHashes(new Uint8Array(readFileSync(join(root, sourceDir, file))))]),
  );
  const dscBytes = new Uint8Array(readFileSync(join(root, sourceDir, source.dscName)));
  const sources = [readDscSource(dscBytes, { filename: `${sourceDir}/${source.dscName}`, extraHashes })];
  return { packages, sources };
}

export interface StaticServer {
  readonly url: string;
  /** Request paths in arrival order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** A tiny static file server on 127.0.0.1 (GET/HEAD only), logging request paths. */
export async function serveDirectory(root: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push((req.url ?? "/").split("?")[0] ?? "/");
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const target = normalize(join(root, path));
    if (!target.startsWith(root + sep) && target !== root) {
      res.writeHead(403).end();
      return;
    }
    let size: number;
    try {
      const stat = statSync(target);
      if (!stat.isFile()) throw new Error("not a file");
      size = stat.size;
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-length": String(size), "content-type": "application/octet-stream" });
    if (req.method === "HEAD") res.end();
    else createReadStream(target).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface AptSandbox {
  readonly dir: string;
  setSources(lines: readonly string[]): void;
  /** Forgets downloaded indexes (as on a fresh machine). */
  clearLists(): void;
  run(command: "apt-get" | "apt-cache", args: readonly string[], options?: { cwd?: string }): Promise<CommandResult>;
}

/**
 * An apt configuration isolated from the host (recipe §7.1 of the indexing reference): its own
 * state, cache, sources and an empty apt.conf.d, so host settings (Check-Valid-Until off, proxies,
 * compressed-index options) cannot hide problems. The dpkg status is copied from the host so
 * Depends on base packages (libc6) resolve.
 */
export function createAptSandbox(root: string, architectures: readonly string[] = ["amd64"]): AptSandbox {
  const dir = join(root, "apt");
  for (const sub of ["state/lists/partial", "cache/archives/partial", "etc/apt.conf.d", "etc/sources.list.d", "etc/preferences.d", "etc/trusted.gpg.d"]) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  copyFileSync("/var/lib/dpkg/status", join(dir, "state", "status"));
  const config = `Dir::State "${dir}/state"; Dir::State::status "${dir}/state/status"; Dir::Cache "${dir}/cache";
Dir::Etc::SourceList "${dir}/etc/sources.list"; Dir::Etc::SourceParts "${dir}/etc/sources.list.d";
Dir::Etc::Parts "${dir}/etc/apt.conf.d"; Dir::Etc::Preferences "${dir}/etc/preferences";
Dir::Etc::PreferencesParts "${dir}/etc/preferences.d";
Dir::Etc::Trusted "${dir}/etc/trusted.gpg"; Dir::Etc::TrustedParts "${dir}/etc/trusted.gpg.d";
Debug::NoLocking "true"; APT::Architecture "amd64"; APT::Architectures { ${architectures.map((a) => `"${a}";`).join(" ")} };
Acquire::Languages "none"; APT::Sandbox::User "root"; Acquire::Retries "0";
`;
  writeFileSync(join(dir, "apt.conf"), config);
  writeFileSync(join(dir, "etc", "sources.list"), "");
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, LANG: "C.UTF-8", APT_CONFIG: join(dir, "apt.conf"), DEBIAN_FRONTEND: "noninteractive" };
  return {
    dir,
    setSources: (lines) => writeFileSync(join(dir, "etc", "sources.list"), `${lines.join("\n")}\n`),
    clearLists: () => {
      rmSync(join(dir, "state", "lists"), { recursive: true, force: true });
      mkdirSync(join(dir, "state", "lists", "partial"), { recursive: true });
      rmSync(join(dir, "cache", "pkgcache.bin"), { force: true });
      rmSync(join(dir, "cache", "srcpkgcache.bin"), { force: true });
    },
    run: (command, args, options = {}) =>
      new Promise((resolve) => {
        execFile(command, [...args], { env, cwd: options.cwd ?? dir, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
          resolve({ code, stdout, stderr });
        });
      }),
  };
}
