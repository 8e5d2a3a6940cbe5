import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { afterAll, describe, expect, it } from "vitest";
import {
  daemonBaseOptionsShape,
  runDaemon,
  withDaemonCredentialChecks,
  type DaemonService,
  type DaemonStartContext,
} from "../../src/adapters/daemon/index.js";

const dir = mkdtempSync(join(tmpdir(), "quipu-run-daemon-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema = withDaemonCredentialChecks(
  z.object({ ...daemonBaseOptionsShape("demo", 0), greeting: z.string().default("hello").describe("What / answers.") }),
);

/** Runs the daemon in-process with captured output; `listening` resolves to the URL of the log line. */
function startDaemon(
  argv: string[],
  start: (config: z.output<typeof schema>, context: DaemonStartContext) => DaemonService,
  env: Record<string, string> = {},
) {
  const stop = new AbortController();
  const out: string[] = [];
  const err: string[] = [];
  const logs: Record<string, unknown>[] = [];
  let onListening: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (onListening = resolve));
  const exit = runDaemon({
    name: "demo",
    schema,
    argv,
    env,
    io: {
      stdout: (text) => void out.push(text),
      stderr: (text) => void err.push(text),
      log: {
        write(line: string) {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry["msg"] === "listening") onListening(String(entry["url"]));
        },
      },
      stop: stop.signal,
      handleSignals: false,
    },
    start,
  });
  return { exit, listening, stop, out, err, logs };
}

describe("runDaemon in-process", () => {
  it("serves the fetch handler, logs the listening URL, and stops gracefully after in-flight requests", async () => {
    const events: string[] = [];
    let slowStarted: () => void = () => {};
    const slowSeen = new Promise<void>((resolve) => (slowStarted = resolve));
    let startUrl = "";
    const daemon = startDaemon(["serve", "--port", "0", "--data-dir", join(dir, "data"), "--greeting", "hi"], (config, { signal, url }) => {
      startUrl = url;
      return {
        async fetch(request) {
          if (new URL(request.url).pathname === "/slow") {
            slowStarted();
            // Answer only once the daemon is stopping: this request is in flight during shutdown.
            await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
            await new Promise((resolve) => setImmediate(resolve));
            events.push("slow answered");
            return new Response("finished");
          }
          return new Response(config.greeting);
        },
        async close() {
          events.push("closed");
        },
      };
    });
    const url = await daemon.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(url).not.toBe("http://127.0.0.1:0/");
    // start() already knew the bound port, so a daemon on port 0 can derive its public URL.
    expect(startUrl).toBe(url);
    expect(await (await fetch(url)).text()).toBe("hi");

    const slow = fetch(new URL("slow", url));
    await slowSeen;
    daemon.stop.abort();
    expect(await (await slow).text()).toBe("finished");
    expect(await daemon.exit).toBe(0);
    expect(events).toEqual(["slow answered", "closed"]);
    expect(daemon.logs.map((entry) => entry["msg"])).toEqual(["listening", "stopping", "stopped"]);
    await expect(fetch(url)).rejects.toThrow();
  });

  it("prints help with every option and exits 0 without starting", async () => {
    const daemon = startDaemon(["serve", "--port", "nope", "--help"], () => {
      throw new Error("must not start");
    });
    expect(await daemon.exit).toBe(0);
    const help = daemon.out.join("");
    for (const text of ["--host", "QUIPU_DEMO_HOST", "default 127.0.0.1", "--api-key", "QUIPU_DEMO_API_KEY", "--greeting", "default hello", "What / answers."]) {
      expect(help).toContain(text);
    }
  });

  it("prints every problem of the file, environment and flags at once and exits 2", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "port: high\nunknownOption: 1\n");
    const daemon = startDaemon(
      ["--config", file, "--log-level", "loud", "--bogus"],
      () => {
        throw new Error("must not start");
      },
      { QUIPU_DEMO_API_KEY: "env-secret-key", QUIPU_DEMO_PORTT: "1" },
    );
    expect(await daemon.exit).toBe(2);
    const lines = daemon.err.join("").trimEnd().split("\n");
    expect(lines[0]).toBe("quipu-demo: invalid configuration (6 problems):");
    expect(lines).toHaveLength(7);
    expect(lines.slice(1)).toEqual(
      expect.arrayContaining([
        `unknownOption: unknown option (from ${file})`,
        "QUIPU_DEMO_PORTT: unknown environment variable",
        "--bogus: unknown option",
        `port: Invalid input: expected number, received string (from ${file})`,
        expect.stringMatching(/^logLevel: Invalid option: .* \(from --log-level\)$/),
        "apiUser: apiKey is set, so apiUser is required",
      ]),
    );
    expect(daemon.err.join("")).not.toContain("env-secret-key");
  });

  it("reports a config file that cannot be read together with the other problems", async () => {
    const missing = join(dir, "missing.yaml");
    const daemon = startDaemon(["--port=x"], () => ({ fetch: () => new Response(), close: async () => {} }), { QUIPU_DEMO_CONFIG: missing });
    expect(await daemon.exit).toBe(2);
    expect(daemon.err.join("")).toContain(`${missing}: cannot read the config file: no such file`);
    expect(daemon.err.join("")).toContain('port: expected a number, got "x" (from --port)');
  });

  it("exits 1 when the port is taken, without starting the service", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    const daemon = startDaemon(["--port", String(port), "--data-dir", join(dir, "data")], () => {
      throw new Error("must not start");
    });
    expect(await daemon.exit).toBe(1);
    expect(daemon.logs.find((entry) => entry["msg"] === "cannot listen")).toBeDefined();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it("exits 1 when start fails, and 2 when start rejects the configuration", async () => {
    const failing = startDaemon(["--data-dir", join(dir, "data")], () => {
      throw new Error("database is locked");
    });
    expect(await failing.exit).toBe(1);
    expect(failing.logs.find((entry) => entry["msg"] === "start failed")).toMatchObject({ err: { message: "database is locked" } });

    const { QuipuError } = await import("../../src/errors/index.js");
    const rejecting = startDaemon(["--data-dir", join(dir, "data")], () => {
      throw new QuipuError("QUIPU_CONFIG_INVALID", "bad key", { details: { issues: ["signKeyFile: not a private key"] } });
    });
    expect(await rejecting.exit).toBe(2);
    expect(rejecting.err.join("")).toContain("signKeyFile: not a private key");
  });

  it("exits 1 when the service does not close within the shutdown timeout", async () => {
    const stop = new AbortController();
    const logs: string[] = [];
    let started: () => void = () => {};
    const listening = new Promise<void>((resolve) => (started = resolve));
    const exit = runDaemon({
      name: "demo",
      schema,
      argv: ["--data-dir", join(dir, "data")],
      env: {},
      shutdownTimeoutMs: 1,
      io: {
        stdout: () => {},
        stderr: () => {},
        log: { write: (line: string) => void (logs.push(line), line.includes('"listening"') && started()) },
        stop: stop.signal,
        handleSignals: false,
      },
      start: () => ({ fetch: () => new Response(), close: () => new Promise<void>(() => {}) }),
    });
    await listening;
    stop.abort();
    expect(await exit).toBe(1);
    expect(logs.join("")).toContain("shutdown did not finish");
  });

  it("stops without announcing readiness when asked to stop while starting", async () => {
    let closed = false;
    let daemon: ReturnType<typeof startDaemon> | undefined;
    daemon = startDaemon(["--data-dir", join(dir, "data")], (_config, { signal }) => {
      daemon?.stop.abort();
      expect(signal.aborted).toBe(true);
      return { fetch: () => new Response(), close: async () => void (closed = true) };
    });
    expect(await daemon.exit).toBe(0);
    expect(closed).toBe(true);
    expect(daemon.logs.map((entry) => entry["msg"])).toEqual(["stopping", "stopped"]);
  });

  it("creates the data directory before starting", async () => {
    const dataDir = join(dir, "nested", "data");
    let existed = false;
    const { existsSync } = await import("node:fs");
    const daemon = startDaemon(["--data-dir", dataDir], () => {
      existed = existsSync(dataDir);
      return { fetch: () => new Response(), close: async () => {} };
    });
    await daemon.listening;
    daemon.stop.abort();
    expect(await daemon.exit).toBe(0);
    expect(existed).toBe(true);
  });
});
