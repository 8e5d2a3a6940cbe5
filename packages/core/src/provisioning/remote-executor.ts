import { QuipuError } from "../errors/quipu-error.js";
import { scrubSecrets, tailText } from "./scrub-secrets.js";

/**
 * Where and as whom to run. The `auth` part is secret: executors must never put it (nor the host
 * object as a whole) into errors, error details, `cause`, or logs. Use `describeRemoteHost` for
 * messages and `remoteHostSecrets` to scrub text that may echo it.
 */
export interface RemoteHost {
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  auth: RemoteHostAuth;
  /**
   * Expected SHA-256 host key fingerprint (`SHA256:…` as `ssh-keygen -lf` prints it). When set, the
   * executor refuses a host presenting another key (QUIPU_REMOTE_CONNECT_FAILED); when absent the
   * key is not checked, as duffy and mita do for freshly booted machines.
   */
  hostKeySha256?: string;
}

export interface RemoteHostAuth {
  /** OpenSSH or PEM private key text. */
  privateKey?: string;
  passphrase?: string;
  password?: string;
}

export interface RemoteRunOptions {
  /** Kill the command and reject with QUIPU_REMOTE_TIMEOUT after this long. */
  timeoutMs?: number;
  stdin?: string | Uint8Array;
  /** Extra environment for the command. Values are never included in errors. */
  env?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
  /**
   * Reject with QUIPU_REMOTE_COMMAND_FAILED when the exit code is not 0 (default false: the result
   * is returned whatever the exit code). Executors implement it with `assertCommandSucceeded`.
   */
  check?: boolean;
}

export interface RemoteRunResult {
  /** The command's exit code; 255 when the remote side gave none (killed by a signal, lost connection). */
  exitCode: number;
  /** Signal name (`TERM`, `KILL`) when the command was killed by one. */
  exitSignal?: string;
  stdout: string;
  stderr: string;
}

export interface RemoteCopyFile {
  content: Uint8Array | string;
  /** Absolute path on the remote host; parent directories must exist. */
  remotePath: string;
  /** File mode, e.g. 0o600 for a key or token file (default 0o644). */
  mode?: number;
}

export interface RemoteCopyOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The remote-execution port (SSH): duffy contextualizes nodes with it, mita bootstraps agents.
 * Errors: QUIPU_REMOTE_CONNECT_FAILED (refused, unreachable, authentication, host key mismatch),
 * QUIPU_REMOTE_TIMEOUT, and with `check` QUIPU_REMOTE_COMMAND_FAILED.
 */
export interface RemoteExecutor {
  /**
   * Runs `command` on `host`. A string is handed to the remote shell unchanged (pipes, globbing);
   * an array is one argv, quoted with `quoteShellCommand`, so arguments are never re-split.
   */
  run(host: RemoteHost, command: string | readonly string[], options?: RemoteRunOptions): Promise<RemoteRunResult>;
  /** Writes `content` to `remotePath` (replacing it), then applies `mode`. */
  copyFile(host: RemoteHost, file: RemoteCopyFile, options?: RemoteCopyOptions): Promise<void>;
  /** Closes pooled connections, if the executor keeps any. */
  close?(): Promise<void>;
}

/** POSIX-shell quoting of one argument: safe words stay bare, the rest go in single quotes. */
export function quoteShellArgument(argument: string): string {
  if (/^[A-Za-z0-9_\-+=/.,:@%]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** The command line a remote shell runs for `command` (see `RemoteExecutor.run`). */
export function quoteShellCommand(command: string | readonly string[]): string {
  return typeof command === "string" ? command : command.map(quoteShellArgument).join(" ");
}

/** `user@host:port` for messages; never includes `auth`. */
export function describeRemoteHost(host: Pick<RemoteHost, "host" | "port" | "user">): string {
  const address = host.host.includes(":") ? `[${host.host}]` : host.host;
  return `${host.user}@${address}:${host.port ?? 22}`;
}

/** The secrets of a host, for scrubbing text that a remote side may have echoed. */
export function remoteHostSecrets(host: RemoteHost): string[] {
  return [host.auth.privateKey, host.auth.passphrase, host.auth.password].filter(
    (secret): secret is string => typeof secret === "string" && secret.length > 0,
  );
}

/**
 * The program a command runs (its first word after any `NAME=value` assignments), the only part of
 * a command errors mention: the rest may carry tokens (`curl -H "Authorization: …"`, `TOKEN=… ./x`).
 */
export function commandProgram(command: string | readonly string[]): string {
  const words = typeof command === "string" ? command.trim().split(/\s+/) : [...command];
  const program = words.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  return program && program.length > 0 ? program : "(empty command)";
}

/** How much of stderr a failure keeps: the end, where the error usually is. */
export const MAX_STDERR_TAIL = 2_000;

/**
 * Returns `result` when the command exited 0, otherwise throws QUIPU_REMOTE_COMMAND_FAILED with
 * `details.exitCode`, `details.exitSignal`, `details.program` and `details.stderrTail` (the last
 * 2 000 characters of stderr, scrubbed of the host's secrets, `secrets` and anything
 * credential-shaped). Neither the arguments, the environment nor stdin are included.
 */
export function assertCommandSucceeded(
  host: RemoteHost,
  command: string | readonly string[],
  result: RemoteRunResult,
  secrets: readonly string[] = [],
): RemoteRunResult {
  if (result.exitCode === 0) return result;
  const allSecrets = [...remoteHostSecrets(host), ...secrets];
  const program = scrubSecrets(commandProgram(command), allSecrets);
  const stderrTail = tailText(scrubSecrets(result.stderr, allSecrets), MAX_STDERR_TAIL);
  const lastLine = stderrTail.trimEnd().split("\n").at(-1) ?? "";
  const how = result.exitSignal ? `was killed by SIG${result.exitSignal}` : `exited with ${result.exitCode}`;
  throw new QuipuError(
    "QUIPU_REMOTE_COMMAND_FAILED",
    `${program} on ${describeRemoteHost(host)} ${how}${lastLine ? `: ${lastLine}` : ""}`,
    {
      details: {
        host: describeRemoteHost(host),
        program,
        exitCode: result.exitCode,
        ...(result.exitSignal ? { exitSignal: result.exitSignal } : {}),
        stderrTail,
      },
    },
  );
}
