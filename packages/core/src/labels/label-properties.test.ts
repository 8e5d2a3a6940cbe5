import { describe, expect, it } from "vitest";
import { isQuipuError } from "../errors/quipu-error.js";
import { createLabelExpression, parseLabelExpression, parseLabelLax, type LabelNode } from "./label-expression.js";
import { parseQueueWhy, parseQueueWhyParts } from "./queue-why.js";

/**
 * Property-style tests without a property-testing library: a seeded PRNG generates trees, label
 * sets and garbage, so every run checks the same thousands of cases and a failure names its seed.
 */

/** mulberry32: tiny, fast and good enough to spread test cases. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (limit: number): number => Math.floor(next() * limit);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Random = ReturnType<typeof createRandom>;

// Plain names, names that need quoting, and names that stress the `-` and `>` rules.
const ATOM_NAMES = ["a", "b", "linux", "java:17", "x86_64", "a-", "-", "with space", "p(q)", 'say"hi', "it's", "tab\there", "", "."];

function randomTree(random: Random, depth: number): LabelNode {
  if (depth <= 0 || random.next() < 0.25) return { kind: "atom", name: random.pick(ATOM_NAMES) };
  switch (random.int(6)) {
    case 0:
      return { kind: "not", operand: randomTree(random, depth - 1) };
    case 1:
      return { kind: "paren", inner: randomTree(random, depth - 1) };
    default: {
      const kind = random.pick(["and", "or", "implies", "iff"] as const);
      return { kind, left: randomTree(random, depth - 1), right: randomTree(random, depth - 1) };
    }
  }
}

/** The reference semantics, written independently of the implementation under test. */
function referenceEvaluate(node: LabelNode, labels: ReadonlySet<string>): boolean {
  switch (node.kind) {
    case "atom":
      return labels.has(node.name);
    case "paren":
      return referenceEvaluate(node.inner, labels);
    case "not":
      return !referenceEvaluate(node.operand, labels);
    case "and": {
      const left = referenceEvaluate(node.left, labels);
      const right = referenceEvaluate(node.right, labels);
      return left && right;
    }
    case "or": {
      const left = referenceEvaluate(node.left, labels);
      const right = referenceEvaluate(node.right, labels);
      return left || right;
    }
    case "implies":
      return referenceEvaluate(node.left, labels) ? referenceEvaluate(node.right, labels) : true;
    case "iff":
      return referenceEvaluate(node.left, labels) === referenceEvaluate(node.right, labels);
  }
}

function randomLabels(random: Random): Set<string> {
  return new Set(ATOM_NAMES.filter(() => random.next() < 0.5));
}

const GARBAGE_ALPHABET = [..."ab -!&|<>()\"'\\\t\n\r;:‘’.x", "&&", "||", "->", "<->", "\\\"", "…", "\u0000", "😀"];

function randomGarbage(random: Random): string {
  let text = "";
  const length = random.int(24);
  for (let index = 0; index < length; index++) text += random.pick(GARBAGE_ALPHABET);
  return text;
}

const WHY_FRAGMENTS = [
  "Waiting for next available executor",
  " on ",
  "‘",
  "’",
  "'",
  " doesn’t have label ",
  " doesn't have label ",
  " is offline",
  "All nodes of label ",
  " are offline",
  "There are no nodes with the label ",
  "; ",
  "... and 3 more",
  " is reserved for jobs with matching label expression",
  "linux&&docker",
  "a->b->c",
  '"java:17"',
  "node-1",
  "",
  "Jenkins is about to shut down",
];

function randomWhy(random: Random): string {
  let text = "";
  const length = random.int(8);
  for (let index = 0; index < length; index++) text += random.next() < 0.8 ? random.pick(WHY_FRAGMENTS) : randomGarbage(random);
  return text;
}

const SEEDS = [1, 2, 3, 42, 2024];

describe("label expressions: generated trees", () => {
  it.each(SEEDS)("matches agrees with a direct evaluation of the tree (seed %i)", (seed) => {
    const random = createRandom(seed);
    for (let round = 0; round < 400; round++) {
      const tree = randomTree(random, 5);
      const expression = createLabelExpression(tree);
      for (let trial = 0; trial < 8; trial++) {
        const labels = randomLabels(random);
        expect(expression.matches(labels), `${expression.toString()} on ${[...labels].join(",")}`).toBe(referenceEvaluate(tree, labels));
      }
    }
  });

  it.each(SEEDS)("canonical text parses back to an equivalent expression (seed %i)", (seed) => {
    const random = createRandom(seed);
    for (let round = 0; round < 400; round++) {
      const tree = randomTree(random, 5);
      const canonical = createLabelExpression(tree).toString();
      const reparsed = parseLabelExpression(canonical);
      // Printing is idempotent: the reparsed tree prints the same text and parses to itself.
      expect(reparsed.toString()).toBe(canonical);
      expect(parseLabelExpression(reparsed.toString()).ast).toEqual(reparsed.ast);
      expect(reparsed.atoms().sort()).toEqual(createLabelExpression(tree).atoms().sort());
      for (let trial = 0; trial < 8; trial++) {
        const labels = randomLabels(random);
        expect(reparsed.matches(labels), canonical).toBe(referenceEvaluate(tree, labels));
      }
    }
  });

  it.each(SEEDS)("re-spacing a canonical text changes nothing (seed %i)", (seed) => {
    const random = createRandom(seed);
    for (let round = 0; round < 200; round++) {
      const canonical = createLabelExpression(randomTree(random, 4)).toString();
      // Spaces may go around operators and parentheses but never inside atoms or strings.
      const spaced = canonical.replace(/(<->|->|&&|\|\||!|\(|\))/g, (operator, _match, offset: number) => {
        const before = canonical.slice(0, offset);
        const insideString = (before.match(/(?<!\\)"/g) ?? []).length % 2 === 1;
        return insideString ? operator : ` ${operator} `;
      });
      expect(parseLabelExpression(spaced).toString(), spaced).toBe(canonical);
    }
  });
});

describe("robustness on garbage", () => {
  it.each(SEEDS)("the strict parser returns a value or throws QUIPU_LABEL_SYNTAX only (seed %i)", (seed) => {
    const random = createRandom(seed);
    for (let round = 0; round < 2000; round++) {
      const text = randomGarbage(random);
      try {
        const expression = parseLabelExpression(text);
        // Anything that parses prints canonically and parses again to the same tree.
        expect(parseLabelExpression(expression.toString()).ast, text).toEqual(expression.ast);
      } catch (error) {
        expect(isQuipuError(error, "QUIPU_LABEL_SYNTAX"), `${JSON.stringify(text)}: ${String(error)}`).toBe(true);
        const position = (error as { details: { position: number } }).details.position;
        expect(position).toBeGreaterThanOrEqual(0);
        expect(position).toBeLessThanOrEqual(text.length);
      }
    }
  });

  it.each(SEEDS)("the lax parser never throws (seed %i)", (seed) => {
    const random = createRandom(seed);
    const failures: string[] = [];
    for (let round = 0; round < 2000; round++) {
      const text = randomGarbage(random);
      try {
        parseLabelLax(text).toString();
      } catch (error) {
        failures.push(`${JSON.stringify(text)}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it.each(SEEDS)("parseQueueWhy never throws and returns a well-formed demand or null (seed %i)", (seed) => {
    const random = createRandom(seed);
    const failures: string[] = [];
    for (let round = 0; round < 2000; round++) {
      const why = round % 2 === 0 ? randomWhy(random) : randomGarbage(random);
      try {
        parseQueueWhyParts(why);
        const demand = parseQueueWhy(why);
        if (demand !== null && (demand.why !== why || !["label", "node", "label-or-node"].includes(demand.kind))) {
          failures.push(`${JSON.stringify(why)}: malformed demand ${JSON.stringify(demand)}`);
        }
      } catch (error) {
        failures.push(`${JSON.stringify(why)}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("parseQueueWhy tolerates non-string input from untyped JSON", () => {
    for (const value of [undefined, null, 42, {}, [], true]) {
      expect(parseQueueWhy(value as unknown as string)).toBeNull();
    }
  });
});
