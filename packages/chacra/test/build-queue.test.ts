/**
 * The durable build queue: debounce, coalescing of uploads during a build, failure state with
 * backoff, resumption after a restart, and the status outbox for shaman. The repository builder
 * is replaced by a recording one here (its real output is tested with apt and dnf elsewhere), so
 * the test controls when a build ends and whether it fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, type ManualClock } from "@quipu/core";
import type { BuildRepositoryOptions, RepoBuildResult } from "../src/repo-builder.js";
import { createChacraService, type ChacraServiceOptions } from "../src/service.js";
import type { BinaryAddress, ChacraStore } from "../src/store/chacra-store.js";
import { createSqliteChacraStore } from "../src/store/sqlite-chacra-store.js";

const SHA1 = "c".repeat(40);

interface PendingBuild {
  readonly options: BuildRepositoryOptions;
  finish(result?: Partial<RepoBuildResult>): void;
  fail(error: Error): void;
}

function controllableBuilder() {
  const pending: PendingBuild[] = [];
  const builds: BuildRepositoryOptions[] = [];
  const builder = (options: BuildRepositoryOptions) =>
    new Promise<RepoBuildResult>((resolve, reject) => {
      builds.push(options);
      pending.push({
        options,
        finish: (result = {}) => resolve({ problems: [], packages: options.inputs.length, archs: [], durationMs: 1, ...result } as RepoBuildResult),
        fail: reject,
      });
    });
  return { builder, builds, pending };
}

let dataDir: string;
let store: ChacraStore;
let clock: ManualClock;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "quipu-queue-"));
  store = createSqliteChacraStore({ filename: join(dataDir, "chacra.db") });
  clock = createManualClock(Date.UTC(2026, 10, 23, 12, 0, 0));
});
afterEach(() => {
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function makeService(extra: Partial<ChacraServiceOptions> = {}) {
  return createChacraService({
    store,
    clock,
    paths: { binaryRoot: join(dataDir, "binaries"), reposRoot: join(dataDir, "repos") },
    publicUrl: "http://chacra.test/",
    callbacks: true,
    quietTimeMs: 10_000,
    buildRetryBaseMs: 30_000,
    buildRetryMaxMs: 120_000,
    ...extra,
  });
}

const address = (name: string, over: Partial<BinaryAddress> = {}): BinaryAddress => ({
  project: "ceph",
  ref: "main",
  sha1: SHA1,
  distro: "centos",
  distro_version: "9",
  arch: "x86_64",
  flavor: "default",
  name,
  ...over,
});

async function put(service: ReturnType<typeof makeService>, name: string, over: Partial<BinaryAddress> = {}, force = false) {
  const target = address(name, over);
  const staged = await service.receiveUpload(target, Readable.from([Buffer.from(`bytes of ${name}`)]));
  return service.commitUpload(target, staged, { force });
}

const statuses = () => {
  const seen: string[] = [];
  for (;;) {
    const due = store.dueCallbacks(Number.MAX_SAFE_INTEGER, 100);
    if (due.length === 0) return seen;
    for (const callback of due) {
      seen.push(String(callback.payload["status"]));
      store.callbackDelivered(callback.id);
    }
  }
};

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("build queue", () => {
  it("waits for the quiet time, then builds once for many uploads", async () => {
    const { builder, builds, pending } = controllableBuilder();
    const service = makeService({ builder });
    await put(service, "a.rpm");
    await clock.advance(5_000);
    await put(service, "b.rpm");
    expect(await Promise.race([service.processDueRepos(), flush().then(() => "pending")])).toBe(0);
    expect(builds).toHaveLength(0);
    await clock.advance(9_000);
    expect(await Promise.race([service.processDueRepos(), flush().then(() => "pending")])).toBe(0);
    await clock.advance(1_000);
    const pass = service.processDueRepos();
    await flush();
    expect(builds).toHaveLength(1);
    expect(builds[0]!.inputs.map((input) => input.name).sort()).toEqual(["a.rpm", "b.rpm"]);
    pending[0]!.finish();
    expect(await pass).toBe(1);
    expect(statuses()).toEqual(["queued", "building", "ready"]);
    const repo = store.listRepos({})[0]!;
    expect(repo).toMatchObject({ status: "ready", needsUpdate: false, isUpdating: false, path: `ceph/main/${SHA1}/centos/9/flavors/default/` });
  });

  it("coalesces uploads made during a build into exactly one more build", async () => {
    const { builder, builds, pending } = controllableBuilder();
    const service = makeService({ builder, quietTimeMs: 0 });
    await put(service, "a.rpm");
    const first = service.processDueRepos();
    await flush();
    expect(builds).toHaveLength(1);
    await put(service, "b.rpm");
    await put(service, "c.rpm");
    await put(service, "d.rpm");
    pending[0]!.finish();
    await first;
    const second = service.processDueRepos();
    await flush();
    expect(builds).toHaveLength(2);
    expect(builds[1]!.inputs.map((input) => input.name).sort()).toEqual(["a.rpm", "b.rpm", "c.rpm", "d.rpm"]);
    pending[1]!.finish();
    await second;
    expect(await service.processDueRepos()).toBe(0);
    expect(statuses()).toEqual(["queued", "building", "ready", "queued", "building", "ready"]);
    const generations = store.listRepos({})[0]!.generation;
    expect(generations).toBeGreaterThan(0);
  });

  it("records a failed build with its reason and retries it with exponential backoff", async () => {
    const { builder, builds, pending } = controllableBuilder();
    const service = makeService({ builder, quietTimeMs: 0, buildMaxAttempts: 3 });
    await put(service, "a.rpm");
    let pass = service.processDueRepos();
    await flush();
    pending[0]!.fail(new Error("disk exploded"));
    await pass;
    expect(store.listRepos({})[0]).toMatchObject({ status: "failed", failure: "disk exploded", attempts: 1, needsUpdate: true, isUpdating: false });

    await clock.advance(29_000);
    expect(await service.processDueRepos()).toBe(0);
    await clock.advance(1_000);
    pass = service.processDueRepos();
    await flush();
    expect(builds).toHaveLength(2);
    pending[1]!.fail(new Error("still broken"));
    await pass;
    // Second failure: twice the delay.
    await clock.advance(59_000);
    expect(await service.processDueRepos()).toBe(0);
    await clock.advance(1_000);
    pass = service.processDueRepos();
    await flush();
    pending[2]!.fail(new Error("third time"));
    await pass;
    // Out of attempts: it stays failed (not stuck "building") until someone asks again.
    await clock.advance(3_600_000);
    expect(await service.processDueRepos()).toBe(0);
    expect(store.listRepos({})[0]).toMatchObject({ status: "failed", attempts: 3, needsUpdate: false });

    const repo = store.listRepos({})[0]!;
    await service.requestUpdate(repo);
    pass = service.processDueRepos();
    await flush();
    pending[3]!.finish();
    await pass;
    expect(store.listRepos({})[0]).toMatchObject({ status: "ready", attempts: 0, failure: null });
    expect(statuses()).toEqual(["queued", "building", "failed", "queued", "building", "failed", "queued", "building", "failed", "requested", "queued", "building", "ready"]);
  });

  it("marks a build with bad packages failed, naming the files, and does not retry it", async () => {
    const { builder, pending } = controllableBuilder();
    const service = makeService({ builder, quietTimeMs: 0 });
    await put(service, "good.rpm");
    await put(service, "bad.rpm");
    const pass = service.processDueRepos();
    await flush();
    pending[0]!.finish({ problems: [{ file: "x86_64/bad.rpm", code: "QUIPU_RPM_INVALID", message: "not an rpm" }], packages: 1 });
    await pass;
    const repo = store.listRepos({})[0]!;
    expect(repo).toMatchObject({ status: "failed", needsUpdate: false, failure: "x86_64/bad.rpm: not an rpm" });
    expect(repo.path).not.toBeNull();
    await clock.advance(10_000_000);
    expect(await service.processDueRepos()).toBe(0);
  });

  it("resumes a build interrupted by a restart", async () => {
    const { builder, pending } = controllableBuilder();
    const service = makeService({ builder, quietTimeMs: 0 });
    await put(service, "a.rpm");
    void service.processDueRepos();
    await flush();
    expect(pending).toHaveLength(1);
    expect(store.listRepos({})[0]).toMatchObject({ isUpdating: true, status: "building" });
    // The process dies here; a new one opens the same store.
    const second = controllableBuilder();
    const restarted = makeService({ builder: second.builder, quietTimeMs: 0 });
    restarted.recover();
    const pass = restarted.processDueRepos();
    await flush();
    expect(second.pending).toHaveLength(1);
    second.pending[0]!.finish();
    await pass;
    expect(store.listRepos({})[0]).toMatchObject({ status: "ready", isUpdating: false, needsUpdate: false });
    expect(statuses()).toEqual(["queued", "building", "building", "ready"]);
  });

  it("builds only on /update for projects that are not automatic, and never for disabled ones", async () => {
    const { builder, builds, pending } = controllableBuilder();
    const service = makeService({ builder, quietTimeMs: 0, repos: { ceph: { automatic: false }, off: { disabled: true } } });
    await put(service, "a.rpm");
    await put(service, "o.rpm", { project: "off" });
    expect(await service.processDueRepos()).toBe(0);
    expect(builds).toHaveLength(0);
    const repo = store.findRepo({ project: "ceph", ref: "main", sha1: SHA1, distro: "centos", distro_version: "9", flavor: "default" })!;
    expect(repo.needsUpdate).toBe(false);
    await service.requestUpdate(repo);
    const pass = service.processDueRepos();
    await flush();
    pending[0]!.finish();
    await pass;
    expect(builds).toHaveLength(1);
    const off = store.findRepo({ project: "off", ref: "main", sha1: SHA1, distro: "centos", distro_version: "9", flavor: "default" })!;
    await service.requestUpdate(off);
    expect(await service.processDueRepos()).toBe(0);
    expect(store.getRepo(off.id)).toMatchObject({ needsUpdate: false });
  });

  it("combines codenames of one build and flavor only, and adds generic packages to each", async () => {
    const { builder, builds, pending } = controllableBuilder();
    const service = makeService({ builder, quietTimeMs: 0, repos: { ceph: { combined: ["jammy", "noble"] } } });
    const deb = { distro: "ubuntu", distro_version: "jammy" };
    await put(service, "ceph_1_amd64.deb", deb);
    await put(service, "ceph_1n_amd64.deb", { distro: "ubuntu", distro_version: "noble" });
    await put(service, "ceph-dbg_1n_amd64.deb", { distro: "ubuntu", distro_version: "noble", flavor: "debug" });
    await put(service, "other-sha_amd64.deb", { distro: "ubuntu", distro_version: "noble", sha1: "d".repeat(40) });
    await put(service, "ceph-deploy_all.deb", { distro: "ubuntu", distro_version: "generic", arch: "all" });
    const pass = service.processDueRepos();
    for (let i = 0; i < 5; i += 1) {
      await flush();
      for (const build of pending.splice(0)) build.finish();
    }
    await pass;
    const jammy = builds.find((build) => build.distroVersion === "jammy")!;
    expect(jammy.codenames).toEqual(["jammy", "noble"]);
    expect(jammy.inputs.map((input) => `${input.distroVersion}:${input.name}`).sort()).toEqual([
      "jammy:ceph-deploy_all.deb",
      "jammy:ceph_1_amd64.deb",
      "noble:ceph-deploy_all.deb",
      "noble:ceph_1n_amd64.deb",
    ]);
  });

  it("pulls in the newest build of extra projects and rebuilds when they change", async () => {
    const { builder, builds, pending } = controllableBuilder();
    const service = makeService({ builder, quietTimeMs: 0, repos: { ceph: { main: { "ceph-release": ["main"] } } } });
    await put(service, "ceph-release-1.noarch.rpm", { project: "ceph-release", sha1: "e".repeat(40) });
    await put(service, "ceph-18.x86_64.rpm");
    let pass = service.processDueRepos();
    for (let i = 0; i < 4; i += 1) {
      await flush();
      for (const build of pending.splice(0)) build.finish();
    }
    await pass;
    const cephBuild = builds.find((build) => build.inputs.some((input) => input.name === "ceph-18.x86_64.rpm"))!;
    expect(cephBuild.inputs.map((input) => input.name).sort()).toEqual(["ceph-18.x86_64.rpm", "ceph-release-1.noarch.rpm"]);
    builds.length = 0;
    await put(service, "ceph-release-2.noarch.rpm", { project: "ceph-release", sha1: "f".repeat(40) });
    pass = service.processDueRepos();
    for (let i = 0; i < 4; i += 1) {
      await flush();
      for (const build of pending.splice(0)) build.finish();
    }
    await pass;
    const rebuilt = builds.find((build) => build.inputs.some((input) => input.name === "ceph-18.x86_64.rpm"));
    expect(rebuilt?.inputs.map((input) => input.name).sort()).toEqual(["ceph-18.x86_64.rpm", "ceph-release-2.noarch.rpm"]);
  });
});
