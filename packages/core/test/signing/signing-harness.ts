import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandResult } from "../deb/repo-harness.js";
import { tempDir } from "../deb/repo-harness.js";

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** Runs a program asynchronously (so an in-process HTTP server keeps answering), never throwing. */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd, env: options.env ?? { PATH: process.env.PATH, LANG: "C.UTF-8" }, encoding: "utf8", timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * What apt reads out of an InRelease (apt-pkg/contrib/gpgv.cc, SplitClearSignedFile): each line
 * right-stripped; after the BEGIN line, headers up to a blank line; then the message lines with a
 * leading "- " removed, joined by "\n" (no final newline), up to BEGIN PGP SIGNATURE. Returns the
 * content and whether apt would complain about lines outside the signed block.
 */
export function aptSplitClearSigned(text: string): { content: string; hashHeaders: string[]; garbage: boolean } {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let state: "start" | "headers" | "message" | "signature" | "after" = "start";
  const content: string[] = [];
  const hashHeaders: string[] = [];
  let garbage = false;
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, "");
    if (state === "start") {
      if (line === "-----BEGIN PGP SIGNED MESSAGE-----") state = "headers";
      else garbage = true;
    } else if (state === "headers") {
      if (line === "") state = "message";
      else if (line.startsWith("Hash: ")) hashHeaders.push(line);
    } else if (state === "message") {
      if (line === "-----BEGIN PGP SIGNATURE-----") state = "signature";
      else content.push(line.startsWith("- ") ? line.slice(2) : line);
    } else if (state === "signature") {
      if (line === "-----END PGP SIGNATURE-----") state = "after";
    } else {
      garbage = true;
    }
  }
  if (state !== "after") throw new Error(`clear-signed text ended in state ${state}`);
  return { content: content.join("\n"), hashHeaders, garbage };
}

export interface GnupgHome {
  readonly dir: string;
  gpg(args: readonly string[]): Promise<CommandResult>;
  /** Stops the gpg-agent this home started and deletes the directory. */
  close(): Promise<void>;
}

/** A throwaway GNUPGHOME for making keys with gpg itself (the agent it starts is stopped by `close`). */
export function createGnupgHome(): GnupgHome {
  const dir = tempDir("gnupg");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, "gpg-agent.conf"), "allow-loopback-pinentry\n");
  const env = { PATH: process.env.PATH, LANG: "C.UTF-8", GNUPGHOME: dir };
  return {
    dir,
    gpg: (args) => run("gpg", ["--batch", "--no-tty", "--pinentry-mode", "loopback", ...args], { env, timeoutMs: 120_000 }),
    close: async () => {
      await run("gpgconf", ["--homedir", dir, "--kill", "gpg-agent"], { env });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Flips one character of the signed text of a clear-signed file (`from` → `to`, first occurrence). */
export function tamper(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const text = new TextDecoder().decode(bytes);
  if (!text.includes(from)) throw new Error(`'${from}' is not in the text`);
  return new TextEncoder().encode(text.replace(from, to));
}
