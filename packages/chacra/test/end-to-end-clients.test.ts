/**
 * End to end with real parts: packages uploaded over HTTP to a running chacra, repositories built
 * by the build queue with quipu's own indexer, then installed from the served `/r/` URL by real
 * `dnf` and `apt-get` using the `…/repo` file chacra hands out; shaman callbacks received by a
 * recording HTTP endpoint, in order. Skips only when dnf/apt-get are absent (CI installs both).
 */
import { execFileSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "@quipu/core";
import { buildSyntheticDeb, buildSyntheticRpm, debFileName, rpmFileName } from "@quipu/testkit/packages";
import { createCallbackDispatcher } from "../src/callback-dispatcher.js";
import { multipartBody, startTestChacra, type TestChacra } from "./chacra-harness.js";
import { createAptSandbox, tempDir } from "../../core/test/deb/repo-harness.js";
import { runDnf } from "../../core/test/rpm/dnf-harness.js";

const has = (tool: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
};

// dnf and apt-get take seconds to start; a guard against hangs, not a timed assertion.
const CLIENT_TIMEOUT = 180_000;
const SHA1 = "0123456789abcdef0123456789abcdef01234567";

interface Recorded {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
}

async function startRecordingShaman(): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => {
      requests.push({ path: request.url ?? "", authorization: request.headers.authorization, body: JSON.parse(text || "{}") as Record<string, unknown> });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://shaman:callback-key@127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function upload(chacra: TestChacra, url: string, name: string, bytes: Uint8Array) {
  const { body, contentType } = multipartBody(name, bytes);
  const response = await chacra.fetch(url, { method: "POST", body, headers: { "content-type": contentType }, auth: true });
  expect(response.status, await response.clone().text()).toBe(201);
}

describe.skipIf(!has("dnf") || !has("apt-get"))("upload → build → install with real clients", () => {
  let chacra: TestChacra;
  let shaman: Awaited<ReturnType<typeof startRecordingShaman>>;
  const work = tempDir("chacra-e2e");
  let dispatcher: ReturnType<typeof createCallbackDispatcher>;

  beforeAll(async () => {
    shaman = await startRecordingShaman();
    chacra = await startTestChacra({ callbacks: true });
    const store = chacra.store;
    dispatcher = createCallbackDispatcher({
      outbox: {
        due: (now, limit) => store.dueCallbacks(now, limit),
        delivered: (id) => store.callbackDelivered(id),
        retryLater: (id, attempts, next, error) => store.callbackRetryLater(id, attempts, next, error),
      },
      shamanUrl: shaman.url,
      clock: systemClock,
      retryBaseMs: 1000,
      retryMaxMs: 10_000,
      timeoutMs: 10_000,
    });
  });
  afterAll(async () => {
    await chacra?.close();
    await shaman?.close();
  });

  it("serves an rpm repository dnf installs from, using chacra's .repo file", async () => {
    const base = `/binaries/quipu/main/${SHA1}/centos/9`;
    const hello = { name: "quipu-hello", version: "1.0", release: "1.el9", arch: "x86_64", files: [{ path: "/usr/share/quipu-hello/hello.txt", content: "hello from chacra\n" }] };
    const data = { name: "quipu-data", version: "2.0", release: "1.el9", arch: "noarch", files: [{ path: "/usr/share/quipu-data/data.txt", content: "data\n" }] };
    await upload(chacra, `${base}/x86_64/`, rpmFileName(hello), buildSyntheticRpm(hello));
    await upload(chacra, `${base}/noarch/`, rpmFileName(data), buildSyntheticRpm(data));
    await chacra.service.processDueRepos();
    const repoJson = (await (await chacra.fetch(`/repos/quipu/main/${SHA1}/centos/9/`)).json()) as Record<string, unknown>;
    expect(repoJson).toMatchObject({ status: "ready", type: "rpm" });

    const repoFile = await (await chacra.fetch(`/repos/quipu/main/${SHA1}/centos/9/repo`)).text();
    expect(repoFile).toContain("[quipu]");
    const baseUrls = [...repoFile.matchAll(/^baseurl=(.+)$/gm)].map((match) => match[1]!.replace("$basearch", "x86_64"));
    expect(baseUrls.length).toBeGreaterThanOrEqual(2);
    for (const [index, url] of baseUrls.slice(0, 2).entries()) {
      const result = await runDnf(`${work}/dnf-${index}`, { url }, ["--quiet", "list", "--available"]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(index === 0 ? "quipu-hello" : "quipu-data");
    }
    const install = await runDnf(`${work}/dnf-install`, { url: baseUrls[0]! }, ["install", "quipu-hello"], { ...process.env, HOME: `${work}/dnf-install`, LC_ALL: "C.UTF-8" });
    expect(install.code, install.stderr).toBe(0);
  }, CLIENT_TIMEOUT);

  it("serves an apt repository apt-get installs from, using chacra's sources line", async () => {
    const base = `/binaries/quipu/main/${SHA1}/ubuntu/jammy`;
    const tool = { name: "quipu-tool", version: "1.0-1", architecture: "amd64", description: "a tool", files: [{ path: "/usr/share/quipu-tool/readme", content: "tool\n" }] };
    const docs = { name: "quipu-docs", version: "1.0-1", architecture: "all", description: "docs", files: [{ path: "/usr/share/doc/quipu-docs/readme", content: "docs\n" }] };
    await upload(chacra, `${base}/x86_64/`, debFileName(tool), buildSyntheticDeb(tool));
    await upload(chacra, `${base}/x86_64/`, debFileName(docs), buildSyntheticDeb(docs));
    await chacra.service.processDueRepos();
    const sources = (await (await chacra.fetch(`/repos/quipu/main/${SHA1}/ubuntu/jammy/repo`)).text()).trim();
    expect(sources).toMatch(/^deb \[trusted=yes\] http:\/\/127\.0\.0\.1:\d+\/r\/quipu\/main\/[0-9a-f]{40}\/ubuntu\/jammy\/flavors\/default\/ jammy main$/);
    const apt = createAptSandbox(work);
    apt.setSources([sources]);
    const update = await apt.run("apt-get", ["update"]);
    expect(update.code, update.stderr).toBe(0);
    const policy = await apt.run("apt-cache", ["policy", "quipu-tool", "quipu-docs"]);
    expect(policy.stdout).toContain("Candidate: 1.0-1");
    const download = await apt.run("apt-get", ["download", "quipu-tool"], { cwd: work });
    expect(download.code, download.stderr).toBe(0);
  }, CLIENT_TIMEOUT);

  it("marks the repo failed naming a corrupt package, and still serves the others", async () => {
    const base = `/binaries/broken/main/${SHA1}/centos/9`;
    const good = { name: "quipu-good", version: "1.0", release: "1.el9", arch: "x86_64" };
    await upload(chacra, `${base}/x86_64/`, rpmFileName(good), buildSyntheticRpm(good));
    const corrupt = buildSyntheticRpm({ name: "quipu-bad", version: "1.0", release: "1.el9", arch: "x86_64" }).slice(0, 300);
    await upload(chacra, `${base}/x86_64/`, "quipu-bad-1.0-1.el9.x86_64.rpm", corrupt);
    await chacra.service.processDueRepos();
    const repo = (await (await chacra.fetch(`/repos/broken/main/${SHA1}/centos/9/`)).json()) as Record<string, unknown>;
    expect(repo["status"]).toBe("failed");
    expect(String(repo["failure"])).toContain("x86_64/quipu-bad-1.0-1.el9.x86_64.rpm");
    const url = `${chacra.url}r/broken/main/${SHA1}/centos/9/flavors/default/x86_64/`;
    const list = await runDnf(`${work}/dnf-broken`, { url }, ["--quiet", "list", "--available"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain("quipu-good");
    expect(list.stdout).not.toContain("quipu-bad");
  }, CLIENT_TIMEOUT);

  it("told shaman requested/queued/building/ready in order, with the original payload shape", async () => {
    await dispatcher.deliverDue();
    await dispatcher.deliverDue();
    const rpm = shaman.requests.filter((request) => request.body["distro"] === "centos" && request.path === "/api/repos/quipu/");
    expect(rpm.map((request) => request.body["status"])).toEqual(["queued", "building", "ready"]);
    const ready = rpm.at(-1)!;
    expect(ready.path).toBe("/api/repos/quipu/");
    expect(ready.authorization).toBe(`Basic ${Buffer.from("shaman:callback-key").toString("base64")}`);
    expect(ready.body).toMatchObject({
      ref: "main",
      sha1: SHA1,
      distro: "centos",
      distro_version: "9",
      flavor: "default",
      project_name: "quipu",
      chacra_url: `${chacra.url}repos/quipu/main/${SHA1}/centos/9/flavors/default/`,
      url: `${chacra.url}r/quipu/main/${SHA1}/centos/9/flavors/default/`,
    });
    expect((ready.body["archs"] as string[]).sort()).toEqual(["noarch", "x86_64"]);
    expect(typeof ready.body["generation"]).toBe("number");
  });
});

describe.skipIf(!has("dnf"))("signed repositories", () => {
  it("signs built repos, serves the key, and dnf verifies the metadata with it", async () => {
    const { generateSigningKey, createRepositorySigner } = await import("@quipu/core/signing");
    const key = await generateSigningKey({ name: "quipu chacra test", email: "chacra@example.invalid" });
    const signer = await createRepositorySigner({ armoredPrivateKey: key.privateKeyArmored });
    const chacra = await startTestChacra({ signer });
    try {
      const spec = { name: "quipu-signed", version: "1.0", release: "1.el9", arch: "x86_64" };
      await upload(chacra, `/binaries/signed/main/${SHA1}/centos/9/x86_64/`, rpmFileName(spec), buildSyntheticRpm(spec));
      await chacra.service.processDueRepos();
      const repoFile = await (await chacra.fetch(`/repos/signed/main/${SHA1}/centos/9/repo`)).text();
      expect(repoFile).toContain(`gpgkey=${chacra.url}repo-key.asc`);
      expect(repoFile).toContain("repo_gpgcheck=1");
      expect(await (await chacra.fetch("/repo-key.asc")).text()).toBe(key.publicKeyArmored);
      const work = tempDir("chacra-signed");
      const url = `${chacra.url}r/signed/main/${SHA1}/centos/9/flavors/default/x86_64/`;
      const list = await runDnf(`${work}/dnf`, { url, gpgKeyUrl: `${chacra.url}repo-key.asc` }, ["--quiet", "list", "--available"]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain("quipu-signed");
    } finally {
      await chacra.close();
    }
  }, CLIENT_TIMEOUT);
});
