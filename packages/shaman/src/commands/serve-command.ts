/**
 * `quipu-shaman serve`: the daemon, following the daemon contract (CONTRIBUTING.md). Loaded on
 * first use, so `--help` of the top-level command stays cheap.
 */
import type { CliIo } from "../cli.js";

export const serveCommand = {
  summary: "serve [--config FILE] [--host H] [--port N] [--data-dir DIR] [--node-scheme http|https] …   run the shaman daemon (--help lists every option)",
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const [{ runDaemon }, { ShamanConfigSchema }, { startShaman }] = await Promise.all([
      import("@quipu/core/daemon"),
      import("../config.js"),
      import("../daemon.js"),
    ]);
    return runDaemon({
      name: "shaman",
      schema: ShamanConfigSchema,
      argv: args,
      env: io.env,
      io: { stdout: io.stdout, stderr: io.stderr },
      start: (config, context) => startShaman(config, context),
    });
  },
};
