/**
 * `quipu-chacra serve` as a real child process, started the way scripts start it (the daemon
 * contract), and killed with SIGKILL in the middle of an upload and of a repo build: after a
 * restart on the same data directory nothing partial is visible and the repository ends `ready`.
 */
import { request } from "node:http";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { startDaemonProcess, type DaemonProcess } from "@quipu/testkit";
import { buildSyntheticRpm, rpmFileName } from "@quipu/testkit/packages";
import { basicAuth, multipartBody } from "./chacra-harness.js";
import { startTestShamanEndpoint } from "./test-shaman-endpoint.js";

const fixture = fileURLToPath(new URL("./fixtures/quipu-chacra-from-source.ts", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "quipu-chacra-process-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Guards against a hang, not timed assertions: a child starts tsx and builds repos.
const CHILD_TIMEOUT = 120_000;
const SHA1 = "9".repeat(40);
const USER = { user: "ci", key: "process-test-key" };

function startChacra(dataDir: string, extra: string[] = []): DaemonProcess {
  return startDaemonProcess({
    args: ["--conditions=@quipu/source", "--import", "tsx", fixture, "serve", "--port", "0", "--data-dir", dataDir, "--quiet-time-seconds", "0", "--poll-interval-seconds", "0.2", ...extra],
    env: { QUIPU_CHACRA_API_USER: USER.user, QUIPU_CHACRA_API_KEY: USER.key },
  });
}

const auth = { authorization: basicAuth(USER.user, USER.key) };

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("quipu-chacra serve as a process", () => {
  it(
    "follows the daemon contract: listening line, health, writes with the configured user, exit 0 on SIGTERM",
    async () => {
      const dataDir = join(root, "contract");
      const chacra = startChacra(dataDir);
      const listening = await chacra.waitFor((entry) => entry["msg"] === "listening");
      const url = String(listening["url"]);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await fetch(`${url}health/`)).status).toBe(204);
      const { body, contentType } = multipartBody("a.rpm", new TextEncoder().encode("a"));
      const arch = `${url}binaries/p/main/${SHA1}/centos/9/x86_64/`;
      expect((await fetch(arch, { method: "POST", body, headers: { "content-type": contentType } })).status).toBe(401);
      expect((await fetch(arch, { method: "POST", body, headers: { "content-type": contentType, ...auth } })).status).toBe(201);
      chacra.process.kill("SIGTERM");
      expect(await chacra.exit).toBe(0);
      const text = chacra.stdout();
      expect(text).not.toContain(USER.key);
    },
    CHILD_TIMEOUT,
  );

  it(
    "leaves nothing partial when killed during an upload, and accepts the upload after a restart",
    async () => {
      const dataDir = join(root, "killed-upload");
      let chacra = startChacra(dataDir);
      let url = String((await chacra.waitFor((entry) => entry["msg"] === "listening"))["url"]);
      const bytes = new Uint8Array(8 * 1024 * 1024).fill(42);
      const { body, contentType } = multipartBody("big.rpm", bytes);
      const target = new URL(`binaries/p/main/${SHA1}/centos/9/x86_64/`, url);
      // Send half of the body, then kill the server while it waits for the rest.
      const upload = request(target, { method: "POST", headers: { "content-type": contentType, "content-length": String(body.length), ...auth } });
      upload.on("error", () => undefined);
      upload.write(body.subarray(0, body.length / 2));
      const dir = join(dataDir, "binaries", "p", "main", SHA1, "centos", "9", "x86_64", "flavors", "default");
      await until(async () => {
        try {
          return readdirSync(dir).some((name) => name.startsWith(".upload-")) ? true : undefined;
        } catch {
          return undefined;
        }
      });
      chacra.process.kill("SIGKILL");
      await chacra.exit;
      upload.destroy();

      chacra = startChacra(dataDir);
      url = String((await chacra.waitFor((entry) => entry["msg"] === "listening"))["url"]);
      expect(readdirSync(dir)).toEqual([]);
      const archUrl = new URL(`binaries/p/main/${SHA1}/centos/9/x86_64/`, url);
      expect((await fetch(archUrl)).status).toBe(404);
      expect((await fetch(archUrl, { method: "POST", body, headers: { "content-type": contentType, ...auth } })).status).toBe(201);
      const listing = (await (await fetch(archUrl)).json()) as Record<string, { size: number }>;
      expect(listing["big.rpm"]?.size).toBe(bytes.length);
      chacra.process.kill("SIGTERM");
      expect(await chacra.exit).toBe(0);
    },
    CHILD_TIMEOUT,
  );

  it(
    "resumes a build killed halfway after a restart, and the repository ends ready",
    async () => {
      const dataDir = join(root, "killed-build");
      // Not automatic: the packages all go in first, then one /update starts one long build.
      const config = JSON.stringify({ p: { automatic: false } });
      let chacra = startChacra(dataDir, ["--repos", config]);
      let url = String((await chacra.waitFor((entry) => entry["msg"] === "listening"))["url"]);
      const archUrl = new URL(`binaries/p/main/${SHA1}/centos/9/x86_64/`, url);
      for (let index = 0; index < 600; index += 1) {
        const spec = { name: `pkg${index}`, version: "1.0", release: "1", arch: "x86_64", files: [{ path: `/usr/share/pkg${index}/f`, content: `file ${index}` }] };
        const { body, contentType } = multipartBody(rpmFileName(spec), buildSyntheticRpm(spec));
        const response = await fetch(archUrl, { method: "POST", body, headers: { "content-type": contentType, ...auth } });
        expect(response.status).toBe(201);
      }
      const repoUrl = new URL(`repos/p/main/${SHA1}/centos/9/`, url);
      expect((await fetch(new URL("update", repoUrl), { method: "POST", headers: auth })).status).toBe(200);
      await chacra.waitFor((entry) => entry["event"] === "repo-status" && entry["status"] === "building");
      chacra.process.kill("SIGKILL");
      await chacra.exit;

      const db = new Database(join(dataDir, "chacra.db"), { readonly: true });
      const interrupted = db.prepare("SELECT is_updating FROM repos").pluck().get() === 1;
      db.close();

      chacra = startChacra(dataDir, ["--repos", config]);
      url = String((await chacra.waitFor((entry) => entry["msg"] === "listening"))["url"]);
      if (interrupted) expect(chacra.entries.some((entry) => entry["event"] === "build-resumed")).toBe(true);
      const repo = await until(async () => {
        const json = (await (await fetch(new URL(`repos/p/main/${SHA1}/centos/9/`, url))).json()) as Record<string, unknown>;
        return json["status"] === "ready" || json["status"] === "failed" ? json : undefined;
      });
      expect(repo).toMatchObject({ status: "ready", is_updating: false, needs_update: false });
      const repomd = await fetch(new URL(`r/p/main/${SHA1}/centos/9/flavors/default/x86_64/repodata/repomd.xml`, url));
      expect(repomd.status).toBe(200);
      chacra.process.kill("SIGTERM");
      expect(await chacra.exit).toBe(0);
    },
    CHILD_TIMEOUT * 2,
  );

  it(
    "registers with shaman at start and reports repo statuses to it, with the credentials from --shaman-url",
    async () => {
      const shaman = await startTestShamanEndpoint();
      try {
        const dataDir = join(root, "with-shaman");
        const shamanUrl = shaman.url.replace("http://", "http://ci:shaman-secret@");
        const chacra = startChacra(dataDir, ["--shaman-url", shamanUrl, "--public-url", "http://chacra-1.example:8080/"]);
        const url = String((await chacra.waitFor((entry) => entry["msg"] === "listening"))["url"]);
        const registration = await shaman.waitFor((request) => request.url.startsWith("/api/nodes/"));
        expect(registration.method).toBe("POST");
        expect(registration.url).toBe("/api/nodes/chacra-1.example:8080/");
        expect(registration.headers.authorization).toBe(`Basic ${Buffer.from("ci:shaman-secret").toString("base64")}`);
        const spec = { name: "one", version: "1", release: "1", arch: "noarch" };
        const { body, contentType } = multipartBody(rpmFileName(spec), buildSyntheticRpm(spec));
        const archUrl = new URL(`binaries/p/main/${SHA1}/centos/9/noarch/`, url);
        expect((await fetch(archUrl, { method: "POST", body, headers: { "content-type": contentType, ...auth } })).status).toBe(201);
        const ready = await shaman.waitFor((request) => request.url === "/api/repos/p/" && (request.json as { status?: string }).status === "ready");
        expect(ready.json).toMatchObject({
          chacra_url: `http://chacra-1.example:8080/repos/p/main/${SHA1}/centos/9/flavors/default/`,
          url: `http://chacra-1.example:8080/r/p/main/${SHA1}/centos/9/flavors/default/`,
          archs: ["noarch"],
        });
        const statuses = shaman.requests.filter((request) => request.url === "/api/repos/p/").map((request) => (request.json as { status: string }).status);
        expect(statuses).toEqual(["queued", "building", "ready"]);
        chacra.process.kill("SIGTERM");
        expect(await chacra.exit).toBe(0);
        expect(chacra.stdout()).not.toContain("shaman-secret");
      } finally {
        await shaman.close();
      }
    },
    CHILD_TIMEOUT,
  );
});
