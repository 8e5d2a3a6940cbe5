import { isQuipuError } from "@quipu/core";
import { describe, expect, it } from "vitest";
import { explainPurge, planPurge, PurgeRotationSchema, type PurgeCandidate } from "./purge-plan.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1);

/** A repo `age` days old (fractions allowed). */
const repo = (id: number, project: string, ref: string, flavor: string, age: number): PurgeCandidate => ({
  id,
  project,
  ref,
  flavor,
  modified: NOW - age * DAY,
});

interface Case {
  readonly name: string;
  readonly repos: readonly PurgeCandidate[];
  readonly rotation?: unknown;
  readonly defaultDays?: number;
  readonly defaultKeepMinimum?: number;
  /** Ids expected to be deleted, in any order. */
  readonly deleted: readonly number[];
}

const cases: readonly Case[] = [
  // ---------------------------------------------------------------- defaults
  {
    name: "no rotation: repos older than the default days go, younger stay",
    repos: [repo(1, "ceph", "main", "default", 15), repo(2, "ceph", "main", "default", 13), repo(3, "kernel", "testing", "default", 30)],
    deleted: [1, 3],
  },
  {
    name: "exactly `days` old is kept (strictly older is deleted, as the original)",
    repos: [repo(1, "ceph", "main", "default", 14), repo(2, "ceph", "main", "default", 14.0001)],
    deleted: [2],
  },
  {
    name: "defaultDays is honoured",
    repos: [repo(1, "ceph", "main", "default", 4), repo(2, "ceph", "main", "default", 2)],
    defaultDays: 3,
    deleted: [1],
  },
  {
    name: "defaultKeepMinimum keeps the newest per project among unnamed repos",
    repos: [repo(1, "ceph", "main", "default", 20), repo(2, "ceph", "reef", "default", 30), repo(3, "ceph", "main", "default", 40), repo(4, "rbd", "x", "default", 50)],
    defaultKeepMinimum: 1,
    deleted: [2, 3],
  },
  {
    name: "days 0 deletes everything not kept",
    repos: [repo(1, "ceph", "main", "default", 0.001), repo(2, "ceph", "main", "default", 0.002)],
    rotation: { ceph: { ref: { main: { days: 0, keep_minimum: 1 } } } },
    deleted: [2],
  },
  // ---------------------------------------------------------------- ref rules
  {
    name: "a ref rule sets the lifetime of that ref only",
    repos: [repo(1, "ceph", "main", "default", 6), repo(2, "ceph", "main", "default", 4), repo(3, "ceph", "reef", "default", 6)],
    rotation: { ceph: { ref: { main: { days: 5 } } } },
    deleted: [1],
  },
  {
    name: "a ref rule can keep repos longer than the default",
    repos: [repo(1, "ceph", "squid", "default", 20), repo(2, "ceph", "squid", "default", 31)],
    rotation: { ceph: { ref: { squid: { days: 30 } } } },
    deleted: [2],
  },
  {
    name: "keep_minimum keeps the K newest of the ref regardless of age",
    repos: [repo(1, "ceph", "main", "default", 20), repo(2, "ceph", "main", "default", 30), repo(3, "ceph", "main", "default", 40), repo(4, "ceph", "main", "default", 50)],
    rotation: { ceph: { ref: { main: { days: 14, keep_minimum: 2 } } } },
    deleted: [3, 4],
  },
  {
    name: "keep_minimum counts fresh repos too (not K more among the expired, as the original did)",
    repos: [repo(1, "ceph", "main", "default", 1), repo(2, "ceph", "main", "default", 2), repo(3, "ceph", "main", "default", 20), repo(4, "ceph", "main", "default", 30)],
    rotation: { ceph: { ref: { main: { days: 14, keep_minimum: 2 } } } },
    deleted: [3, 4],
  },
  {
    name: "keep_minimum larger than the group keeps everything",
    repos: [repo(1, "ceph", "main", "default", 100), repo(2, "ceph", "main", "default", 200)],
    rotation: { ceph: { ref: { main: { keep_minimum: 5 } } } },
    deleted: [],
  },
  {
    name: "a ref rule with only keep_minimum uses the default days (the original crashed on mixed None/int)",
    repos: [repo(1, "ceph", "main", "default", 13), repo(2, "ceph", "main", "default", 15), repo(3, "ceph", "main", "default", 16)],
    rotation: { ceph: { ref: { main: { keep_minimum: 1 } } } },
    deleted: [2, 3],
  },
  {
    name: "null days / keep_minimum mean unset",
    repos: [repo(1, "ceph", "main", "default", 15), repo(2, "ceph", "main", "default", 13)],
    rotation: { ceph: { ref: { main: { days: null, keep_minimum: null } } } },
    deleted: [1],
  },
  {
    name: "a ref rule of one project does not touch the same ref elsewhere",
    repos: [repo(1, "ceph", "main", "default", 6), repo(2, "rbd", "main", "default", 6)],
    rotation: { ceph: { ref: { main: { days: 5 } } } },
    deleted: [1],
  },
  {
    name: "keep_minimum is per ref: each ref keeps its own newest",
    repos: [repo(1, "ceph", "main", "default", 20), repo(2, "ceph", "main", "default", 30), repo(3, "ceph", "reef", "default", 40), repo(4, "ceph", "reef", "default", 50)],
    rotation: { ceph: { ref: { main: { keep_minimum: 1 }, reef: { keep_minimum: 1 } } } },
    deleted: [2, 4],
  },
  {
    name: "a ref keep_minimum counts across flavors and distros of the ref",
    repos: [repo(1, "ceph", "main", "crimson", 20), repo(2, "ceph", "main", "default", 30), repo(3, "ceph", "main", "default", 40)],
    rotation: { ceph: { ref: { main: { keep_minimum: 2 } } } },
    deleted: [3],
  },
  // ---------------------------------------------------------------- flavor rules
  {
    name: "a flavor rule governs that flavor, everything else the default",
    repos: [repo(1, "nfs-ganesha", "next", "ceph_main", 4), repo(2, "nfs-ganesha", "next", "ceph_main", 2), repo(3, "nfs-ganesha", "next", "default", 4)],
    rotation: { "nfs-ganesha": { flavor: { ceph_main: { days: 3 } } } },
    deleted: [1],
  },
  {
    name: "flavor keep_minimum keeps the newest of the flavor across refs",
    repos: [repo(1, "nfs-ganesha", "a", "ceph_main", 20), repo(2, "nfs-ganesha", "b", "ceph_main", 30), repo(3, "nfs-ganesha", "c", "ceph_main", 40)],
    rotation: { "nfs-ganesha": { flavor: { ceph_main: { keep_minimum: 2 } } } },
    deleted: [3],
  },
  // ---------------------------------------------------------------- ref and flavor
  {
    name: "ref and flavor both match: the larger days and the larger keep_minimum win",
    repos: [repo(1, "ceph", "main", "crimson", 8), repo(2, "ceph", "main", "crimson", 11), repo(3, "ceph", "main", "crimson", 12), repo(4, "ceph", "main", "crimson", 13)],
    rotation: { ceph: { ref: { main: { days: 5, keep_minimum: 1 } }, flavor: { crimson: { days: 10, keep_minimum: 2 } } } },
    deleted: [3, 4],
  },
  {
    name: "ref and flavor both match, only one sets days: that days is used",
    repos: [repo(1, "ceph", "main", "crimson", 4), repo(2, "ceph", "main", "crimson", 6)],
    rotation: { ceph: { ref: { main: { keep_minimum: 0 } }, flavor: { crimson: { days: 5 } } } },
    deleted: [2],
  },
  {
    name: "ref and flavor configured, neither sets days: the default days",
    repos: [repo(1, "ceph", "main", "crimson", 13), repo(2, "ceph", "main", "crimson", 15)],
    rotation: { ceph: { ref: { main: {} }, flavor: { crimson: {} } } },
    deleted: [2],
  },
  {
    name: "both configured: a repo matching only its ref follows the ref rule (the original never purged it)",
    repos: [repo(1, "ceph", "main", "default", 6), repo(2, "ceph", "main", "crimson", 6), repo(3, "ceph", "reef", "crimson", 6), repo(4, "ceph", "reef", "default", 15)],
    rotation: { ceph: { ref: { main: { days: 5 } }, flavor: { crimson: { days: 10 } } } },
    // 1: ref main (5 days) → deleted; 2: main + crimson → max 10 → kept; 3: crimson (10) → kept; 4: default 14 → deleted.
    deleted: [1, 4],
  },
  {
    name: "keep_minimum groups by governing rule: ref-only and ref+flavor repos are counted apart",
    repos: [repo(1, "ceph", "main", "default", 20), repo(2, "ceph", "main", "default", 30), repo(3, "ceph", "main", "crimson", 40), repo(4, "ceph", "main", "crimson", 50)],
    rotation: { ceph: { ref: { main: { keep_minimum: 1 } }, flavor: { crimson: { keep_minimum: 1 } } } },
    deleted: [2, 4],
  },
  // ---------------------------------------------------------------- projects with rotation entries
  {
    name: "repos of a configured project whose ref/flavor are not named get the defaults",
    repos: [repo(1, "ceph", "wip-foo", "default", 15), repo(2, "ceph", "wip-foo", "default", 13), repo(3, "ceph", "main", "default", 15)],
    rotation: { ceph: { ref: { main: { days: 30 } } } },
    deleted: [1],
  },
  {
    name: "project-level days and keep_minimum set that project's default",
    repos: [repo(1, "ceph", "wip-a", "default", 8), repo(2, "ceph", "wip-b", "default", 9), repo(3, "ceph", "wip-c", "default", 10), repo(4, "rbd", "x", "default", 10)],
    rotation: { ceph: { days: 7, keep_minimum: 1 } },
    deleted: [2, 3],
  },
  {
    name: "a named rule without days falls back to the project's days before the global default",
    repos: [repo(1, "ceph", "main", "default", 8), repo(2, "ceph", "main", "default", 6)],
    rotation: { ceph: { days: 7, ref: { main: { keep_minimum: 0 } } } },
    deleted: [1],
  },
  // ---------------------------------------------------------------- the `all` entry
  {
    name: "`all` days / keep_minimum replace the global defaults for every project",
    repos: [repo(1, "ceph", "main", "default", 31), repo(2, "rbd", "main", "default", 29), repo(3, "rbd", "x", "default", 40), repo(4, "rbd", "y", "default", 45)],
    rotation: { all: { days: 30, keep_minimum: 1 } },
    // ceph keeps its only repo (keep 1); rbd keeps its newest (2) and deletes 3 and 4.
    deleted: [3, 4],
  },
  {
    name: "`all` ref rules apply to every project",
    repos: [repo(1, "ceph", "main", "default", 20), repo(2, "ceph", "main", "default", 30), repo(3, "rbd", "main", "default", 20), repo(4, "rbd", "main", "default", 30)],
    rotation: { all: { ref: { main: { keep_minimum: 1 } } } },
    deleted: [2, 4],
  },
  {
    name: "a project's own rule overrides `all` for the ref it names; `all` fills the others",
    repos: [repo(1, "ceph", "main", "default", 20), repo(2, "ceph", "main", "default", 30), repo(3, "ceph", "reef", "default", 20), repo(4, "ceph", "reef", "default", 30)],
    rotation: { all: { ref: { main: { keep_minimum: 1 }, reef: { keep_minimum: 2 } } }, ceph: { ref: { main: { keep_minimum: 2 } } } },
    deleted: [],
  },
  {
    name: "a project's own days beat `all` days",
    repos: [repo(1, "ceph", "main", "default", 8), repo(2, "rbd", "main", "default", 8)],
    rotation: { all: { days: 30 }, ceph: { days: 7 } },
    deleted: [1],
  },
  // ---------------------------------------------------------------- odd names
  {
    name: "refs named like Object properties are not rules",
    repos: [repo(1, "ceph", "constructor", "default", 15), repo(2, "ceph", "__proto__", "toString", 15)],
    rotation: { ceph: { ref: { main: { days: 30 } } } },
    deleted: [1, 2],
  },
  {
    name: "no repos, no deletions",
    repos: [],
    rotation: { ceph: { ref: { main: { days: 1 } } } },
    deleted: [],
  },
];

describe("planPurge", () => {
  it.each(cases)("$name", ({ repos, rotation, defaultDays, defaultKeepMinimum, deleted }) => {
    const ids = planPurge({ repos, rotation, defaultDays: defaultDays ?? 14, defaultKeepMinimum, now: NOW });
    expect([...ids].sort((a, b) => a - b)).toEqual([...deleted].sort((a, b) => a - b));
  });

  it("lists deletions oldest first and says which rule condemned each", () => {
    const repos = [repo(1, "ceph", "main", "crimson", 20), repo(2, "ceph", "reef", "default", 40), repo(3, "ceph", "main", "default", 30)];
    const rotation = { ceph: { ref: { main: { days: 10 } }, flavor: { crimson: { days: 15, keep_minimum: 0 } } } };
    expect(explainPurge({ repos, rotation, defaultDays: 14, now: NOW })).toEqual([
      { id: 2, rule: "default", days: 14, keepMinimum: 0 },
      { id: 3, rule: "ref main", days: 10, keepMinimum: 0 },
      { id: 1, rule: "ref main + flavor crimson", days: 15, keepMinimum: 0 },
    ]);
    expect(planPurge({ repos, rotation, defaultDays: 14, now: NOW })).toEqual([2, 3, 1]);
  });

  it("breaks ties on modified by id, so the kept repo is always the same", () => {
    const repos = [repo(1, "ceph", "main", "default", 20), repo(2, "ceph", "main", "default", 20), repo(3, "ceph", "main", "default", 20)];
    const rotation = { ceph: { ref: { main: { keep_minimum: 1 } } } };
    expect(planPurge({ repos, rotation, defaultDays: 14, now: NOW })).toEqual([1, 2]);
    expect(planPurge({ repos: [...repos].reverse(), rotation, defaultDays: 14, now: NOW })).toEqual([1, 2]);
  });

  it.each([
    ["a typo in a key", { ceph: { refs: { main: { days: 1 } } } }, "ceph"],
    ["negative days", { ceph: { ref: { main: { days: -1 } } } }, "ceph.ref.main.days"],
    ["fractional keep_minimum", { ceph: { flavor: { x: { keep_minimum: 1.5 } } } }, "ceph.flavor.x.keep_minimum"],
    ["days as a string", { all: { days: "14" } }, "all.days"],
    ["an unknown rule field", { ceph: { ref: { main: { keep: 3 } } } }, "ceph.ref.main"],
    ["not an object", ["ceph"], "(root)"],
  ])("refuses a rotation with %s, naming where", (_what, rotation, path) => {
    let error: unknown;
    try {
      planPurge({ repos: [repo(1, "ceph", "main", "default", 100)], rotation, defaultDays: 14, now: NOW });
    } catch (caught) {
      error = caught;
    }
    expect(isQuipuError(error, "QUIPU_CONFIG_INVALID")).toBe(true);
    expect((error as { details: { issues: string[] } }).details.issues.join("\n")).toContain(`${path}`);
  });

  it("refuses a negative default", () => {
    expect(() => planPurge({ repos: [], defaultDays: -1, now: NOW })).toThrow(/purge settings/);
  });

  it("accepts the production rotation of the original (shape check)", () => {
    const prod = {
      ceph: { ref: { reef: { days: 14, keep_minimum: 10 }, hammer: { days: 30, keep_minimum: 5 }, main: { keep_minimum: 5 } } },
      kernel: { ref: { testing: { keep_minimum: 10 } } },
      "nfs-ganesha": { flavor: { ceph_main: { keep_minimum: 2 }, ceph_reef: { keep_minimum: 2 } } },
    };
    expect(PurgeRotationSchema.safeParse(prod).success).toBe(true);
  });
});
