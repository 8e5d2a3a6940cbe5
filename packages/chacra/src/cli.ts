/**
 * The `quipu-chacra` command line: a table of subcommands, each parsing its own arguments and
 * calling the library: `serve` (the daemon, see CONTRIBUTING.md's daemon contract), `index` and
 * `upload`.
 */
import { runCommandTable } from "@quipu/core";
import { PROGRAM, processStdin, type CliIo, type Command } from "./commands/command.js";
import { indexCommand } from "./commands/index-command.js";
import { serveCommand } from "./commands/serve-command.js";
import { uploadCommand } from "./commands/upload-command.js";

export type { CliIo, Command } from "./commands/command.js";

export const commands: Readonly<Record<string, Command>> = {
  serve: serveCommand,
  index: indexCommand,
  upload: uploadCommand,
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
