/**
 * The `quipu-chacra` command line: a table of subcommands, each parsing its own arguments and
 * calling the library: `serve` (the daemon, see CONTRIBUTING.md's daemon contract), `index` and
 * `upload`.
 */
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PROGRAM, processStdin, type CliIo, type Command } from "./commands/command.js";
import { indexCommand } from "./commands/index-command.js";
import { serveCommand } from "./commands/serve-command.js";
import { uploadCommand } from "./commands/upload-command.js";

export type { CliIo, Command } from "./commands/command.js";

export const commands: Readonly<Record<string, Command>> = {
  serve: serveCommand,
  index: indexCommand,
  upload: uploadCommand,
};

function help(): string {
  const lines = Object.values(commands).map((command) => `  ${command.summary}`);
  return `Usage: ${PROGRAM} <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun '${PROGRAM} <command> --help' for a command's options.\n`;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  stdin: processStdin,
  stderrIsTTY: process.stderr.isTTY === true,
};

/** Runs `quipu-chacra` with `argv` (without the node and script paths); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(help());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr(`${PROGRAM}: unknown command '${name}'\n${help()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${PROGRAM}: internal error: ${message.split("\n")[0]}\n`);
    return EXIT_FAILURE;
  }
}
