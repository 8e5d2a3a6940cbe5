import { explainLabelMismatch, type LabelExpression } from "./label-expression.js";
import { parseQueueWhy, parseQueueWhyParts, type QueueDemand } from "./queue-why.js";

/**
 * Which configured node template would unblock a queue item, and how many of each a queue needs.
 * Replaces mita's `match_node`, whose first-hit dictionary order and substring key matching picked
 * `centos7` for a `centos7_huge` agent (mita-prado-teuthology.md §1.7, §1.13).
 */

/** The least a template must have; callers pass their richer template objects through. */
export interface NodeTemplate {
  readonly name: string;
  /** Labels the agents made from this template register with in Jenkins. */
  readonly labels: readonly string[];
}

/**
 * How the chosen template was found. `label`: its label set satisfies the expression.
 * `node-name`: the named node was made from it (by the naming rule below). `node-labels`: the
 * named node's Jenkins labels, given through `options.nodeLabels`, are all on the template.
 */
export type TemplateMatchRule = "label" | "node-name" | "node-labels";

export interface TemplateRejection<T extends NodeTemplate> {
  readonly template: T;
  readonly reason: string;
}

export interface TemplateMatch<T extends NodeTemplate> {
  /** The chosen template (the first candidate), or `null` when none fits. */
  readonly template: T | null;
  /** Every template that fits under the winning rule, best first. */
  readonly candidates: readonly T[];
  readonly rule: TemplateMatchRule | null;
  /** One sentence on the choice, or on why nothing fits (listing every template's rejection). */
  readonly reason: string;
  /** Templates that did not fit, with the reason, in configuration order. */
  readonly rejections: readonly TemplateRejection<T>[];
}

export interface MatchTemplatesOptions {
  /**
   * Jenkins labels of a node, e.g. `assignedLabels` of `/computer/<name>/api/json` (the node's own
   * name among them is ignored). Consulted when a demand names a node that no template name
   * accounts for — a static agent, say — as mita's last resort did with the node's config.xml.
   */
  readonly nodeLabels?: (node: string) => readonly string[] | undefined;
}

/** A template's labels as Jenkins would see them on its agents: configured labels plus its name. */
export function templateLabelSet(template: NodeTemplate): ReadonlySet<string> {
  return new Set([...template.labels, template.name]);
}

/** Labels of the template that the expression does not mention (its name excluded). */
function extraLabelCount(template: NodeTemplate, mentioned: ReadonlySet<string>): number {
  let extra = 0;
  for (const label of new Set(template.labels)) {
    if (label !== template.name && !mentioned.has(label)) extra++;
  }
  return extra;
}

interface Ranked<T> {
  readonly template: T;
  readonly index: number;
  readonly rank: readonly number[];
}

function compareRanked<T>(a: Ranked<T>, b: Ranked<T>): number {
  for (let position = 0; position < Math.max(a.rank.length, b.rank.length); position++) {
    const difference = (a.rank[position] ?? 0) - (b.rank[position] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.index - b.index;
}

interface RuleOutcome<T extends NodeTemplate> {
  /** Fitting templates, best first, each with a short note on its rank. */
  readonly candidates: readonly { readonly template: T; readonly note: string }[];
  /** Rejection reason by template index. */
  readonly rejected: ReadonlyMap<number, string>;
}

/**
 * Label rule: the template's label set satisfies the expression. Preference: fewest labels beyond
 * those the expression mentions (the smallest machine that will do), then configuration order.
 */
function matchByLabel<T extends NodeTemplate>(expression: LabelExpression, templates: readonly T[]): RuleOutcome<T> {
  const mentioned = new Set(expression.atoms());
  const ranked: Ranked<T>[] = [];
  const rejected = new Map<number, string>();
  templates.forEach((template, index) => {
    const labels = templateLabelSet(template);
    const mismatch = explainLabelMismatch(expression.ast, labels);
    if (mismatch === null) ranked.push({ template, index, rank: [extraLabelCount(template, mentioned)] });
    else rejected.set(index, mismatch);
  });
  ranked.sort(compareRanked);
  return {
    candidates: ranked.map(({ template, rank }) => ({ template, note: plural(rank[0] ?? 0, "extra label") })),
    rejected,
  };
}

/**
 * How a node name relates to a template name, best first: the same name (0); `<name>__<id>`, the
 * VM name mita gives (1); `<host>+<name>__<id>`, the name mita's agents register in Jenkins, host
 * being everything before the first `+` (2). `null` when none applies. mita's substring fallback
 * (`centos7` inside `centos7_huge__…`) is deliberately not reproduced.
 */
function nodeNameRank(node: string, templateName: string): number | null {
  if (node === templateName) return 0;
  const prefix = `${templateName}__`;
  if (node.startsWith(prefix)) return 1;
  const plus = node.indexOf("+");
  if (plus > 0 && node.startsWith(prefix, plus + 1)) return 2;
  return null;
}

/**
 * Node-name rule. Preference: exact name, then `<name>__`, then `<host>+<name>__`; among equals the
 * longest template name (so `a__b` beats `a` for `a__b__<id>`), then configuration order.
 */
function matchByNodeName<T extends NodeTemplate>(node: string, templates: readonly T[]): RuleOutcome<T> {
  const ranked: Ranked<T>[] = [];
  const rejected = new Map<number, string>();
  templates.forEach((template, index) => {
    const rank = nodeNameRank(node, template.name);
    if (rank === null) {
      rejected.set(
        index,
        `node \`${node}\` is not named \`${template.name}\`, \`${template.name}__<id>\` or \`<host>+${template.name}__<id>\``,
      );
    } else {
      ranked.push({ template, index, rank: [rank, -template.name.length] });
    }
  });
  ranked.sort(compareRanked);
  const notes = ["same name", "`<template>__<id>` name", "`<host>+<template>__<id>` name"];
  return { candidates: ranked.map(({ template, rank }) => ({ template, note: notes[rank[0] ?? 0] ?? "" })), rejected };
}

/** Node-labels rule: every label of the node is on the template. Preference as for the label rule. */
function matchByNodeLabels<T extends NodeTemplate>(node: string, nodeLabels: readonly string[], templates: readonly T[]): RuleOutcome<T> {
  const wanted = new Set(nodeLabels.filter((label) => label !== node));
  const ranked: Ranked<T>[] = [];
  const rejected = new Map<number, string>();
  templates.forEach((template, index) => {
    const labels = templateLabelSet(template);
    const missing = [...wanted].filter((label) => !labels.has(label));
    if (missing.length === 0) ranked.push({ template, index, rank: [extraLabelCount(template, wanted)] });
    else rejected.set(index, `lacks node \`${node}\`'s ${missing.length === 1 ? "label" : "labels"} ${missing.map((label) => `\`${label}\``).join(", ")}`);
  });
  ranked.sort(compareRanked);
  return {
    candidates: ranked.map(({ template, rank }) => ({ template, note: plural(rank[0] ?? 0, "extra label") })),
    rejected,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function describeDemand(demand: QueueDemand): string {
  switch (demand.kind) {
    case "label":
      return `label \`${demand.expression.jenkinsName()}\` (${demand.reason})`;
    case "node":
      return `node \`${demand.node}\` (${demand.reason})`;
    case "label-or-node":
      return `label or node \`${demand.raw}\` (${demand.reason})`;
  }
}

/**
 * Picks the template that would unblock `demand`; deterministic for a given template order.
 *
 * - `label`: templates whose label set (labels + own name) satisfies the expression.
 * - `node`: the node-name rule (`N`, `N` = `<template>__<id>` or `<host>+<template>__<id>`), then,
 *   if `options.nodeLabels` knows the node, templates carrying all its labels.
 * - `label-or-node` (`Waiting for next available executor on ‘X’`, where X may be a label or a
 *   node): X as a label first — right whenever X is a label, and for a node whose name a template
 *   carries — then X as a node name, then the node's labels.
 *
 * Rules are tried in that order and the first rule with any fitting template decides.
 * `candidates` lists the fitting templates best first; `template` is the first of them.
 */
export function matchTemplates<T extends NodeTemplate>(
  demand: QueueDemand,
  templates: readonly T[],
  options: MatchTemplatesOptions = {},
): TemplateMatch<T> {
  const subject = describeDemand(demand);
  if (templates.length === 0) {
    return { template: null, candidates: [], rule: null, reason: `no template fits ${subject}: no templates are configured`, rejections: [] };
  }

  const attempts: RuleOutcome<T>[] = [];
  const tryRule = (rule: TemplateMatchRule, run: () => RuleOutcome<T>): TemplateMatch<T> | null => {
    const outcome = run();
    attempts.push(outcome);
    const best = outcome.candidates[0];
    if (!best) return null;
    const others = outcome.candidates.slice(1).map(({ template, note }) => `${template.name} (${note})`);
    const reason =
      `${subject} → template ${best.template.name} by ${rule} rule (${best.note})` +
      (others.length > 0 ? `; other candidates: ${others.join(", ")}` : "");
    const rejections = templates.flatMap((template, index) => {
      const why = outcome.rejected.get(index);
      return why === undefined ? [] : [{ template, reason: `template ${template.name} ${why}` }];
    });
    return { template: best.template, candidates: outcome.candidates.map(({ template }) => template), rule, reason, rejections };
  };

  const node = demand.kind === "label" ? null : demand.node;
  let matched: TemplateMatch<T> | null = null;
  if (demand.kind !== "node") {
    const expression = demand.expression;
    matched = tryRule("label", () => matchByLabel(expression, templates));
  }
  if (matched === null && node !== null) {
    matched = tryRule("node-name", () => matchByNodeName(node, templates));
    const labels = matched === null ? options.nodeLabels?.(node) : undefined;
    if (labels !== undefined) matched = tryRule("node-labels", () => matchByNodeLabels(node, labels, templates));
  }
  if (matched) return matched;

  // Nothing fits: each template's rejection joins the reasons from every rule tried.
  const rejections = templates.map((template, index) => {
    const reasons = attempts.map((outcome) => outcome.rejected.get(index)).filter((why): why is string => why !== undefined);
    return { template, reason: `template ${template.name} ${reasons.join(", and ")}` };
  });
  return {
    template: null,
    candidates: [],
    rule: null,
    reason: `no template fits ${subject}: ${rejections.map((rejection) => rejection.reason).join("; ")}`,
    rejections,
  };
}

/** The part of a Jenkins queue item planning reads. */
export interface QueueItemLike {
  readonly why?: string | null | undefined;
}

export interface CapacityNeed<T extends NodeTemplate, I> {
  readonly template: T;
  /** One per queue item whose demand this template meets. */
  readonly count: number;
  readonly items: readonly I[];
}

export interface UnmatchedQueueItem<T extends NodeTemplate, I> {
  readonly item: I;
  readonly demand: QueueDemand;
  readonly match: TemplateMatch<T>;
}

export interface CapacityPlan<T extends NodeTemplate, I> {
  /** Templates with at least one item, in configuration order. */
  readonly needs: readonly CapacityNeed<T, I>[];
  /** Item count per template name (every template present, 0 when not needed). */
  readonly countByTemplate: ReadonlyMap<string, number>;
  /** Total of all counts. */
  readonly total: number;
  /** Items waiting for capacity that no template can provide. */
  readonly unmatched: readonly UnmatchedQueueItem<T, I>[];
  /** Items whose `why` is absent or not about capacity. */
  readonly skipped: readonly I[];
  /**
   * Some item says `Jenkins is about to shut down`. Counts are still computed; a caller should not
   * scale up while this holds.
   */
  readonly shuttingDown: boolean;
}

/**
 * Sums the demand of many queue items into a count per template: each item whose `why` reads as
 * capacity demand and matches a template adds 1 to that template, as mita's `needed[type]` did.
 * Template names are expected to be unique. Items sharing one `why` text are parsed and matched
 * once.
 */
export function planCapacity<T extends NodeTemplate, I extends QueueItemLike>(
  items: Iterable<I>,
  templates: readonly T[],
  options: MatchTemplatesOptions = {},
): CapacityPlan<T, I> {
  const itemsByTemplate = new Map<T, I[]>(templates.map((template) => [template, []]));
  const unmatched: UnmatchedQueueItem<T, I>[] = [];
  const skipped: I[] = [];
  let shuttingDown = false;
  const decided = new Map<string, { demand: QueueDemand; match: TemplateMatch<T> } | null>();

  for (const item of items) {
    const why = item.why;
    if (typeof why !== "string") {
      skipped.push(item);
      continue;
    }
    let decision = decided.get(why);
    if (decision === undefined) {
      if (parseQueueWhyParts(why).some((part) => part.kind === "shutting-down")) shuttingDown = true;
      const demand = parseQueueWhy(why);
      decision = demand === null ? null : { demand, match: matchTemplates(demand, templates, options) };
      decided.set(why, decision);
    }
    if (decision === null) skipped.push(item);
    else if (decision.match.template === null) unmatched.push({ item, demand: decision.demand, match: decision.match });
    else itemsByTemplate.get(decision.match.template)?.push(item);
  }

  const needs: CapacityNeed<T, I>[] = [];
  const countByTemplate = new Map<string, number>();
  let total = 0;
  for (const template of templates) {
    const matchedItems = itemsByTemplate.get(template) ?? [];
    countByTemplate.set(template.name, (countByTemplate.get(template.name) ?? 0) + matchedItems.length);
    total += matchedItems.length;
    if (matchedItems.length > 0) needs.push({ template, count: matchedItems.length, items: matchedItems });
  }
  return { needs, countByTemplate, total, unmatched, skipped, shuttingDown };
}
