import { describe, expect, it } from "vitest";
import { isShuttingDownWhy, parseQueueWhy, parseQueueWhyPart, parseQueueWhyParts } from "./queue-why.js";

// Written with escapes so the exact code points are visible: ‘ U+2018, ’ U+2019.
const open = "\u2018";
const close = "\u2019";
const curly = (name: string) => `${open}${name}${close}`;
const doesnt = `doesn${close}t`;

describe("parseQueueWhy: label demand", () => {
  it.each([
    [`There are no nodes with the label ${curly("arm64")}`, "no-nodes", "arm64"],
    [`There are no nodes with the label 'arm64'`, "no-nodes", "arm64"],
    [`There are no nodes with the label arm64`, "no-nodes", "arm64"],
    [`All nodes of label ${curly("centos9&&x86_64")} are offline`, "all-offline", "centos9&&x86_64"],
    [`All nodes of label 'centos9&&x86_64' are offline`, "all-offline", "centos9&&x86_64"],
    [`All nodes of label centos9&&x86_64 are offline`, "all-offline", "centos9&&x86_64"],
  ])("%s", (why, reason, canonical) => {
    const demand = parseQueueWhy(why);
    expect(demand).toMatchObject({ kind: "label", reason, raw: canonical, why, composite: false, hiddenReasons: 0 });
    expect(demand?.kind === "label" && demand.expression.toString()).toBe(canonical);
  });

  it("reads the canonical label as an expression", () => {
    const demand = parseQueueWhy(`There are no nodes with the label ${curly('"java:17"&&(linux||mac)')}`);
    expect(demand?.kind === "label" && demand.expression.atoms()).toEqual(["java:17", "linux", "mac"]);
    expect(demand?.kind === "label" && demand.expression.matches(["java:17", "mac"])).toBe(true);
  });

  it("takes a whole label that is not an expression as one atom, as Jenkins prints it raw", () => {
    const colon = parseQueueWhy(`There are no nodes with the label ${curly("java:17")}`);
    expect(colon?.kind === "label" && colon.expression.ast).toEqual({ kind: "atom", name: "java:17" });
    const spaced = parseQueueWhy(`There are no nodes with the label ${curly("linux docker")}`);
    expect(spaced?.kind === "label" && spaced.expression.ast).toEqual({ kind: "atom", name: "linux docker" });
  });

  it("keeps label texts with spaces whole (mita took the last word only)", () => {
    const demand = parseQueueWhy(`All nodes of label ${curly('"big disk"&&amd64')} are offline`);
    expect(demand?.kind === "label" && demand.expression.atoms()).toEqual(["big disk", "amd64"]);
  });
});

describe("parseQueueWhy: busy label or node", () => {
  it.each([
    `Waiting for next available executor on ${curly("linux&&docker")}`,
    `Waiting for next available executor on 'linux&&docker'`,
    `Waiting for next available executor on linux&&docker`,
  ])("%s", (why) => {
    const demand = parseQueueWhy(why);
    expect(demand).toMatchObject({ kind: "label-or-node", reason: "busy", raw: "linux&&docker", node: "linux&&docker" });
    expect(demand?.kind === "label-or-node" && demand.expression.toString()).toBe("linux&&docker");
  });

  it("keeps a node display name usable both ways", () => {
    const demand = parseQueueWhy(`Waiting for next available executor on ${curly("158.69.92.26+centos7_huge__540a47bf")}`);
    expect(demand).toMatchObject({ kind: "label-or-node", node: "158.69.92.26+centos7_huge__540a47bf" });
    expect(demand?.kind === "label-or-node" && demand.expression.ast).toEqual({ kind: "atom", name: "158.69.92.26+centos7_huge__540a47bf" });
  });

  it("reads a display name with spaces and parentheses as one atom", () => {
    const demand = parseQueueWhy("Waiting for next available executor on lucene.zones.apache.org (Solaris 10)");
    expect(demand?.kind === "label-or-node" && demand.expression.ast).toEqual({ kind: "atom", name: "lucene.zones.apache.org (Solaris 10)" });
  });
});

describe("parseQueueWhy: node offline", () => {
  it.each([`${curly("agent-1")} is offline`, "'agent-1' is offline", "agent-1 is offline"])("%s", (why) => {
    expect(parseQueueWhy(why)).toMatchObject({ kind: "node", reason: "node-offline", node: "agent-1", raw: "agent-1" });
  });
});

describe("parseQueueWhy: composite texts", () => {
  it("picks the label named by `doesn’t have label` (U+2019)", () => {
    const why = `${curly("a1")} ${doesnt} have label ${curly("arm64")}; ${curly("b2")} ${doesnt} have label ${curly("arm64")}; ${curly("c3")} is offline`;
    expect(parseQueueWhy(why)).toMatchObject({
      kind: "label",
      reason: "label-missing",
      raw: "arm64",
      refusingNodes: ["a1", "b2"],
      composite: true,
      hiddenReasons: 0,
    });
  });

  it("reads the ASCII apostrophe and straight quotes", () => {
    expect(parseQueueWhy("'n1' doesn't have label 'gpu'; 'n2' is offline")).toMatchObject({ kind: "label", reason: "label-missing", raw: "gpu" });
  });

  it("reads the unquoted pre-2.125 form", () => {
    expect(parseQueueWhy(`n1 ${doesnt} have label gpu&&big`)).toMatchObject({ kind: "label", reason: "label-missing", raw: "gpu&&big" });
    expect(parseQueueWhy("n1 doesn't have label gpu")).toMatchObject({ kind: "label", raw: "gpu" });
  });

  it("prefers the label even when it comes after other reasons", () => {
    const why = `${curly("a")} is offline; ${curly("Jenkins")} is reserved for jobs with matching label expression; ${curly("z")} ${doesnt} have label ${curly("s390x")}`;
    expect(parseQueueWhy(why)).toMatchObject({ kind: "label", raw: "s390x", refusingNodes: ["z"] });
  });

  it("falls back to the first offline node when no label is named", () => {
    // A real 2024 sample (checkmk tests): the job has no label.
    const why = `${curly("Jenkins")} is reserved for jobs with matching label expression; ${curly("ubu2")} is offline; ${curly("ubu")} is offline`;
    expect(parseQueueWhy(why)).toMatchObject({ kind: "node", reason: "node-offline", node: "ubu2", composite: true });
  });

  it("counts reasons hidden by truncation", () => {
    const parts = ["a", "b", "c", "d", "e"].map((node) => `${curly(node)} ${doesnt} have label ${curly("linux&&docker")}`);
    const why = `${parts.join("; ")}; ... and 7 more`;
    expect(parseQueueWhy(why)).toMatchObject({ kind: "label", raw: "linux&&docker", hiddenReasons: 7, composite: true });
    expect(parseQueueWhyParts(why).at(-1)).toEqual({ kind: "more-reasons", text: "... and 7 more", count: 7 });
  });

  it("is null when the truncation hid every capacity reason", () => {
    const parts = ["a", "b", "c", "d", "e"].map((node) => `${curly(node)} is reserved for jobs with matching label expression`);
    expect(parseQueueWhy(`${parts.join("; ")}; ... and 2 more`)).toBeNull();
  });

  it("does not split inside a curly-quoted label", () => {
    const why = `${curly("n1")} ${doesnt} have label ${curly('"a; b"&&c')}; ${curly("n2")} is offline`;
    expect(parseQueueWhyParts(why).map((part) => part.kind)).toEqual(["label-missing", "node-offline"]);
    const demand = parseQueueWhy(why);
    expect(demand?.kind === "label" && demand.expression.atoms()).toEqual(["a; b", "c"]);
  });
});

describe("parseQueueWhy: not about capacity", () => {
  it.each([
    ["absent", null],
    ["undefined", undefined],
    ["empty", ""],
    ["no target", "Waiting for next available executor"],
    ["quiet period", "In the quiet period. Expires in 4.9 sec"],
    ["finished waiting", "Finished waiting"],
    ["blocked by (curly)", `Blocked by ${curly("deploy-lock")}`],
    ["blocked by (unquoted)", "Blocked by deploy-lock"],
    ["build in progress", "Build #12 is already in progress (ETA: 23 min)"],
    ["build in progress (old ETA)", "Build #12 is already in progress (ETA:23 min)"],
    ["build in progress (no ETA)", "Build #12 is already in progress"],
    ["in progress", "A build is already in progress"],
    ["upstream", `Upstream project ${curly("lib")} is already building`],
    ["downstream (old, with period)", "Downstream project app is already building."],
    ["shutdown", "Jenkins is about to shut down"],
    ["reserved", `${curly("Jenkins")} is reserved for jobs with matching label expression`],
    ["lacks permission", `${curly("anonymous")} lacks permission to run on ${curly("agent-1")}`],
    ["not accepting", `${curly("agent-1")} is not accepting tasks`],
    ["unknown marker", "???"],
    ["unknown text", "Something a plugin says"],
    ["empty quoted label", `There are no nodes with the label ${open}${close}`],
  ])("%s", (_name, why) => {
    expect(parseQueueWhy(why)).toBeNull();
  });
});

describe("parseQueueWhy: hostile input", () => {
  it("reads an absurdly deep label as one atom instead of overflowing the stack", () => {
    const label = Array.from({ length: 20_000 }, () => "a").join("&&");
    const demand = parseQueueWhy(`There are no nodes with the label ${curly(label)}`);
    expect(demand?.kind === "label" && demand.expression.ast.kind).toBe("atom");
  });
});

describe("parseQueueWhyPart", () => {
  it.each([
    ["Waiting for next available executor", { kind: "waiting-for-executor" }],
    [`Waiting for next available executor on ${curly("x")}`, { kind: "executor-busy", target: "x" }],
    [`There are no nodes with the label ${curly("x")}`, { kind: "label-has-no-nodes", label: "x" }],
    [`All nodes of label ${curly("x")} are offline`, { kind: "label-offline", label: "x" }],
    [`${curly("n")} is offline`, { kind: "node-offline", node: "n" }],
    [`${curly("n")} is not accepting tasks`, { kind: "node-not-accepting-tasks", node: "n" }],
    [`${curly("n")} ${doesnt} have label ${curly("x")}`, { kind: "label-missing", node: "n", label: "x" }],
    [`${curly("n")} is reserved for jobs with matching label expression`, { kind: "node-reserved", node: "n" }],
    [`${curly("u")} lacks permission to run on ${curly("n")}`, { kind: "lacks-permission", user: "u", node: "n" }],
    [`Blocked by ${curly("r")}`, { kind: "blocked-by", blocker: "r" }],
    ["Build #7 is already in progress (ETA: 1 min)", { kind: "build-in-progress", build: 7, eta: "1 min" }],
    ["A build is already in progress", { kind: "build-in-progress", build: null, eta: null }],
    [`Upstream project ${curly("p")} is already building`, { kind: "upstream-building", project: "p" }],
    [`Downstream project ${curly("p")} is already building`, { kind: "downstream-building", project: "p" }],
    ["In the quiet period. Expires in 4.9 sec", { kind: "quiet-period", expiresIn: "4.9 sec" }],
    ["Finished waiting", { kind: "finished-waiting" }],
    ["Jenkins is about to shut down", { kind: "shutting-down" }],
    ["... and 12 more", { kind: "more-reasons", count: 12 }],
    ["???", { kind: "unknown" }],
  ])("%s", (text, expected) => {
    expect(parseQueueWhyPart(text)).toMatchObject({ ...expected, text });
  });

  it("does not mistake a label ending in `is offline` for an offline node", () => {
    expect(parseQueueWhyPart(`${curly("n")} ${doesnt} have label ${curly("x")} is offline`).kind).toBe("label-missing");
  });
});

describe("isShuttingDownWhy", () => {
  it("spots the quiet-down text", () => {
    expect(isShuttingDownWhy("Jenkins is about to shut down")).toBe(true);
    expect(isShuttingDownWhy("Finished waiting")).toBe(false);
    expect(isShuttingDownWhy(null)).toBe(false);
  });
});
