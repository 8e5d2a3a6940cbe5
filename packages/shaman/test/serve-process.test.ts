/**
 * `quipu-shaman serve` as a real child process, started the way scripts start it (the daemon
 * contract in CONTRIBUTING.md): the listening line, `/_health/` (and the maintenance file),
 * writes with the configured user, the web UI, `--help`, every configuration problem at once
 * with exit 2, and exit 0 on SIGTERM with the database closed and no secret in the logs.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { startDaemonProcess, type DaemonProcess } from "@quipu/testkit";
import { chacraReport } from "./shaman-harness.js";

const fixture = fileURLToPath(new URL("./fixtures/quipu-shaman-from-source.ts", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "quipu-shaman-process-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Guards against a hang, not timed assertions: a child starts tsx.
const CHILD_TIMEOUT = 60_000;
const USER = { user: "ci", key: "shaman-process-secret" };
const auth = { authorization: `Basic ${Buffer.from(`${USER.user}:${USER.key}`).toString("base64")}` };

function run(args: string[], env: Record<string, string> = {}): DaemonProcess {
  return startDaemonProcess({
    args: ["--conditions=@quipu/source", "--import", "tsx", fixture, ...args],
    env: { QUIPU_SHAMAN_API_USER: USER.user, QUIPU_SHAMAN_API_KEY: USER.key, ...env },
  });
}

describe("quipu-shaman serve as a process", () => {
  it(
    "follows the daemon contract: listening line, /_health/, auth, UI, SIGTERM exit 0",
    async () => {
      const dataDir = join(root, "contract");
      const shaman = run(["serve", "--port", "0", "--data-dir", dataDir, "--node-scheme", "http"]);
      const listening = await shaman.waitFor((entry) => entry["msg"] === "listening");
      const url = String(listening["url"]);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await fetch(`${url}_health/`)).status).toBe(204);

      const body = JSON.stringify(chacraReport());
      expect((await fetch(`${url}api/repos/ceph/`, { method: "POST", body })).status).toBe(401);
      expect((await fetch(`${url}api/repos/ceph/`, { method: "POST", body, headers: { ...auth, "content-type": "application/json" } })).status).toBe(200);
      expect(await (await fetch(`${url}api/`)).json()).toEqual({ repos: ["ceph"] });
      const next = await fetch(`${url}api/nodes/next/`, { headers: auth });
      expect(next.status).toBe(404);
      expect(await next.text()).toBe("There are no healthy chacra nodes available.");

      // The web UI is mounted by default.
      const home = await fetch(url);
      expect(home.status).toBe(200);
      expect(home.headers.get("content-type")).toMatch(/^text\/html/);

      // The maintenance switch.
      writeFileSync(join(dataDir, "maintenance"), "");
      expect((await fetch(`${url}_health/`)).status).toBe(500);
      rmSync(join(dataDir, "maintenance"));
      expect((await fetch(`${url}_health/`)).status).toBe(204);

      shaman.process.kill("SIGTERM");
      expect(await shaman.exit).toBe(0);
      expect(shaman.entries.some((entry) => entry["msg"] === "stopped")).toBe(true);
      expect(`${shaman.stdout()}${shaman.stderr()}`).not.toContain(USER.key);
      // Closed cleanly: the database opens and holds the repo.
      const db = new Database(join(dataDir, "shaman.db"), { readonly: true });
      expect(db.prepare("SELECT COUNT(*) FROM repos").pluck().get()).toBe(1);
      db.close();
    },
    CHILD_TIMEOUT,
  );

  it(
    "--help lists every option with its default; a bad configuration prints every problem and exits 2",
    async () => {
      const help = run(["serve", "--help"]);
      expect(await help.exit).toBe(0);
      for (const option of ["--node-scheme", "--health-check-retries", "--probe-timeout-seconds", "--reprobe-interval-seconds", "--probe-cache-seconds", "--maintenance-file", "--build-limit", "--api-user", "--api-key", "--data-dir", "--port"]) {
        expect(help.stdout()).toContain(option);
      }
      expect(help.stdout()).toContain("8081");

      const bad = run(["serve", "--node-scheme", "ftp", "--health-check-retries", "0", "--port", "0"], { QUIPU_SHAMAN_BUILD_LIMIT: "-5" });
      expect(await bad.exit).toBe(2);
      const problems = bad.stderr();
      expect(problems).toContain("nodeScheme:");
      expect(problems).toContain("healthCheckRetries:");
      expect(problems).toContain("buildLimit:");
    },
    CHILD_TIMEOUT,
  );
});
