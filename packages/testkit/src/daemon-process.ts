/**
 * A daemon as a real child process, started the way scripts start it (the daemon contract): its
 * stdout read line by line, JSON log lines parsed, a wait for the first line matching a predicate
 * (`"msg":"listening"`), and its exit code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** One JSON log line. */
export type LogEntry = Record<string, unknown>;

export interface DaemonProcessOptions {
  /** The program; default the running node (`process.execPath`). */
  readonly command?: string | undefined;
  readonly args: readonly string[];
  /** Added to (or replacing) the variables of this process's environment. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
}

export interface DaemonProcess {
  readonly process: ChildProcess;
  /** Every stdout line so far, as printed. */
  readonly lines: readonly string[];
  /** The stdout lines so far that are JSON objects (the log lines), parsed. */
  readonly entries: readonly LogEntry[];
  /** All of stdout so far. */
  stdout(): string;
  /** All of stderr so far. */
  stderr(): string;
  /**
   * The first log line matching `predicate`, already printed or still to come. Rejects, with the
   * process's stderr, when it exits first.
   */
  waitFor(predicate: (entry: LogEntry) => boolean): Promise<LogEntry>;
  /** The exit code (null when a signal ended it), once the process ended and its output is read. */
  readonly exit: Promise<number | null>;
}

/** Starts `command args` with stdout and stderr piped; stdin is closed. */
export function startDaemonProcess(options: DaemonProcessOptions): DaemonProcess {
  const child = spawn(options.command ?? process.execPath, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const entries: LogEntry[] = [];
  let stderr = "";
  const waiters: { predicate: (entry: LogEntry) => boolean; resolve: (entry: LogEntry) => void }[] = [];
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // "close", not "exit": every line the process printed has been read by then.
  const exit = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return;
    entries.push(entry as LogEntry);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(entry as LogEntry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry as LogEntry);
      }
    }
  });
  return {
    process: child,
    lines,
    entries,
    exit,
    stdout: () => lines.map((line) => `${line}\n`).join(""),
    stderr: () => stderr,
    waitFor: (predicate) => {
      const seen = entries.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exit.then((code) => reject(new Error(`the daemon exited (${code}) before that line; stderr: ${stderr}`)));
      });
    },
  };
}
