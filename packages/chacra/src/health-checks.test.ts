import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QuipuError, isQuipuError } from "@quipu/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkChacraHealth, diskUsage } from "./health-checks.js";

describe("checkChacraHealth", () => {
  let root: string;
  let binaries: string;
  let repos: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "quipu-health-"));
    binaries = mkdtempSync(join(root, "binaries-"));
    repos = mkdtempSync(join(root, "repos-"));
    // Something on the filesystem, so its use is above 0 %.
    writeFileSync(join(binaries, "data"), Buffer.alloc(64 * 1024, 1));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const healthyOptions = () => ({
    database: () => {},
    queue: () => ({ stalled: false, detail: "0 dirty, 0 building" }),
    directories: [binaries, repos],
    diskUsageThresholdPercent: 100,
    maintenanceFile: join(root, "fail_check"),
  });

  it("is healthy when every check passes, listing each in the original's order", async () => {
    const health = await checkChacraHealth(healthyOptions());
    expect(health.healthy).toBe(true);
    expect(health.checks.map((check) => check.name)).toEqual(["database", "queue", "maintenance", `disk ${binaries}`, `disk ${repos}`]);
    expect(health.checks.every((check) => check.ok)).toBe(true);
    expect(health.checks[3]?.detail).toMatch(/^\d+% used, limit 100%$/);
  });

  it("threshold 0 % makes any used filesystem unhealthy", async () => {
    const health = await checkChacraHealth({ ...healthyOptions(), diskUsageThresholdPercent: 0 });
    expect(health.healthy).toBe(false);
    const disk = health.checks.find((check) => check.name === `disk ${binaries}`);
    expect(disk).toMatchObject({ ok: false, detail: expect.stringMatching(/^\d+% used, limit 0%$/) });
    // The other checks still ran and passed.
    expect(health.checks.find((check) => check.name === "database")?.ok).toBe(true);
  });

  it("the maintenance file present makes the node unhealthy; removing it heals", async () => {
    const options = healthyOptions();
    writeFileSync(options.maintenanceFile, "");
    const down = await checkChacraHealth(options);
    expect(down.healthy).toBe(false);
    expect(down.checks.find((check) => check.name === "maintenance")).toEqual({
      name: "maintenance",
      ok: false,
      detail: `maintenance file ${options.maintenanceFile} is present`,
    });
    rmSync(options.maintenanceFile);
    expect((await checkChacraHealth(options)).healthy).toBe(true);
  });

  it("a broken database is reported with its error code, scrubbed of URL credentials", async () => {
    const health = await checkChacraHealth({
      ...healthyOptions(),
      database: () => {
        throw new QuipuError("QUIPU_STORE_UNAVAILABLE", "cannot reach postgres://chacra:hunter2secret@db/chacra");
      },
    });
    expect(health.healthy).toBe(false);
    const database = health.checks.find((check) => check.name === "database");
    expect(database?.ok).toBe(false);
    expect(database?.detail).toMatch(/^QUIPU_STORE_UNAVAILABLE: cannot reach/);
    expect(database?.detail).not.toContain("hunter2secret");
  });

  it("a stalled queue, or one whose state cannot be read, is unhealthy", async () => {
    const stalled = await checkChacraHealth({ ...healthyOptions(), queue: () => ({ stalled: true, detail: "3 dirty, 0 building" }) });
    expect(stalled.checks.find((check) => check.name === "queue")).toEqual({ name: "queue", ok: false, detail: "stalled: 3 dirty, 0 building" });
    const throwing = await checkChacraHealth({
      ...healthyOptions(),
      queue: () => {
        throw new Error("store closed");
      },
    });
    expect(throwing.checks.find((check) => check.name === "queue")).toEqual({ name: "queue", ok: false, detail: "store closed" });
  });

  it("leaves out the checks that are not configured", async () => {
    const health = await checkChacraHealth({ database: () => {}, directories: [] });
    expect(health).toEqual({ healthy: true, checks: [{ name: "database", ok: true, detail: "answers" }] });
  });

  it("measures a directory that does not exist yet at its nearest existing ancestor", async () => {
    const missing = join(repos, "not", "yet");
    const usage = await diskUsage(missing);
    expect(usage.path).toBe(repos);
    const health = await checkChacraHealth({ ...healthyOptions(), directories: [missing] });
    expect(health.healthy).toBe(true);
    expect(health.checks.at(-1)?.detail).toContain(`measured at ${repos}`);
  });

  it("reports df's Use% (0–100)", async () => {
    const { usedPercent } = await diskUsage(binaries);
    expect(usedPercent).toBeGreaterThan(0);
    expect(usedPercent).toBeLessThanOrEqual(100);
  });

  it("refuses a threshold outside 0–100", async () => {
    const error = await checkChacraHealth({ ...healthyOptions(), diskUsageThresholdPercent: 150 }).catch((caught: unknown) => caught);
    expect(isQuipuError(error, "QUIPU_VALIDATION_FAILED")).toBe(true);
  });
});
