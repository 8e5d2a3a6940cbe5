/**
 * The daemon contract (CONTRIBUTING.md) in one function: parse `serve` arguments, config file,
 * environment and flags; print help or every config problem; start the service; serve its fetch
 * handler over HTTP; log the "listening" line; stop gracefully on SIGTERM/SIGINT. Resolves to the
 * exit code so a bin does `process.exit(await runDaemon(...))` and tests run it in-process.
 */
import { mkdir } from "node:fs/promises";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import {
  parseDaemonCommandLine,
  renderDaemonHelp,
  resolveDaemonConfig,
  type DaemonConfigSchema,
} from "../../daemon/daemon-config.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../../cli/command-table.js";
import { isQuipuError } from "../../errors/quipu-error.js";
import { loadConfigFile } from "./config-file.js";
import { createDaemonLogger, type DaemonLogger } from "./daemon-logger.js";

export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE };

/** What `start` returns: an HTTP handler and a way to release what it holds (database, loops). */
export interface DaemonService {
  /** Handles one request; `bindings` are @hono/node-server's `{ incoming, outgoing }` (for client addresses). */
  fetch(request: Request, bindings?: unknown): Response | Promise<Response>;
  /** Called once, after the server stopped accepting and in-flight requests finished. */
  close(): Promise<void>;
}

export interface DaemonStartContext {
  readonly logger: DaemonLogger;
  /**
   * Where the daemon listens (`http://127.0.0.1:PORT/`): the port is bound before `start` runs, so
   * a daemon started with port 0 knows its real URL (for a default public URL). Requests that
   * arrive before `start` returns wait for it.
   */
  readonly url: string;
  /** Aborted when the daemon is asked to stop: background loops end on it. */
  readonly signal: AbortSignal;
}

export interface DaemonIo {
  /** Help text. */
  stdout(text: string): void;
  /** Configuration problems and failures before the logger exists. */
  stderr(text: string): void;
  /** Where JSON log lines go; default stdout. */
  readonly log?: { write(line: string): unknown };
  /** Aborting it stops the daemon as SIGTERM does (tests, embedding). */
  readonly stop?: AbortSignal;
  /** Listen to the process's SIGTERM and SIGINT; default true. */
  readonly handleSignals?: boolean;
}

export interface RunDaemonOptions<S extends DaemonConfigSchema> {
  /** Short daemon name: `chacra` → program `quipu-chacra`, env `QUIPU_CHACRA_*`. */
  readonly name: string;
  /** The config schema, usually spreading `daemonBaseOptionsShape` (host, port, dataDir, logLevel…). */
  readonly schema: S;
  /** Arguments after the program name; a leading `serve` is optional. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io?: DaemonIo;
  readonly start: (config: z.output<S>, context: DaemonStartContext) => DaemonService | Promise<DaemonService>;
  /** After a stop request, give up waiting and exit 1 after this long; default 10 s (the contract). */
  readonly shutdownTimeoutMs?: number;
}

const processIo: DaemonIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

interface ListenOptions {
  host?: unknown;
  port?: unknown;
  dataDir?: unknown;
}

/** `http://127.0.0.1:8080/`, with IPv6 hosts in brackets. */
function listeningUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
}

function problemsOf(error: unknown): string[] | undefined {
  if (!isQuipuError(error, "QUIPU_CONFIG_INVALID")) return undefined;
  const issues = error.details["issues"];
  return Array.isArray(issues) ? issues.map(String) : [error.message];
}

/** Prints every configuration problem, one `path.to.field: message` per line. */
function printProblems(io: DaemonIo, program: string, problems: readonly string[]): number {
  io.stderr(`${program}: invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.join("\n")}\n`);
  return EXIT_USAGE;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a daemon until it is stopped; resolves to the process exit code (0, 1 failure, 2 usage/config). */
export async function runDaemon<S extends DaemonConfigSchema>(options: RunDaemonOptions<S>): Promise<number> {
  const { name, schema } = options;
  const io = options.io ?? processIo;
  const program = `quipu-${name}`;
  const commandLine = parseDaemonCommandLine(name, options.argv, options.env);
  if (commandLine.help) {
    io.stdout(renderDaemonHelp(name, schema, { program }));
    return EXIT_OK;
  }

  // Collect the problems of every source before reporting, so one run shows them all.
  const problems = [...commandLine.problems];
  let file: { name: string; value: unknown } | undefined;
  if (commandLine.configFile !== undefined) {
    try {
      file = { name: commandLine.configFile, value: await loadConfigFile(commandLine.configFile) };
    } catch (error) {
      const issues = problemsOf(error);
      if (issues === undefined) throw error;
      problems.push(...issues);
    }
  }
  let config: z.output<S> | undefined;
  try {
    config = resolveDaemonConfig(name, schema, { ...(file === undefined ? {} : { file }), env: options.env, flags: commandLine.flags });
  } catch (error) {
    const issues = problemsOf(error);
    if (issues === undefined) throw error;
    problems.push(...issues);
  }
  const listen = config as ListenOptions | undefined;
  if (problems.length === 0 && typeof listen?.dataDir === "string") {
    try {
      await mkdir(listen.dataDir, { recursive: true });
    } catch (error) {
      problems.push(`dataDir: cannot create the directory: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
    }
  }
  if (problems.length > 0 || config === undefined) return printProblems(io, program, problems);

  const logLevel = (config as { logLevel?: unknown }).logLevel;
  const logger = createDaemonLogger({
    name,
    ...(typeof logLevel === "string" ? { level: logLevel } : {}),
    ...(io.log === undefined ? {} : { destination: io.log }),
  });
  return serveUntilStopped(options, io, config, listen ?? {}, logger);
}

async function serveUntilStopped<S extends DaemonConfigSchema>(
  options: RunDaemonOptions<S>,
  io: DaemonIo,
  config: z.output<S>,
  listen: ListenOptions,
  logger: DaemonLogger,
): Promise<number> {
  // Stop requests (signals, io.stop) may arrive at any point, even while start() runs. The first
  // starts the graceful stop and its deadline; a second one means "now".
  const stopping = new AbortController();
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  let giveUpNow: (reason: string) => void = () => {};
  const givenUp = new Promise<string>((resolve) => (giveUpNow = resolve));
  const requestStop = (reason: string) => {
    if (stopping.signal.aborted) {
      giveUpNow(`second stop request (${reason})`);
      return;
    }
    logger.info({ reason }, "stopping");
    timer = setTimeout(() => giveUpNow(`not stopped within ${timeoutMs} ms`), timeoutMs);
    stopping.abort(new Error(`stopped by ${reason}`));
  };
  const onSigterm = () => requestStop("SIGTERM");
  const onSigint = () => requestStop("SIGINT");
  const onStop = () => requestStop("stop signal");
  const handleSignals = io.handleSignals ?? true;
  if (handleSignals) {
    process.on("SIGTERM", onSigterm);
    process.on("SIGINT", onSigint);
  }
  if (io.stop?.aborted) onStop();
  else io.stop?.addEventListener("abort", onStop, { once: true });

  let server: Server | undefined;
  const giveUp = (reason: string) => {
    logger.error({ reason }, "shutdown did not finish; exiting anyway");
    server?.closeAllConnections();
    return EXIT_FAILURE;
  };
  try {
    // Bind first, so start() knows the real URL; requests wait until the service exists.
    let provide: (service: DaemonService | undefined) => void = () => {};
    const ready = new Promise<DaemonService | undefined>((resolve) => (provide = resolve));
    const host = String(listen.host ?? "127.0.0.1");
    try {
      server = await listenOn(ready, logger, host, Number(listen.port ?? 0));
    } catch (error) {
      logger.error({ err: error, host: listen.host, port: listen.port }, "cannot listen");
      return EXIT_FAILURE;
    }
    const url = listeningUrl(host, (server.address() as AddressInfo).port);

    const started = await Promise.race([
      (async () => ({ service: await options.start(config, { logger, url, signal: stopping.signal }) }))().catch((error: unknown) => ({ error })),
      givenUp.then((reason) => ({ gaveUp: reason })),
    ]);
    if ("gaveUp" in started) return giveUp(started.gaveUp);
    if ("error" in started) {
      provide(undefined);
      await stopServer(server);
      const issues = problemsOf(started.error);
      if (issues !== undefined) return printProblems(io, `quipu-${options.name}`, issues);
      logger.error({ err: started.error }, "start failed");
      return EXIT_FAILURE;
    }
    const { service } = started;
    provide(service);
    if (!stopping.signal.aborted) {
      logger.info({ url }, "listening");
      await new Promise<void>((resolve) => stopping.signal.addEventListener("abort", () => resolve(), { once: true }));
    }
    const running = server;
    const outcome = await Promise.race([stopServer(running).then(() => closeService(service, logger)), givenUp]);
    return typeof outcome === "number" ? outcome : giveUp(outcome);
  } finally {
    clearTimeout(timer);
    if (handleSignals) {
      process.off("SIGTERM", onSigterm);
      process.off("SIGINT", onSigint);
    }
    io.stop?.removeEventListener("abort", onStop);
    logger.flush();
  }
}

async function closeService(service: DaemonService, logger: DaemonLogger): Promise<number> {
  try {
    await service.close();
  } catch (error) {
    logger.error({ err: error }, "close failed");
    return EXIT_FAILURE;
  }
  logger.info({}, "stopped");
  return EXIT_OK;
}

/**
 * Serves the service's fetch handler with @hono/node-server (an optional peer, imported only to
 * serve). `ready` resolves to the service once started, or to undefined when start failed.
 */
async function listenOn(ready: Promise<DaemonService | undefined>, logger: DaemonLogger, host: string, port: number): Promise<Server> {
  const { createAdaptorServer } = await import("@hono/node-server");
  const server = createAdaptorServer({
    hostname: host,
    port,
    fetch: async (request, bindings) => {
      try {
        const service = await ready;
        if (service === undefined) return new Response(null, { status: 503 });
        return await service.fetch(request, bindings);
      } catch (error) {
        // The app is expected to answer errors itself; this is the last resort.
        logger.error({ err: error, method: request.method, url: new URL(request.url).pathname }, "request failed");
        return new Response(null, { status: 500 });
      }
    },
  }) as Server;
  trackRequests(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

const activeRequests = new WeakMap<Server, { count: number; stopping: boolean }>();

/** Counts requests in progress, so keep-alive connections can be closed once none is. */
function trackRequests(server: Server): void {
  const state = { count: 0, stopping: false };
  activeRequests.set(server, state);
  server.on("request", (_request: IncomingMessage, response: ServerResponse) => {
    state.count++;
    response.once("close", () => {
      state.count--;
      if (state.stopping && state.count === 0) server.closeAllConnections();
    });
  });
}

/** Stops accepting connections and resolves when every in-flight request has finished. */
function stopServer(server: Server): Promise<void> {
  const state = activeRequests.get(server);
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    if (state !== undefined) {
      state.stopping = true;
      // Idle keep-alive connections would hold close() open; busy ones close when their request ends.
      if (state.count === 0) server.closeAllConnections();
      else server.closeIdleConnections();
    }
  });
}
