/**
 * The daemon contract seen from outside: a real child process started the way scripts start the
 * daemons, its stdout read line by line, its signals and exit codes real.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
// Through the workspace root (testkit depends on core, so core does not list it back).
import { startDaemonProcess, type DaemonProcess } from "@quipu/testkit";

const fixture = fileURLToPath(new URL("./fixtures/echo-daemon.ts", import.meta.url));
const coreDir = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "quipu-daemon-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Starting node with tsx takes a moment; these are guards against a hang, not timed assertions.
const CHILD_TEST_TIMEOUT = 60_000;

function startChild(args: string[], env: Record<string, string> = {}): DaemonProcess {
  return startDaemonProcess({ args: ["--import", "tsx", fixture, ...args], env, cwd: coreDir });
}

describe("a daemon as a child process", () => {
  it(
    "prints the listening line, answers, redacts secrets, and exits 0 on SIGTERM after in-flight requests",
    async () => {
      const child = startChild(
        ["serve", "--port", "0", "--data-dir", join(dir, "data"), "--api-user", "ci", "--peer-url", "http://ci:peer-secret-key@127.0.0.1:9/"],
        { QUIPU_ECHO_API_KEY: "api-secret-key", QUIPU_ECHO_GREETING: "from env" },
      );
      const listening = await child.waitFor((entry) => entry["msg"] === "listening");
      const url = String(listening["url"]);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(url.endsWith(":0/")).toBe(false);
      expect((await fetch(new URL("health", url))).status).toBe(204);
      expect(await (await fetch(url)).text()).toBe("from env");

      const slow = fetch(new URL("slow", url));
      await child.waitFor((entry) => entry["msg"] === "slow request started");
      child.process.kill("SIGTERM");
      expect(await (await slow).text()).toBe("finished");
      expect(await child.exit).toBe(0);

      const messages = child.lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages.slice(messages.indexOf("stopping"))).toEqual(["stopping", "slow request answered", "closed", "stopped"]);
      const output = child.lines.join("\n");
      expect(output).not.toContain("api-secret-key");
      expect(output).not.toContain("peer-secret-key");
      expect(output).toContain("http://ci:[redacted]@127.0.0.1:9/");
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    "exits 0 on SIGINT when idle",
    async () => {
      const child = startChild(["serve", "--port", "0", "--data-dir", join(dir, "data")]);
      await child.waitFor((entry) => entry["msg"] === "listening");
      child.process.kill("SIGINT");
      expect(await child.exit).toBe(0);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    "--help lists every option with its environment variable and default, and exits 0",
    async () => {
      const child = startChild(["serve", "--help"]);
      expect(await child.exit).toBe(0);
      const help = child.lines.join("\n");
      for (const text of [
        "Usage: quipu-echo serve [--config FILE] [options]",
        "key host, env QUIPU_ECHO_HOST, default 127.0.0.1",
        "key port, env QUIPU_ECHO_PORT, default 0",
        "key dataDir, env QUIPU_ECHO_DATA_DIR, default ./.quipu/echo",
        "env QUIPU_ECHO_API_USER",
        "env QUIPU_ECHO_API_KEY",
        "key users, env QUIPU_ECHO_USERS, default []",
        "key logLevel, env QUIPU_ECHO_LOG_LEVEL, default info",
        "key greeting, env QUIPU_ECHO_GREETING, default hello",
        "--peer-url <string>",
        "QUIPU_ECHO_CONFIG",
      ]) {
        expect(help).toContain(text);
      }
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    "a bad configuration prints every problem of file, environment and flags at once, without secrets, and exits 2",
    async () => {
      const file = join(dir, "echo.yaml");
      writeFileSync(file, "port: 99999\ngreting: typo\nusers:\n  - user: alice\n    key: file-secret-key\n");
      const child = startChild(["serve", "--config", file, "--peer-url", "not a url", "--bogus"], {
        QUIPU_ECHO_LOG_LEVEL: "loud",
        QUIPU_ECHO_API_KEY: "env-secret-key",
      });
      expect(await child.exit).toBe(2);
      const stderr = child.stderr();
      const problems = stderr.trimEnd().split("\n").slice(1);
      expect(problems).toEqual(
        expect.arrayContaining([
          `greting: unknown option (from ${file})`,
          "--bogus: unknown option",
          expect.stringMatching(new RegExp(`^port: .* \\(from ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)$`)),
          expect.stringMatching(/^logLevel: .* \(from QUIPU_ECHO_LOG_LEVEL\)$/),
          expect.stringMatching(/^peerUrl: .* \(from --peer-url\)$/),
          "apiUser: apiKey is set, so apiUser is required",
        ]),
      );
      expect(problems).toHaveLength(6);
      expect(stderr).not.toContain("file-secret-key");
      expect(stderr).not.toContain("env-secret-key");
      expect(child.lines).toEqual([]);
    },
    CHILD_TEST_TIMEOUT,
  );
});
