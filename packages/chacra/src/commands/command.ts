import type { CliCommand, CliOutput } from "@quipu/core/cli";

/** What every `quipu-chacra` subcommand gets and gives: arguments and I/O in, an exit code out. */
export interface CliIo extends CliOutput {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Standard input, for commands that take a list on it (`upload`); absent = nothing to read. */
  readonly stdin?: CliStdin | undefined;
  /** Whether stderr is a terminal (progress bars); absent = no. */
  readonly stderrIsTTY?: boolean | undefined;
}

export interface CliStdin {
  readonly isTTY: boolean;
  /** All of standard input as UTF-8 text. */
  text(): Promise<string>;
}

/** The process's standard input as a CliStdin. */
export const processStdin: CliStdin = {
  get isTTY() {
    return process.stdin.isTTY === true;
  },
  async text() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString("utf8");
  },
};

/** A subcommand: one summary line for the top-level help, and its run. */
export type Command = CliCommand<CliIo>;

/** Exit codes: success, failure of the work itself, bad command line. */
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "@quipu/core/cli";

/** A command-line mistake: reported in one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const PROGRAM = "quipu-chacra";

/**
 * Each subcommand's line in the top-level help. Here, not beside each command, because the CLI
 * lists them all without loading any command's module.
 */
export const COMMAND_SUMMARIES = {
  serve: "serve [--config FILE] [--host H] [--port N] [--data-dir DIR] …   run the chacra daemon (--help lists every option)",
  index: "index rpm|deb <dir>   turn a directory of packages into a dnf/yum or apt repository",
  upload: "upload <files...>     send packages to a chacra node (chacractl binary create)",
} as const;
