/**
 * `quipu-chacra serve`: the daemon, following the daemon contract (CONTRIBUTING.md). Everything is
 * loaded on first use, so `index` and `upload` runs do not pay for the server, SQLite and pino.
 */
import { COMMAND_SUMMARIES, type CliIo, type Command } from "./command.js";

export const serveCommand: Command = {
  summary: COMMAND_SUMMARIES.serve,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const [{ runDaemon }, { ChacraConfigSchema }, { startChacra }] = await Promise.all([
      import("@quipu/core/daemon"),
      import("../config.js"),
      import("../daemon.js"),
    ]);
    return runDaemon({
      name: "chacra",
      schema: ChacraConfigSchema,
      argv: args,
      env: io.env,
      io: { stdout: io.stdout, stderr: io.stderr },
      start: (config, context) => startChacra(config, context),
    });
  },
};
