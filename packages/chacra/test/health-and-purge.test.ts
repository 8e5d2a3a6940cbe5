/**
 * `/health/` through the HTTP app (maintenance switch, disk threshold, database) and purge through
 * the service: old repos lose their files, rows and tree, and shaman is told `deleted`.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock } from "@quipu/core";
import { checkChacraHealth } from "../src/health-checks.js";
import { planPurge } from "../src/purge-plan.js";
import type { RepoBuildResult } from "../src/repo-builder.js";
import { multipartBody, startTestChacra, type TestChacra } from "./chacra-harness.js";

let chacra: TestChacra | undefined;
afterEach(async () => {
  await chacra?.close();
  chacra = undefined;
});

describe("/health/", () => {
  it("answers 204 when healthy and 500 naming the failing check for maintenance or a full disk", async () => {
    let threshold = 100;
    let maintenanceFile = "";
    chacra = await startTestChacra({
      app: {
        health: () =>
          checkChacraHealth({
            database: () => chacra!.store.ping(),
            directories: [chacra!.dataDir],
            diskUsageThresholdPercent: threshold,
            maintenanceFile,
          }),
      },
    });
    maintenanceFile = join(chacra.dataDir, "maintenance");
    expect((await chacra.fetch("/health/")).status).toBe(204);

    writeFileSync(maintenanceFile, "");
    const maintenance = await chacra.fetch("/health/");
    expect(maintenance.status).toBe(500);
    const body = (await maintenance.json()) as { checks: { name: string; ok: boolean }[] };
    expect(body.checks.filter((check) => !check.ok).map((check) => check.name)).toHaveLength(1);

    maintenanceFile = join(chacra.dataDir, "no-such-switch");
    threshold = 0;
    expect((await chacra.fetch("/health/")).status).toBe(500);
    threshold = 100;
    expect((await chacra.fetch("/health/")).status).toBe(204);
  });
});

describe("purge", () => {
  it("deletes expired repos with their files and tree, keeps recent ones, and reports deleted", async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    chacra = await startTestChacra({
      clock,
      callbacks: true,
      builder: async (options) => ({ problems: [], packages: options.inputs.length, archs: [], durationMs: 0 }) as unknown as RepoBuildResult,
    });
    const put = async (ref: string, sha: string) => {
      const { body, contentType } = multipartBody(`${ref}.rpm`, new TextEncoder().encode(ref));
      const response = await chacra!.fetch(`/binaries/ceph/${ref}/${sha.repeat(40)}/centos/9/x86_64/`, {
        method: "POST",
        body,
        headers: { "content-type": contentType },
        auth: true,
      });
      expect(response.status).toBe(201);
    };
    await put("old", "a");
    await chacra.service.processDueRepos();
    await clock.advance(20 * 86_400_000);
    await put("new", "b");
    await chacra.service.processDueRepos();
    const store = chacra.store;
    const ids = planPurge({
      repos: store.listRepos({}).map((repo) => ({ id: repo.id, project: repo.project, ref: repo.ref, flavor: repo.flavor, modified: repo.modified })),
      rotation: {},
      defaultDays: 14,
      now: clock.now(),
    });
    expect(ids).toHaveLength(1);
    // Drain earlier callbacks, so only purge's remain.
    for (const callback of store.dueCallbacks(Number.MAX_SAFE_INTEGER, 100)) store.callbackDelivered(callback.id);
    for (const callback of store.dueCallbacks(Number.MAX_SAFE_INTEGER, 100)) store.callbackDelivered(callback.id);
    for (const callback of store.dueCallbacks(Number.MAX_SAFE_INTEGER, 100)) store.callbackDelivered(callback.id);
    expect(chacra.service.purgeRepos(ids)).toBe(1);
    expect(store.listRepos({}).map((repo) => repo.ref)).toEqual(["new"]);
    expect(existsSync(join(chacra.dataDir, "binaries", "ceph", "old"))).toBe(true);
    expect(existsSync(join(chacra.dataDir, "binaries", "ceph", "old", "a".repeat(40), "centos", "9", "x86_64", "flavors", "default", "old.rpm"))).toBe(false);
    expect((await chacra.fetch("/binaries/ceph/old/")).status).toBe(404);
    const deleted = store.dueCallbacks(Number.MAX_SAFE_INTEGER, 10);
    expect(deleted.map((callback) => [callback.payload["ref"], callback.payload["status"]])).toEqual([["old", "deleted"]]);
  });
});
