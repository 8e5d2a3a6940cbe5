/**
 * The top level of a `quipu-<name>` program: a table of subcommands, each parsing its own
 * arguments. Pure: output goes through the `io` the caller passes (process streams in a bin,
 * captured strings in tests).
 */

/** Exit codes of every quipu program: success, failure of the work itself, bad command line. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The least a command's I/O offers; programs extend it (environment, stdin, …). */
export interface CliOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface CliCommand<Io extends CliOutput = CliOutput> {
  /** One line for the top-level help. */
  readonly summary: string;
  /** Runs the command on the arguments after its name; resolves to the exit code. */
  run(args: readonly string[], io: Io): Promise<number>;
}

export interface CommandTableOptions<Io extends CliOutput> {
  /** The program's name in help and errors: `quipu-chacra`. */
  readonly program: string;
  readonly commands: Readonly<Record<string, CliCommand<Io>>>;
  /** The arguments without the node and script paths. */
  readonly argv: readonly string[];
  readonly io: Io;
}

/** The top-level help: one summary line a command. */
function help(program: string, commands: Readonly<Record<string, { readonly summary: string }>>): string {
  const lines = Object.values(commands).map((command) => `  ${command.summary}`);
  return `Usage: ${program} <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun '${program} <command> --help' for a command's options.\n`;
}

/**
 * Runs the command named by `argv[0]` on the rest; resolves to the exit code. No command prints
 * the help to stderr (exit 2), `--help`/`-h`/`help` to stdout (exit 0); an unknown command is exit
 * 2; a command that throws is reported in one line, exit 1.
 */
export async function runCommandTable<Io extends CliOutput>(options: CommandTableOptions<Io>): Promise<number> {
  const { program, commands, io } = options;
  const [name, ...rest] = options.argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(help(program, commands));
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr(`${program}: unknown command '${name}'\n${help(program, commands)}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${program}: internal error: ${message.split("\n")[0]}\n`);
    return EXIT_FAILURE;
  }
}
