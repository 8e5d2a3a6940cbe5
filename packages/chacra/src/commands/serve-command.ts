/**
 * `quipu-chacra serve`: the daemon, following the daemon contract (CONTRIBUTING.md). Everything is
 * loaded on first use, so `index` and `upload` runs do not pay for the server, SQLite and pino.
 */
import type { CliIo, Command } from "./command.js";

export const serveCommand: Command = {
  summary: "serve [--config FILE] [--host H] [--port N] [--data-dir DIR] …   run the chacra daemon (--help lists every option)",
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
