import { describe, expect, it } from "vitest";
import { matchTemplates, planCapacity, templateLabelSet, type NodeTemplate } from "./queue-matcher.js";
import { parseQueueWhy, type QueueDemand } from "./queue-why.js";

const curly = (name: string) => `\u2018${name}\u2019`;

interface Template extends NodeTemplate {
  readonly flavor: string;
}

const templates: readonly Template[] = [
  { name: "centos7_huge", labels: ["centos7", "amd64", "x86_64", "huge"], flavor: "c2-30" },
  { name: "centos7", labels: ["centos7", "amd64", "x86_64"], flavor: "c2-15" },
  { name: "jammy", labels: ["jammy", "amd64", "x86_64", "docker"], flavor: "c2-15" },
  { name: "jammy_arm", labels: ["jammy", "arm64", "docker"], flavor: "a1-8" },
];

function demandOf(why: string): QueueDemand {
  const demand = parseQueueWhy(why);
  if (demand === null) throw new Error(`no demand in ${why}`);
  return demand;
}

describe("templateLabelSet", () => {
  it("adds the template's own name, as Jenkins does for a node", () => {
    expect([...templateLabelSet(templates[1]!)].sort()).toEqual(["amd64", "centos7", "x86_64"]);
    expect(templateLabelSet(templates[0]!).has("centos7_huge")).toBe(true);
  });
});

describe("matchTemplates: label demand", () => {
  it("chooses the template with the fewest labels beyond the expression", () => {
    const match = matchTemplates(demandOf(`There are no nodes with the label ${curly("centos7")}`), templates);
    expect(match.template?.name).toBe("centos7");
    expect(match.candidates.map((template) => template.name)).toEqual(["centos7", "centos7_huge"]);
    expect(match.rule).toBe("label");
    expect(match.reason).toBe(
      "label `centos7` (no-nodes) → template centos7 by label rule (2 extra labels); other candidates: centos7_huge (3 extra labels)",
    );
  });

  it("falls back to configuration order on a tie", () => {
    const match = matchTemplates(demandOf(`There are no nodes with the label ${curly("docker")}`), templates);
    // Beyond `docker`, jammy has amd64 and x86_64, jammy_arm has jammy and arm64 (a label equal to
    // the template's own name is not extra): a tie, so the first in configuration order wins.
    expect(match.template?.name).toBe("jammy");
    expect(match.candidates.map((template) => template.name)).toEqual(["jammy", "jammy_arm"]);
    const tie = matchTemplates(demandOf(`There are no nodes with the label ${curly("x")}`), [
      { name: "first", labels: ["x", "y"] },
      { name: "second", labels: ["x", "z"] },
    ]);
    expect(tie.template?.name).toBe("first");
  });

  it("evaluates full expressions, including -> and <->", () => {
    const match = matchTemplates(demandOf(`All nodes of label ${curly("jammy&&(arm64->docker)&&!amd64")} are offline`), templates);
    expect(match.template?.name).toBe("jammy_arm");
    const iff = matchTemplates(demandOf(`All nodes of label ${curly("docker<->jammy")} are offline`), templates);
    expect(iff.candidates.map((template) => template.name)).toEqual(["jammy_arm", "centos7", "jammy", "centos7_huge"]);
  });

  it("matches a template by its name through the self-label", () => {
    expect(matchTemplates(demandOf(`There are no nodes with the label ${curly("centos7_huge")}`), templates).template?.name).toBe("centos7_huge");
  });

  it("returns null with every template's rejection when nothing fits", () => {
    const match = matchTemplates(demandOf(`There are no nodes with the label ${curly("s390x&&centos7")}`), templates);
    expect(match.template).toBeNull();
    expect(match.candidates).toEqual([]);
    expect(match.rule).toBeNull();
    expect(match.rejections.map((rejection) => rejection.reason)).toEqual([
      "template centos7_huge lacks label `s390x`",
      "template centos7 lacks label `s390x`",
      "template jammy lacks label `s390x` and lacks label `centos7`",
      "template jammy_arm lacks label `s390x` and lacks label `centos7`",
    ]);
    expect(match.reason).toBe(
      "no template fits label `s390x&&centos7` (no-nodes): template centos7_huge lacks label `s390x`; template centos7 lacks label `s390x`; " +
        "template jammy lacks label `s390x` and lacks label `centos7`; template jammy_arm lacks label `s390x` and lacks label `centos7`",
    );
  });

  it("explains negations", () => {
    const match = matchTemplates(demandOf(`There are no nodes with the label ${curly("docker&&!jammy")}`), templates);
    expect(match.template).toBeNull();
    expect(match.rejections.find((rejection) => rejection.template.name === "jammy")?.reason).toBe("template jammy has label `jammy`");
  });

  it("says so when no templates are configured", () => {
    const match = matchTemplates(demandOf(`There are no nodes with the label ${curly("x")}`), []);
    expect(match.template).toBeNull();
    expect(match.reason).toContain("no templates are configured");
  });

  it("passes richer template objects through", () => {
    const match = matchTemplates(demandOf(`There are no nodes with the label ${curly("arm64")}`), templates);
    expect(match.template?.flavor).toBe("a1-8");
  });
});

describe("matchTemplates: node demand", () => {
  it.each([
    ["centos7", "centos7", "same name"],
    ["centos7__540a47bf-c1cf-4852-a8e0-e841b5370ddd", "centos7", "`<template>__<id>` name"],
    ["centos7_huge__540a47bf", "centos7_huge", "`<template>__<id>` name"],
    ["158.69.92.26+centos7_huge__540a47bf-c1cf-4852-a8e0-e841b5370ddd", "centos7_huge", "`<host>+<template>__<id>` name"],
  ])("maps %s to %s", (node, expected, note) => {
    const match = matchTemplates(demandOf(`${curly(node)} is offline`), templates);
    expect(match.template?.name).toBe(expected);
    expect(match.rule).toBe("node-name");
    expect(match.reason).toContain(note);
  });

  it("never matches by substring, unlike mita (`centos7` is not `centos7_huge`)", () => {
    const match = matchTemplates(demandOf(`${curly("10.0.0.1_centos7_big")} is offline`), templates);
    expect(match.template).toBeNull();
    expect(match.rejections[1]?.reason).toBe(
      "template centos7 node `10.0.0.1_centos7_big` is not named `centos7`, `centos7__<id>` or `<host>+centos7__<id>`",
    );
  });

  it("prefers the longest template name when several prefixes fit", () => {
    const nested = [{ name: "a", labels: [] }, { name: "a__b", labels: [] }];
    expect(matchTemplates(demandOf(`${curly("a__b__uuid")} is offline`), nested).template?.name).toBe("a__b");
  });

  it("uses the node's Jenkins labels when its name says nothing", () => {
    const nodeLabels = (node: string) => (node === "builder-1" ? ["builder-1", "centos7", "x86_64"] : undefined);
    const match = matchTemplates(demandOf(`${curly("builder-1")} is offline`), templates, { nodeLabels });
    expect(match.rule).toBe("node-labels");
    expect(match.template?.name).toBe("centos7");
    expect(match.candidates.map((template) => template.name)).toEqual(["centos7", "centos7_huge"]);
  });

  it("explains both rules when neither fits", () => {
    const nodeLabels = () => ["gpu"];
    const match = matchTemplates(demandOf(`${curly("builder-9")} is offline`), [templates[2]!], { nodeLabels });
    expect(match.reason).toBe(
      "no template fits node `builder-9` (node-offline): template jammy node `builder-9` is not named `jammy`, `jammy__<id>` or " +
        "`<host>+jammy__<id>`, and lacks node `builder-9`'s label `gpu`",
    );
  });
});

describe("matchTemplates: label-or-node demand (busy)", () => {
  it("reads a label as a label", () => {
    const match = matchTemplates(demandOf(`Waiting for next available executor on ${curly("jammy&&amd64")}`), templates);
    expect(match).toMatchObject({ rule: "label", template: { name: "jammy" } });
  });

  it("falls back to the node name for a single busy mita agent", () => {
    const match = matchTemplates(
      demandOf(`Waiting for next available executor on ${curly("158.69.92.26+jammy_arm__540a47bf")}`),
      templates,
    );
    expect(match).toMatchObject({ rule: "node-name", template: { name: "jammy_arm" } });
  });

  it("lists both readings when nothing fits", () => {
    const match = matchTemplates(demandOf(`Waiting for next available executor on ${curly("mystery")}`), [templates[1]!]);
    expect(match.template).toBeNull();
    expect(match.rejections[0]?.reason).toBe(
      "template centos7 lacks label `mystery`, and node `mystery` is not named `centos7`, `centos7__<id>` or `<host>+centos7__<id>`",
    );
  });
});

describe("planCapacity", () => {
  it("counts one per matched item, reports unmatched and skips the rest", () => {
    const items = [
      { id: 1, why: `There are no nodes with the label ${curly("centos7")}` },
      { id: 2, why: `There are no nodes with the label ${curly("centos7")}` },
      { id: 3, why: `All nodes of label ${curly("arm64")} are offline` },
      { id: 4, why: `${curly("158.69.92.26+centos7_huge__abc")} is offline` },
      { id: 5, why: `There are no nodes with the label ${curly("s390x")}` },
      { id: 6, why: null },
      { id: 7, why: "In the quiet period. Expires in 3 sec" },
      { id: 8, why: "Waiting for next available executor" },
      { id: 9 },
    ];
    const plan = planCapacity(items, templates);
    expect(plan.needs.map((need) => [need.template.name, need.count, need.items.map((item) => item.id)])).toEqual([
      ["centos7_huge", 1, [4]],
      ["centos7", 2, [1, 2]],
      ["jammy_arm", 1, [3]],
    ]);
    expect(Object.fromEntries(plan.countByTemplate)).toEqual({ centos7_huge: 1, centos7: 2, jammy: 0, jammy_arm: 1 });
    expect(plan.total).toBe(4);
    expect(plan.unmatched.map((entry) => entry.item.id)).toEqual([5]);
    expect(plan.unmatched[0]?.match.reason).toContain("lacks label `s390x`");
    expect(plan.skipped.map((item) => item.id)).toEqual([6, 7, 8, 9]);
    expect(plan.shuttingDown).toBe(false);
  });

  it("flags a shutting-down Jenkins", () => {
    const plan = planCapacity([{ why: "Jenkins is about to shut down" }], templates);
    expect(plan.shuttingDown).toBe(true);
    expect(plan.total).toBe(0);
  });

  it("handles an empty queue and any iterable", () => {
    const plan = planCapacity(new Set<{ why: string }>(), templates);
    expect(plan.needs).toEqual([]);
    expect(plan.total).toBe(0);
    expect([...plan.countByTemplate.values()]).toEqual([0, 0, 0, 0]);
  });
});
