/**
 * The `quipu-shaman` command line: `serve` (the daemon, see CONTRIBUTING.md's daemon contract).
 */
import { serveCommand } from "./commands/serve-command.js";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  /** One line for the top-level help. */
  readonly summary: string;
  /** Runs the command on the arguments after its name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
const PROGRAM = "quipu-shaman";

export const commands: Readonly<Record<string, Command>> = {
  serve: serveCommand,
};

function help(): string {
  const lines = Object.values(commands).map((command) => `  ${command.summary}`);
  return `Usage: ${PROGRAM} <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun '${PROGRAM} <command> --help' for a command's options.\n`;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
};

/** Runs `quipu-shaman` with `argv` (without the node and script paths); resolves to the exit code. */
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
