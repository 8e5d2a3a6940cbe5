import { describe, expect, it } from "vitest";
import { createMemoryUiData } from "./memory-ui-data.js";
import { sampleBuild, sampleRepo } from "./sample-ui-records.js";

const now = new Date("2025-06-11T12:00:00Z");

describe("createMemoryUiData", () => {
  const data = createMemoryUiData({
    projects: ["empty-project"],
    builds: [
      sampleBuild({ id: 1, modified: "2025-06-10T10:00:00Z" }),
      sampleBuild({ id: 2, modified: "2025-06-11T10:00:00Z", status: "failed", ref: "squid" }),
      sampleBuild({ id: 3, modified: "2025-06-10T10:00:00Z", flavor: "debug" }),
      sampleBuild({ id: 4, project: "kernel", modified: "2025-06-09T10:00:00Z" }),
    ],
    repos: [
      sampleRepo({ id: 1, modified: "2025-06-11T01:00:00Z" }),
      sampleRepo({ id: 2, modified: "2025-06-11T23:59:59Z", project: "kernel" }),
      sampleRepo({ id: 3, modified: "2025-06-10T00:00:00Z" }),
      sampleRepo({ id: 4, modified: "2025-06-10T05:00:00Z", status: "building" }),
      sampleRepo({ id: 5, modified: "2025-05-01T05:00:00Z" }),
    ],
    now: () => now,
  });

  it("lists every project once, sorted, including ones with no records", () => {
    expect(data.projects()).toEqual(["ceph", "empty-project", "kernel"]);
  });

  it("filters exactly, orders newest modified first (ties: higher id first) and honours limit", async () => {
    expect((await data.builds({})).map((build) => build.id)).toEqual([2, 3, 1, 4]);
    expect((await data.builds({ project: "ceph", ref: "main" })).map((build) => build.id)).toEqual([3, 1]);
    expect((await data.builds({ flavor: "debug" })).map((build) => build.id)).toEqual([3]);
    expect((await data.builds({ status: "completed", limit: 2 })).map((build) => build.id)).toEqual([3, 1]);
    expect((await data.repos({ status: "ready", project: "ceph" })).map((repo) => repo.id)).toEqual([1, 3, 5]);
    expect(await data.builds({ sha1: "no-such-sha1" })).toEqual([]);
  });

  it("finds single records by id", async () => {
    expect((await data.build(3))?.flavor).toBe("debug");
    expect(await data.build(99)).toBeUndefined();
    expect((await data.repo(2))?.project).toBe("kernel");
  });

  it("counts ready repos per UTC day and project, oldest day first, ending today", async () => {
    const days = await data.readyReposPerDay(3);
    expect(days).toEqual([
      { day: "2025-06-09", counts: {} },
      { day: "2025-06-10", counts: { ceph: 1 } },
      { day: "2025-06-11", counts: { ceph: 1, kernel: 1 } },
    ]);
  });
});
