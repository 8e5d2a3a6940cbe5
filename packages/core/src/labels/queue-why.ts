import { parseLabelLax, type LabelExpression } from "./label-expression.js";

/**
 * Reading the free-text `why` of a Jenkins queue item. Jenkins exports no assigned label for queue
 * items, so the `why` text is the only place an autoscaler learns what capacity an item waits for.
 *
 * Every text form of `jenkins-providers.md` §1.3 is recognised: current texts with curly quotes
 * (‘ ’, U+2018/U+2019), the same with straight quotes, the unquoted pre-2.125 texts, `doesn’t`
 * with U+2019 or ASCII `'`, and composite `r1; r2; …; ... and N more` texts.
 */

/** One recognised reason, as Jenkins states it. Names and labels are unquoted. */
export type QueueWhyPart =
  | { readonly kind: "waiting-for-executor"; readonly text: string }
  | { readonly kind: "executor-busy"; readonly text: string; readonly target: string }
  | { readonly kind: "label-has-no-nodes"; readonly text: string; readonly label: string }
  | { readonly kind: "label-offline"; readonly text: string; readonly label: string }
  | { readonly kind: "node-offline"; readonly text: string; readonly node: string }
  | { readonly kind: "label-missing"; readonly text: string; readonly node: string; readonly label: string }
  | { readonly kind: "node-reserved"; readonly text: string; readonly node: string }
  | { readonly kind: "node-not-accepting-tasks"; readonly text: string; readonly node: string }
  | { readonly kind: "lacks-permission"; readonly text: string; readonly user: string; readonly node: string }
  | { readonly kind: "blocked-by"; readonly text: string; readonly blocker: string }
  | { readonly kind: "build-in-progress"; readonly text: string; readonly build: number | null; readonly eta: string | null }
  | { readonly kind: "upstream-building"; readonly text: string; readonly project: string }
  | { readonly kind: "downstream-building"; readonly text: string; readonly project: string }
  | { readonly kind: "quiet-period"; readonly text: string; readonly expiresIn: string }
  | { readonly kind: "finished-waiting"; readonly text: string }
  | { readonly kind: "shutting-down"; readonly text: string }
  | { readonly kind: "more-reasons"; readonly text: string; readonly count: number }
  | { readonly kind: "unknown"; readonly text: string };

export type QueueWhyPartKind = QueueWhyPart["kind"];

interface QueueDemandBase {
  /** The whole `why` text the demand was read from. */
  readonly why: string;
  /** The unquoted label or node text inside the reason that produced the demand. */
  readonly raw: string;
  /** True when `why` was a composite `r1; r2; …` text. */
  readonly composite: boolean;
  /** `N` of a trailing `... and N more` (reasons Jenkins left out), else 0. */
  readonly hiddenReasons: number;
}

/** The item needs a node satisfying `expression`, and none is available. */
export interface LabelQueueDemand extends QueueDemandBase {
  readonly kind: "label";
  /**
   * `no-nodes`: `There are no nodes with the label ‘X’` (no node matches and no Jenkins cloud can
   * provision it). `all-offline`: `All nodes of label ‘X’ are offline` (≥2 matching nodes all
   * offline — or 0 nodes when a Jenkins cloud could provision X). `label-missing`: a composite
   * listing idle nodes that refused because they lack X.
   */
  readonly reason: "no-nodes" | "all-offline" | "label-missing";
  readonly expression: LabelExpression;
  /** For `label-missing`, the idle nodes named as lacking the label; empty otherwise. */
  readonly refusingNodes: readonly string[];
}

/**
 * `‘N’ is offline`: the item's label matches exactly one node, N (its display name), and it is
 * offline. The label itself is not in the text.
 */
export interface NodeQueueDemand extends QueueDemandBase {
  readonly kind: "node";
  readonly reason: "node-offline";
  readonly node: string;
}

/**
 * `Waiting for next available executor on ‘X’`: every matching node is online but busy. Jenkins
 * writes the label's canonical name when the label matches ≠1 nodes, and the single node's display
 * name when it matches exactly one, and the text does not say which. Both readings are kept:
 * `expression` is X read as a label (a node name is also its own self-label, so this is right for
 * existing nodes) and `node` is X read as a node name (needed to map an agent such as
 * `10.0.0.1+centos9__<uuid>` back to the template that made it).
 */
export interface LabelOrNodeQueueDemand extends QueueDemandBase {
  readonly kind: "label-or-node";
  readonly reason: "busy";
  readonly expression: LabelExpression;
  readonly node: string;
}

export type QueueDemand = LabelQueueDemand | NodeQueueDemand | LabelOrNodeQueueDemand;
export type QueueDemandReason = QueueDemand["reason"];

/** Removes one pair of surrounding curly (‘…’) or straight ('…') quotes, if present. */
function unquoteName(value: string): string {
  if (value.length >= 2) {
    if (value.startsWith("\u2018") && value.endsWith("\u2019")) return value.slice(1, -1);
    if (value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  }
  return value;
}

type PartReader = (match: RegExpExecArray, text: string) => QueueWhyPart;

const group = (match: RegExpExecArray, index: number): string => unquoteName(match[index] ?? "");

// Order matters where texts overlap: `… doesn’t have label ‘X is offline’` must not be read as a
// node-offline text, so the two-name forms come before the `… is offline` suffix form.
const PART_PATTERNS: ReadonlyArray<readonly [RegExp, PartReader]> = [
  [/^Waiting for next available executor$/, (_m, text) => ({ kind: "waiting-for-executor", text })],
  [/^Waiting for next available executor on (.+)$/s, (m, text) => ({ kind: "executor-busy", text, target: group(m, 1) })],
  [/^There are no nodes with the label (.+)$/s, (m, text) => ({ kind: "label-has-no-nodes", text, label: group(m, 1) })],
  [/^All nodes of label (.+) are offline$/s, (m, text) => ({ kind: "label-offline", text, label: group(m, 1) })],
  [
    /^(.+?) doesn[\u2019']t have label (.+)$/s,
    (m, text) => ({ kind: "label-missing", text, node: group(m, 1), label: group(m, 2) }),
  ],
  [
    /^(.+?) lacks permission to run on (.+)$/s,
    (m, text) => ({ kind: "lacks-permission", text, user: group(m, 1), node: group(m, 2) }),
  ],
  [
    /^(.+) is reserved for jobs with matching label expression$/s,
    (m, text) => ({ kind: "node-reserved", text, node: group(m, 1) }),
  ],
  [/^(.+) is not accepting tasks$/s, (m, text) => ({ kind: "node-not-accepting-tasks", text, node: group(m, 1) })],
  [/^(.+) is offline$/s, (m, text) => ({ kind: "node-offline", text, node: group(m, 1) })],
  [/^Blocked by (.+)$/s, (m, text) => ({ kind: "blocked-by", text, blocker: group(m, 1) })],
  [
    /^Build #(\d+) is already in progress(?: \(ETA: ?(.*)\))?$/s,
    (m, text) => ({ kind: "build-in-progress", text, build: Number(m[1]), eta: m[2] ?? null }),
  ],
  [/^A build is already in progress$/, (_m, text) => ({ kind: "build-in-progress", text, build: null, eta: null })],
  [/^Upstream project (.+?) is already building\.?$/s, (m, text) => ({ kind: "upstream-building", text, project: group(m, 1) })],
  [
    /^Downstream project (.+?) is already building\.?$/s,
    (m, text) => ({ kind: "downstream-building", text, project: group(m, 1) }),
  ],
  [/^In the quiet period\. Expires in (.+)$/s, (m, text) => ({ kind: "quiet-period", text, expiresIn: m[1] ?? "" })],
  [/^Finished waiting$/, (_m, text) => ({ kind: "finished-waiting", text })],
  [/^Jenkins is about to shut down$/, (_m, text) => ({ kind: "shutting-down", text })],
  [/^\.\.\. and (\d+) more$/, (m, text) => ({ kind: "more-reasons", text, count: Number(m[1]) })],
];

/** Classifies one reason (not a composite). Unrecognised texts, `???` included, are `unknown`. */
export function parseQueueWhyPart(text: string): QueueWhyPart {
  const trimmed = text.trim();
  for (const [pattern, read] of PART_PATTERNS) {
    const match = pattern.exec(trimmed);
    if (match) return read(match, trimmed);
  }
  return { kind: "unknown", text: trimmed };
}

/**
 * Splits a composite text on `"; "`. A separator inside a curly-quoted name (‘a; b’) does not
 * split: a quote opened by ‘ closes at a ’ followed by a space, `;` or the end. When quotes do not
 * balance the text is split on every separator.
 */
function splitComposite(why: string): string[] {
  const parts: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let index = 0; index < why.length; index++) {
    const character = why.charAt(index);
    if (character === "\u2018") {
      inQuote = true;
    } else if (character === "\u2019" && inQuote) {
      const next = why.charAt(index + 1);
      if (next === "" || next === " " || next === ";") inQuote = false;
    } else if (!inQuote && character === ";" && why.charAt(index + 1) === " ") {
      parts.push(why.slice(start, index));
      start = index + 2;
      index++;
    }
  }
  parts.push(why.slice(start));
  if (inQuote && parts.length === 1 && why.includes("; ")) return why.split("; ");
  return parts;
}

/** Every reason in a `why` text, in Jenkins' order; empty for `null`, `undefined` or blank. */
export function parseQueueWhyParts(why: string | null | undefined): QueueWhyPart[] {
  if (typeof why !== "string" || why.trim() === "") return [];
  return splitComposite(why.trim()).map(parseQueueWhyPart);
}

interface DemandContext {
  readonly why: string;
  readonly composite: boolean;
  readonly hiddenReasons: number;
}

function demandFromPart(part: QueueWhyPart, context: DemandContext, parts: readonly QueueWhyPart[]): QueueDemand | null {
  switch (part.kind) {
    case "executor-busy":
      if (part.target === "") return null;
      return { ...context, kind: "label-or-node", reason: "busy", raw: part.target, expression: parseLabelLax(part.target), node: part.target };
    case "label-has-no-nodes":
    case "label-offline":
      if (part.label === "") return null;
      return {
        ...context,
        kind: "label",
        reason: part.kind === "label-offline" ? "all-offline" : "no-nodes",
        raw: part.label,
        expression: parseLabelLax(part.label),
        refusingNodes: [],
      };
    case "label-missing": {
      if (part.label === "") return null;
      const refusingNodes = parts.flatMap((other) => other.kind === "label-missing" && other.label === part.label ? [other.node] : []);
      return { ...context, kind: "label", reason: "label-missing", raw: part.label, expression: parseLabelLax(part.label), refusingNodes };
    }
    case "node-offline":
      if (part.node === "") return null;
      return { ...context, kind: "node", reason: "node-offline", raw: part.node, node: part.node };
    default:
      return null;
  }
}

/**
 * The capacity an item waits for, or `null` when its `why` is not about capacity: absent, quiet
 * period, finished waiting, blocked by another build or resource, build in progress, upstream or
 * downstream building, shutting down (an autoscaler must not scale up then), the bare `Waiting for
 * next available executor` (no label: the item would run anywhere, or Jenkins has no agents at
 * all and dropped the label), reserved nodes, lacking permission, nodes not accepting tasks, and
 * unknown texts.
 *
 * In a composite, the reason naming the item's label (`‘N’ doesn’t have label ‘X’`) wins; failing
 * that, the first other capacity reason in text order (e.g. `‘N’ is offline`). Never throws.
 */
export function parseQueueWhy(why: string | null | undefined): QueueDemand | null {
  const parts = parseQueueWhyParts(why);
  if (parts.length === 0 || typeof why !== "string") return null;
  const hiddenReasons = parts.reduce((sum, part) => sum + (part.kind === "more-reasons" ? part.count : 0), 0);
  const context: DemandContext = { why, composite: parts.length > 1, hiddenReasons };
  const labelMissing = parts.find((part) => part.kind === "label-missing" && part.label !== "");
  if (labelMissing) return demandFromPart(labelMissing, context, parts);
  for (const part of parts) {
    const demand = demandFromPart(part, context, parts);
    if (demand) return demand;
  }
  return null;
}

/** True when the `why` says Jenkins is shutting down (quiet-down): no new agents are wanted. */
export function isShuttingDownWhy(why: string | null | undefined): boolean {
  return parseQueueWhyParts(why).some((part) => part.kind === "shutting-down");
}
