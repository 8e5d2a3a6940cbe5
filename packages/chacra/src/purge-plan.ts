/**
 * Which repos the daily purge deletes (reference §1.9) — pure: repos and rules in, ids out; the
 * service deletes files, rows and sends the `deleted` callbacks.
 *
 * Configuration, as in the original:
 *
 *     purge_rotation:
 *       ceph:
 *         ref:    { main: { days: 7, keep_minimum: 5 }, reef: { keep_minimum: 10 } }
 *         flavor: { crimson: { days: 3 } }
 *       all:                      # every project (see below)
 *         ref:    { main: { keep_minimum: 2 } }
 *
 * Age is measured on `modified` (last change of any kind). Each repo is governed by exactly one
 * effective rule; a repo is deleted when it is older than the rule's `days` AND is not among the
 * `keep_minimum` newest repos governed by the same rule in its project.
 *
 * Decisions where the original was broken or silent (§1.9, §4.2):
 * - keep_minimum keeps the K newest repos of the group **regardless of age**, which is what users
 *   expect ("always keep the last 5 main repos"). The original skipped K among the already
 *   expired ones only, so a ref with 3 fresh and 20 old repos kept 3 + K.
 * - A rule without `days` (or `keep_minimum`) falls back to the project's, then `all`'s, then the
 *   global default — the original crashed comparing None with a number.
 * - A repo whose ref has a rule and whose flavor has a rule is governed by both: days = the larger,
 *   keep_minimum = the larger (the more conservative, as the original intended). A repo matching
 *   only one of them is governed by that one — the original, when a project configured both
 *   `ref` and `flavor`, never purged such a repo at all (nor any repo of that project matching
 *   neither).
 * - `all` (reserved but unimplemented in the original: "alter defaults for every other project")
 *   is an entry applying to every project: its ref and flavor rules apply to each project's refs
 *   and flavors that the project's own entry does not name, and its `days` / `keep_minimum`
 *   replace the global defaults. A project cannot therefore be called `all` here.
 * - An entry may also set `days` / `keep_minimum` directly: the default for that project's repos
 *   that no ref or flavor rule names.
 * - Unknown keys are refused (a typo like `refs:` would otherwise purge with defaults).
 */
import { z } from "zod";
import { parseOrThrow } from "@quipu/core";

const DAY_MS = 86_400_000;

// `null` is accepted for "not set": YAML `days:` with no value, or a config translated from Python's None.
const DaysSchema = z.number().finite().nonnegative().nullish();
const KeepSchema = z.number().int().nonnegative().nullish();

export const PurgeRuleSchema = z.strictObject({
  days: DaysSchema,
  keep_minimum: KeepSchema,
});
export type PurgeRule = z.infer<typeof PurgeRuleSchema>;

export const PurgeProjectRotationSchema = z.strictObject({
  ref: z.record(z.string().min(1), PurgeRuleSchema).optional(),
  flavor: z.record(z.string().min(1), PurgeRuleSchema).optional(),
  days: DaysSchema,
  keep_minimum: KeepSchema,
});
export type PurgeProjectRotation = z.infer<typeof PurgeProjectRotationSchema>;

/** `{ <project> | "all": { ref?, flavor?, days?, keep_minimum? } }` — the `purge_rotation` config key. */
export const PurgeRotationSchema = z.record(z.string().min(1), PurgeProjectRotationSchema);
export type PurgeRotation = z.infer<typeof PurgeRotationSchema>;

/** The key of the entry that applies to every project. */
export const ALL_PROJECTS = "all";

export interface PurgeCandidate {
  readonly id: number;
  readonly project: string;
  readonly ref: string;
  readonly flavor: string;
  /** Last change, milliseconds since the epoch. */
  readonly modified: number;
}

export interface PurgePlanInput {
  readonly repos: readonly PurgeCandidate[];
  readonly rotation?: unknown;
  /** Lifetime of repos no rule names. The original: 14. */
  readonly defaultDays: number;
  /** Kept per project among repos no rule names. The original: 0. */
  readonly defaultKeepMinimum?: number | undefined;
  readonly now: number;
}

export interface PurgeDecision {
  readonly id: number;
  /** The rule that deleted it: `ref main`, `flavor crimson`, `ref main + flavor crimson`, `default`. */
  readonly rule: string;
  readonly days: number;
  readonly keepMinimum: number;
}

const PlanSettingsSchema = z.object({
  defaultDays: z.number().finite().nonnegative(),
  defaultKeepMinimum: z.number().int().nonnegative().default(0),
  now: z.number().finite(),
});

interface EffectiveRule {
  readonly key: string;
  readonly days: number;
  readonly keepMinimum: number;
}

/** The repos to delete, with the rule that condemns each, oldest first. */
export function explainPurge(input: PurgePlanInput): PurgeDecision[] {
  const settings = parseOrThrow(
    PlanSettingsSchema,
    { defaultDays: input.defaultDays, defaultKeepMinimum: input.defaultKeepMinimum, now: input.now },
    "purge settings",
    "QUIPU_CONFIG_INVALID",
  );
  const rotation = parseOrThrow(PurgeRotationSchema, input.rotation ?? {}, "purge_rotation", "QUIPU_CONFIG_INVALID");
  const everywhere = rotation[ALL_PROJECTS] ?? {};
  const baseDays = everywhere.days ?? settings.defaultDays;
  const baseKeep = everywhere.keep_minimum ?? settings.defaultKeepMinimum;

  const ruleFor = (repo: PurgeCandidate): EffectiveRule => {
    // A project literally named "all" would read the shared entry as its own: that is the reservation.
    const own = Object.hasOwn(rotation, repo.project) ? rotation[repo.project] : undefined;
    const projectDays = own?.days ?? baseDays;
    const projectKeep = own?.keep_minimum ?? baseKeep;
    const refRule = lookup(own?.ref, repo.ref) ?? lookup(everywhere.ref, repo.ref);
    const flavorRule = lookup(own?.flavor, repo.flavor) ?? lookup(everywhere.flavor, repo.flavor);
    const matched = [refRule && { name: `ref ${repo.ref}`, rule: refRule }, flavorRule && { name: `flavor ${repo.flavor}`, rule: flavorRule }].filter(
      (entry): entry is { name: string; rule: PurgeRule } => Boolean(entry),
    );
    if (matched.length === 0) return { key: "default", days: projectDays, keepMinimum: projectKeep };
    // Only the values a rule sets take part in the max; a rule silent on one falls back to the project default.
    const days = maxOf(matched.map((entry) => entry.rule.days)) ?? projectDays;
    const keepMinimum = maxOf(matched.map((entry) => entry.rule.keep_minimum)) ?? projectKeep;
    return { key: matched.map((entry) => entry.name).join(" + "), days, keepMinimum };
  };

  // Group by project and governing rule: keep_minimum counts within one group.
  const groups = new Map<string, { rule: EffectiveRule; repos: PurgeCandidate[] }>();
  for (const repo of input.repos) {
    const rule = ruleFor(repo);
    const groupKey = JSON.stringify([repo.project, rule.key]);
    const group = groups.get(groupKey) ?? { rule, repos: [] };
    group.repos.push(repo);
    groups.set(groupKey, group);
  }

  const decisions: (PurgeDecision & { modified: number })[] = [];
  for (const { rule, repos } of groups.values()) {
    const cutoff = settings.now - rule.days * DAY_MS;
    // Newest first; ties broken by id (newer rows first) so the plan is deterministic.
    const ordered = [...repos].sort((a, b) => b.modified - a.modified || b.id - a.id);
    ordered.forEach((repo, index) => {
      if (index < rule.keepMinimum) return;
      // Strictly older than the cutoff, as the original (`modified < now - days`).
      if (repo.modified < cutoff) decisions.push({ id: repo.id, rule: rule.key, days: rule.days, keepMinimum: rule.keepMinimum, modified: repo.modified });
    });
  }
  return decisions.sort((a, b) => a.modified - b.modified || a.id - b.id).map(({ modified: _modified, ...decision }) => decision);
}

/** The ids of the repos to delete (see the module comment for the rules). */
export function planPurge(input: PurgePlanInput): number[] {
  return explainPurge(input).map((decision) => decision.id);
}

function lookup(rules: Record<string, PurgeRule> | undefined, name: string): PurgeRule | undefined {
  // Own properties only: a ref called `constructor` or `__proto__` must not find Object's.
  return rules !== undefined && Object.hasOwn(rules, name) ? rules[name] : undefined;
}

function maxOf(values: readonly (number | null | undefined)[]): number | undefined {
  const set = values.filter((value): value is number => typeof value === "number");
  return set.length === 0 ? undefined : Math.max(...set);
}
