/** Runs the reference tools (dpkg-deb, apt-ftparchive, rpm, createrepo_c, ...) for the writer tests. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: Uint8Array;
  cwd?: string;
  /** Added to the environment (which always has LC_ALL=C, TZ=UTC). */
  env?: Record<string, string>;
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const result = spawnSync(command, args, {
    input: options.input,
    cwd: options.cwd,
    maxBuffer: 1 << 28,
    env: { ...process.env, LC_ALL: "C", TZ: "UTC", ...options.env },
  });
  return { status: result.status, stdout: result.stdout?.toString() ?? "", stderr: result.stderr?.toString() ?? "" };
}

/** Runs a command and returns stdout, failing with its stderr when it exits non-zero. */
export function runOk(command: string, args: readonly string[], options: RunOptions = {}): string {
  const result = run(command, args, options);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** Raw stdout bytes of a command that must succeed. */
export function runBytes(command: string, args: readonly string[], input?: Uint8Array): Buffer {
  const result = spawnSync(command, args, { input, maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr?.toString()}`);
  return result.stdout;
}

export function hasTool(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

/** rpm on Debian prints this advice on every install; it is not a problem with the package. */
export function withoutDebianRpmNotice(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.includes("use Alien instead") && !line.includes("assuming you know what you are doing"))
    .join("\n");
}

export interface TempDir {
  path: string;
  write(name: string, bytes: Uint8Array | string): string;
  remove(): void;
}

export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `quipu-${prefix}-`));
  return {
    path,
    write(name, bytes) {
      const file = join(path, name);
      writeFileSync(file, bytes);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** xz and zstd through their CLIs, as injected compressors. */
export const xzCli = { extension: "xz", compress: (data: Uint8Array) => runBytes("xz", ["-q", "-c", "-6"], data) };
export const zstdCli = { extension: "zst", compress: (data: Uint8Array) => runBytes("zstd", ["-q", "-c", "-3"], data) };
