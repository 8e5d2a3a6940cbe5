/**
 * Wire compatibility of `/repos/…`: discovery, repo JSON, the repo POST schema, update/recreate/
 * extra, DELETE and the flavors level (reference §1.3, §1.6). The builder here only records what
 * it was asked to build; real repositories are checked with apt and dnf in the end-to-end test.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BuildRepositoryOptions, RepoBuildResult } from "../src/repo-builder.js";
import { multipartBody, startTestChacra, type TestChacra } from "./chacra-harness.js";

const SHA1 = "1234567890abcdef1234567890abcdef12345678";
const REPO = `/repos/ceph/main/${SHA1}/centos/9/`;

let chacra: TestChacra;
const built: BuildRepositoryOptions[] = [];
beforeEach(async () => {
  built.length = 0;
  chacra = await startTestChacra({
    builder: async (options): Promise<RepoBuildResult> => {
      built.push(options);
      mkdirSync(options.directory, { recursive: true });
      writeFileSync(join(options.directory, "marker"), "built");
      return { problems: [], packages: options.inputs.length, archs: [], durationMs: 0 } as unknown as RepoBuildResult;
    },
  });
  for (const [arch, name, flavor] of [
    ["x86_64", "ceph-18.x86_64.rpm", undefined],
    ["noarch", "cephadm-18.noarch.rpm", undefined],
    ["x86_64", "ceph-debug-18.x86_64.rpm", "debug"],
  ] as const) {
    const { body, contentType } = multipartBody(name, new TextEncoder().encode(name));
    const url = `/binaries/ceph/main/${SHA1}/centos/9/${arch}/${flavor ? `flavors/${flavor}/` : ""}`;
    expect((await chacra.fetch(url, { method: "POST", body, headers: { "content-type": contentType }, auth: true })).status).toBe(201);
  }
});
afterEach(async () => {
  await chacra.close();
});

const getJson = async (path: string) => {
  const response = await chacra.fetch(path);
  expect(response.status, path).toBe(200);
  return response.json() as Promise<Record<string, unknown>>;
};
const postJson = (path: string, body: unknown, auth = true) =>
  chacra.fetch(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" }, auth });

describe("/repos/ discovery and repo JSON", () => {
  it("lists unbuilt repos at every level, with flavors beside the default", async () => {
    expect(await getJson("/repos/")).toEqual({ ceph: ["main"] });
    expect(await getJson("/repos/ceph/")).toEqual({ main: [SHA1] });
    expect(await getJson("/repos/ceph/main/")).toEqual({ [SHA1]: ["centos"] });
    expect(await getJson(`/repos/ceph/main/${SHA1}/`)).toEqual({ centos: ["9"] });
    expect(await getJson(`/repos/ceph/main/${SHA1}/centos/`)).toEqual(["9"]);
    expect(await getJson(`${REPO}flavors/`)).toEqual(["debug", "default"]);
    const repo = await getJson(REPO);
    expect(repo).toMatchObject({
      path: null,
      project_name: "ceph",
      ref: "main",
      sha1: SHA1,
      distro: "centos",
      distro_version: "9",
      signed: false,
      needs_update: true,
      is_updating: false,
      is_queued: true,
      type: "rpm",
      size: 0,
      flavor: "default",
      extra: {},
      status: "queued",
    });
    expect((repo["archs"] as string[]).sort()).toEqual(["noarch", "x86_64"]);
    expect(await getJson(`${REPO}flavors/debug/`)).toMatchObject({ flavor: "debug", archs: ["x86_64"] });
    for (const missing of ["/repos/nope/", "/repos/ceph/nope/", `/repos/ceph/main/${SHA1}/debian/`, `/repos/ceph/main/${SHA1}/centos/8/`, `${REPO}flavors/nope/`]) {
      expect((await chacra.fetch(missing)).status, missing).toBe(404);
    }
  });

  it("builds on the loop and reports the built path", async () => {
    await chacra.service.processDueRepos();
    const repo = await getJson(REPO);
    expect(repo).toMatchObject({ status: "ready", needs_update: false, is_queued: false, is_updating: false });
    expect(repo["path"]).toBe(join(chacra.dataDir, "repos", "ceph", "main", SHA1, "centos", "9", "flavors", "default") + "/");
    expect(built.map((options) => options.inputs.map((input) => input.name).sort())).toContainEqual(["ceph-18.x86_64.rpm", "cephadm-18.noarch.rpm"]);
    const marker = await chacra.fetch(`/r/ceph/main/${SHA1}/centos/9/flavors/default/marker`);
    expect(await marker.text()).toBe("built");
  });
});

describe("repo writes", () => {
  it("sets fields with POST, rejecting unknown keys, wrong types, empty and malformed bodies", async () => {
    const raw = await postJson(REPO, { type: "raw" });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toMatchObject({ type: "raw" });
    for (const [body, expected] of [
      [{ colour: "blue" }, "colour"],
      [{ type: 3 }, "type"],
      [{ needs_update: "yes" }, "needs_update"],
      [{}, "at least one"],
      ["{not json", "malformed JSON"],
      ["[1,2]", "JSON object"],
    ] as const) {
      const response = await postJson(REPO, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const answer = (await response.json()) as { message: string };
      expect(answer.message).toContain(expected);
    }
    expect((await postJson(REPO, { type: "rpm" }, false)).status).toBe(401);
  });

  it("update: HEAD answers 200, POST asks for a build now; recreate wipes the tree first", async () => {
    expect((await chacra.fetch(`${REPO}update/`, { method: "HEAD" })).status).toBe(200);
    expect((await chacra.fetch(`${REPO}update/`, { method: "GET" })).status).toBe(405);
    expect((await chacra.fetch(`${REPO}update/`, { method: "POST" })).status).toBe(401);
    const update = await chacra.fetch(`${REPO}update/`, { method: "POST", auth: true });
    expect(update.status).toBe(200);
    expect(await update.json()).toMatchObject({ needs_update: true, status: "requested" });
    await chacra.service.processDueRepos();
    expect(await getJson(REPO)).toMatchObject({ status: "ready" });
    const stray = join(chacra.dataDir, "repos", "ceph", "main", SHA1, "centos", "9", "flavors", "default", "stray-file");
    writeFileSync(stray, "left from an old build");
    const recreate = await chacra.fetch(`${REPO}recreate`, { method: "POST", auth: true });
    expect(recreate.status).toBe(200);
    expect((await chacra.fetch(`/r/ceph/main/${SHA1}/centos/9/flavors/default/stray-file`)).status).toBe(404);
    await chacra.service.processDueRepos();
    expect((await chacra.fetch(`/r/ceph/main/${SHA1}/centos/9/flavors/default/marker`)).status).toBe(200);
  });

  it("extra replaces the metadata ceph-build posts", async () => {
    const extra = { version: "18.2.0", package_manager_version: "18.2.0-1.el9", build_url: "https://jenkins/job/1/", root_build_cause: "SCMTRIGGER", node_name: "builder-1", job_name: "ceph-dev" };
    const response = await postJson(`${REPO}flavors/default/extra/`, extra);
    expect(response.status).toBe(200);
    expect(await getJson(REPO)).toMatchObject({ extra });
    await postJson(`${REPO}extra`, { version: "19" });
    expect((await getJson(REPO))["extra"]).toEqual({ version: "19" });
  });

  it("DELETE removes the repo, its binaries and its tree", async () => {
    await chacra.service.processDueRepos();
    expect((await chacra.fetch(`${REPO}flavors/debug/`, { method: "DELETE" })).status).toBe(401);
    expect((await chacra.fetch(`${REPO}flavors/debug/`, { method: "DELETE", auth: true })).status).toBe(204);
    expect((await chacra.fetch(`${REPO}flavors/debug/`)).status).toBe(404);
    expect((await chacra.fetch(`/r/ceph/main/${SHA1}/centos/9/flavors/debug/marker`)).status).toBe(404);
    expect(await getJson(`/binaries/ceph/main/${SHA1}/centos/9/x86_64/flavors/`)).toEqual({ default: ["ceph-18.x86_64.rpm"] });
    expect(await getJson(REPO)).toMatchObject({ flavor: "default" });
  });
});

describe("/r/ static files", () => {
  it("serves ranges, HEAD, listings, and hides the indexer's cache", async () => {
    await chacra.service.processDueRepos();
    const base = `/r/ceph/main/${SHA1}/centos/9/flavors/default/`;
    const dir = join(chacra.dataDir, "repos", "ceph", "main", SHA1, "centos", "9", "flavors", "default");
    mkdirSync(join(dir, ".quipu"), { recursive: true });
    writeFileSync(join(dir, ".quipu", "cache"), "secret cache");
    writeFileSync(join(dir, "data.bin"), "0123456789");
    const range = await chacra.fetch(`${base}data.bin`, { headers: { range: "bytes=2-5" } });
    expect(range.status).toBe(206);
    expect(range.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(await range.text()).toBe("2345");
    expect(await (await chacra.fetch(`${base}data.bin`, { headers: { range: "bytes=-3" } })).text()).toBe("789");
    expect((await chacra.fetch(`${base}data.bin`, { headers: { range: "bytes=20-" } })).status).toBe(416);
    const head = await chacra.fetch(`${base}data.bin`, { method: "HEAD" });
    expect(head.headers.get("content-length")).toBe("10");
    const listing = await (await chacra.fetch(base)).text();
    expect(listing).toContain('href="data.bin"');
    expect(listing).toContain('href="marker"');
    expect(listing).not.toContain(".quipu");
    expect((await chacra.fetch(`${base}.quipu/cache`)).status).toBe(404);
    const redirect = await chacra.fetch(base.slice(0, -1), { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect((await chacra.fetch(`${base}data.bin`, { method: "DELETE" })).status).toBe(404);
  });
});
