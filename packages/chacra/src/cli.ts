/**
 * The `quipu-chacra` command line: a table of subcommands, each parsing its own arguments and
 * calling the library: `serve` (the daemon, see CONTRIBUTING.md's daemon contract), `index` and
 * `upload`.
 */
import { runCommandTable } from "@quipu/core/cli";
import { COMMAND_SUMMARIES, PROGRAM, processStdin, type CliIo, type Command } from "./commands/command.js";

export type { CliIo, Command } from "./commands/command.js";

/**
 * A command whose module is loaded when it runs: each start of the CLI compiles only the code of
 * the command it runs (a `quipu-chacra index` run does not load the daemon, the HTTP client or
 * their schemas; compiling them was a fifth of a small index run).
 */
function lazyCommand(summary: string, load: () => Promise<Command>): Command {
  return { summary, run: async (args, io) => (await load()).run(args, io) };
}

export const commands: Readonly<Record<string, Command>> = {
  serve: lazyCommand(
    COMMAND_SUMMARIES.serve,
    async () => (await import("./commands/serve-command.js")).serveCommand,
  ),
  index: lazyCommand(
    COMMAND_SUMMARIES.index,
    async () => (await import("./commands/index-command.js")).indexCommand,
  ),
  upload: lazyCommand(
    COMMAND_SUMMARIES.upload,
    async () => (await import("./commands/upload-command.js")).uploadCommand,
  ),
};

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  stdin: processStdin,
  stderrIsTTY: process.stderr.isTTY === true,
};

/** Runs `quipu-chacra` with `argv` (without the node and script paths); resolves to the exit code. */
export function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  return runCommandTable({ program: PROGRAM, commands, argv, io });
}
