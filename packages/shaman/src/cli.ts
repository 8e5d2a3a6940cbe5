/**
 * The `quipu-shaman` command line: `serve` (the daemon, see CONTRIBUTING.md's daemon contract).
 */
import { runCommandTable, type CliCommand, type CliOutput } from "@quipu/core";
import { serveCommand } from "./commands/serve-command.js";

export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "@quipu/core";

export interface CliIo extends CliOutput {
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A subcommand: one summary line for the top-level help, and its run. */
export type Command = CliCommand<CliIo>;

const PROGRAM = "quipu-shaman";

export const commands: Readonly<Record<string, Command>> = {
  serve: serveCommand,
};

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
};

/** Runs `quipu-shaman` with `argv` (without the node and script paths); resolves to the exit code. */
export function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCommandTable({ program: PROGRAM, commands, argv, io });
}
