/** What every `quipu-chacra` subcommand gets and gives: arguments and I/O in, an exit code out. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
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

export interface Command {
  /** One line for the top-level help. */
  readonly summary: string;
  /** Runs the command on the arguments after its name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Exit codes: success, failure of the work itself, bad command line. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A command-line mistake: reported in one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const PROGRAM = "quipu-chacra";
