/**
 * The app's remaining routes and the typed client against the real app: `/_health/` and its
 * maintenance file, `GET /api/`, HEAD, the web UI mounted by default over the service, and the
 * client's credentials (from the URL, never in errors), redirect lookups and failure codes.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createShamanClient } from "../src/client.js";
import { chacraReport, sha, startTestShaman, TEST_USER, type TestShaman, type TestShamanOptions } from "./shaman-harness.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function shamanWith(options: TestShamanOptions = {}): Promise<TestShaman> {
  const shaman = await startTestShaman(options);
  cleanup.push(() => shaman.close());
  return shaman;
}

/** A plain HTTP server answering `/health/` with 204, standing in for a chacra node. */
async function healthyNode(): Promise<string> {
  const server = createServer((request, response) => response.writeHead(request.url === "/health/" ? 204 : 404).end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("health and index", () => {
  it("/_health/ is 204, and 500 with the failing check while the maintenance file exists", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quipu-shaman-maintenance-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const maintenanceFile = join(dir, "maintenance");
    const withFile = await shamanWith({ maintenanceFile });
    expect((await withFile.fetch("/_health/")).status).toBe(204);
    expect((await withFile.fetch("/_health")).status).toBe(204);
    writeFileSync(maintenanceFile, "");
    const sick = await withFile.fetch("/_health/");
    expect(sick.status).toBe(500);
    expect(await sick.json()).toMatchObject({ checks: [{ name: "database", ok: true }, { name: "maintenance", ok: false }] });
    expect(await withFile.client.health()).toBe(false);
    rmSync(maintenanceFile);
    expect(await withFile.client.health()).toBe(true);
  });

  it("GET /api/ lists projects from repos and builds; HEAD answers without a body", async () => {
    const shaman = await shamanWith();
    expect(await shaman.client.projects()).toEqual([]);
    await shaman.client.reportRepoStatus("ceph", chacraReport());
    await shaman.client.reportBuildStatus("rbd", { url: "https://jenkins.example/job/1/", ref: "main", sha1: sha("b"), status: "queued" });
    expect(await (await shaman.fetch("/api")).json()).toEqual({ repos: ["ceph", "rbd"] });
    const head = await shaman.fetch("/api/repos/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});

describe("the web UI, mounted by default", () => {
  it("serves the dashboard and the drill-down pages from the service's records", async () => {
    const shaman = await shamanWith({ app: { ui: undefined } });
    await shaman.client.reportRepoStatus("ceph", chacraReport({ distro: "ubuntu", distro_version: "noble" }));
    await shaman.client.reportBuildStatus("ceph", {
      url: "https://jenkins.example/job/ceph-dev-pipeline/5/",
      ref: "main",
      sha1: sha("a"),
      status: "completed",
      distro: "ubuntu",
      distro_version: "noble",
      distro_arch: "x86_64",
    });
    const home = await shaman.fetch("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await home.text()).toContain("ceph");
    const builds = await shaman.fetch(`/builds/ceph/main/${sha("a")}/`);
    expect(builds.status).toBe(200);
    expect(await builds.text()).toContain("noble");
    const [build] = shaman.service.listBuilds({ project: "ceph" });
    expect((await shaman.fetch(`/builds/ceph/main/${sha("a")}/default/${build!.id}/`)).status).toBe(200);
    expect((await shaman.fetch("/repos/ceph/")).status).toBe(200);
    // The API is unchanged next to it.
    expect((await shaman.fetch("/api/repos/ceph/")).status).toBe(200);
  });
});

describe("the client", () => {
  it("takes Basic credentials from the URL and never repeats them in errors", async () => {
    const shaman = await shamanWith();
    const host = await healthyNode();
    const withCredentials = createShamanClient({ url: shaman.url.replace("http://", `http://${TEST_USER.user}:${TEST_USER.key}@`) });
    await withCredentials.registerNode(host);
    expect(await withCredentials.next()).toBe(`http://${host}/`);
    expect((await withCredentials.nodes())[host]).toMatchObject({ healthy: true, down_count: 0 });

    const wrong = createShamanClient({ url: shaman.url, user: TEST_USER.user, key: "wrong-key-value" });
    const error = await wrong.next().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "QUIPU_SHAMAN_CLIENT_HTTP_ERROR", details: { status: 401, code: "QUIPU_AUTH_REQUIRED" } });
    expect(JSON.stringify(error)).not.toContain("wrong-key-value");
    expect(String((error as Error).message)).not.toContain("wrong-key-value");
  });

  it("follows the tree down to the redirect targets, and says when nothing is ready", async () => {
    const shaman = await shamanWith();
    await shaman.client.reportRepoStatus("ceph", chacraReport({ status: "building" }));
    const location = { project: "ceph", ref: "main", sha1: "latest", distro: "centos", distro_version: "9" };
    await expect(shaman.client.repoFileUrl(location)).rejects.toMatchObject({ code: "QUIPU_SHAMAN_NOT_READY", message: "no repository is ready for: ceph/main" });
    await shaman.client.reportRepoStatus("ceph", chacraReport({ status: "ready" }));
    expect(await shaman.client.repoRefs("ceph")).toEqual(["main"]);
    expect(await shaman.client.repoSha1s("ceph", "main")).toEqual([sha("a")]);
    expect(await shaman.client.repoDistros("ceph", "main", "latest")).toEqual(["centos"]);
    expect(await shaman.client.repoDistroVersions("ceph", "main", "latest", "centos")).toEqual(["9"]);
    expect(await shaman.client.repoFlavors(location)).toEqual(["default"]);
    expect((await shaman.client.repos({ ...location, flavor: "default" })).map((repo) => repo.status)).toEqual(["ready"]);
    expect(await shaman.client.repoFileUrl({ ...location, arch: "x86_64" })).toBe(`https://1.chacra.example/repos/ceph/main/${sha("a")}/centos/9/flavors/default/repo`);
    expect(await shaman.client.repoTreeUrl({ ...location, arch: "x86_64", path: "noarch/repodata/" })).toBe(
      `https://1.chacra.example/r/ceph/main/${sha("a")}/centos/9/flavors/default/noarch/repodata/`,
    );
    expect(await shaman.client.repoIndex()).toEqual({ ceph: { refs: ["main"], sha1s: [sha("a")] } });
    await expect(shaman.client.repoRefs("nope")).rejects.toMatchObject({ code: "QUIPU_SHAMAN_CLIENT_HTTP_ERROR", details: { status: 404 } });
  });

  it("says shaman is unreachable when nothing listens", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = createShamanClient({ url: `http://ci:unreachable-secret@127.0.0.1:${port}/` });
    const error = await client.projects().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "QUIPU_SHAMAN_CLIENT_UNREACHABLE" });
    expect(JSON.stringify(error)).not.toContain("unreachable-secret");
  });
});
