import { describe, expect, it } from "vitest";
import { RepoStatusSchema, classifyRepoStatusChange, isStatusAdvance, type RepoStatus } from "./repo-status.js";

const cycle: RepoStatus[] = ["requested", "queued", "building", "ready"];

describe("RepoStatusSchema", () => {
  it("accepts the vocabulary and rejects anything else", () => {
    for (const status of [...cycle, "failed", "deleted"]) expect(RepoStatusSchema.parse(status)).toBe(status);
    for (const bad of ["READY", "complete", "", null]) expect(RepoStatusSchema.safeParse(bad).success).toBe(false);
  });
});

describe("status ordering with generations", () => {
  it("moves forward within a build cycle", () => {
    for (let from = 0; from < cycle.length; from++) {
      for (let to = 0; to < cycle.length; to++) {
        const change = classifyRepoStatusChange({ status: cycle[from]!, generation: 5 }, { status: cycle[to]!, generation: 5 });
        expect(change, `${cycle[from]} → ${cycle[to]}`).toBe(to > from ? "advance" : to === from ? "same" : "stale");
      }
    }
  });

  it("ignores a late `building` after `ready` of the same cycle", () => {
    expect(isStatusAdvance({ status: "ready", generation: 5 }, { status: "building", generation: 5 })).toBe(false);
  });

  it("accepts ready → queued when a new cycle starts (rebuild after a new upload)", () => {
    expect(isStatusAdvance({ status: "ready", generation: 5 }, { status: "queued", generation: 6 })).toBe(true);
    // …even when the new cycle's earlier callbacks were lost or are still in flight.
    expect(isStatusAdvance({ status: "ready", generation: 5 }, { status: "building", generation: 6 })).toBe(true);
  });

  it("ignores anything from an older cycle, including a late `ready`", () => {
    expect(classifyRepoStatusChange({ status: "queued", generation: 6 }, { status: "ready", generation: 5 })).toBe("stale");
    expect(classifyRepoStatusChange({ status: "requested", generation: 7 }, { status: "deleted", generation: 6 })).toBe("stale");
  });

  it("lets the first outcome of a cycle stand (ready vs failed)", () => {
    expect(classifyRepoStatusChange({ status: "failed", generation: 1 }, { status: "ready", generation: 1 })).toBe("stale");
    expect(classifyRepoStatusChange({ status: "ready", generation: 1 }, { status: "failed", generation: 1 })).toBe("stale");
    expect(isStatusAdvance({ status: "building", generation: 1 }, { status: "failed", generation: 1 })).toBe(true);
  });

  it("treats deletion as the end of a cycle", () => {
    expect(isStatusAdvance({ status: "ready", generation: 1 }, { status: "deleted", generation: 1 })).toBe(true);
    expect(isStatusAdvance({ status: "deleted", generation: 1 }, { status: "requested", generation: 2 })).toBe(true);
    expect(isStatusAdvance({ status: "deleted", generation: 1 }, { status: "ready", generation: 1 })).toBe(false);
  });
});

describe("status ordering without generations (original chacra, Pulp notifier)", () => {
  it("accepts anything for a new record", () => {
    expect(isStatusAdvance(null, "ready")).toBe(true);
    expect(isStatusAdvance(undefined, { status: "building" })).toBe(true);
  });

  it("moves forward and reports re-deliveries as `same`", () => {
    expect(isStatusAdvance("requested", "queued")).toBe(true);
    expect(isStatusAdvance("queued", "ready")).toBe(true);
    expect(classifyRepoStatusChange("ready", "ready")).toBe("same");
  });

  it("starts a new cycle only with `requested` or `queued` after a finished one", () => {
    expect(isStatusAdvance("ready", "queued")).toBe(true);
    expect(isStatusAdvance("ready", "requested")).toBe(true);
    expect(isStatusAdvance("failed", "requested")).toBe(true);
    expect(isStatusAdvance("ready", "building")).toBe(false);
    expect(isStatusAdvance("building", "queued")).toBe(false);
    expect(isStatusAdvance("building", "requested")).toBe(false);
  });

  it("falls back to these rules when only one side has a generation", () => {
    expect(isStatusAdvance({ status: "ready", generation: 9 }, { status: "building" })).toBe(false);
    expect(isStatusAdvance({ status: "ready" }, { status: "queued", generation: 1 })).toBe(true);
  });
});
