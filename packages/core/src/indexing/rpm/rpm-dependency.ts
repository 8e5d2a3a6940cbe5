import { RpmSense } from "./tag-ids.js";

/** Comparison written in repodata's `flags` attribute, from the low four sense bits. */
export type RpmComparison = "EQ" | "LT" | "GT" | "LE" | "GE";

/** One dependency as stored in the header: name, raw sense bits and the raw `[E:]V[-R]` text. */
export interface RpmDependency {
  readonly name: string;
  /** Raw RPMSENSE bits (see `RpmSense`). */
  readonly flags: number;
  /** Raw version text, `""` when the dependency has none. */
  readonly version: string;
  /** `flags & 0xf` as repodata writes it; absent for no comparison (or an unknown combination). */
  readonly comparison?: RpmComparison;
  /** A requirement needed before install or by a scriptlet (PREREQ, SCRIPT_PRE/POST, PRETRANS, POSTTRANS). */
  readonly pre: boolean;
}

/** createrepo_c's `cr_flag_to_str`. */
export function comparisonOf(flags: number): RpmComparison | undefined {
  switch (flags & 0xf) {
    case 2:
      return "LT";
    case 4:
      return "GT";
    case 8:
      return "EQ";
    case 10:
      return "LE";
    case 12:
      return "GE";
    default:
      return undefined;
  }
}

const PRE_BITS = RpmSense.PREREQ | RpmSense.SCRIPT_PRE | RpmSense.SCRIPT_POST | RpmSense.PRETRANS | RpmSense.POSTTRANS;

/** Whether a requirement gets `pre="1"` in primary.xml (createrepo_c ≥ 1.0 rule, with PRETRANS/POSTTRANS). */
export function isPreRequirement(flags: number): boolean {
  return (flags & PRE_BITS) !== 0;
}

export function makeDependency(name: string, flags: number, version: string): RpmDependency {
  const comparison = comparisonOf(flags);
  const pre = isPreRequirement(flags);
  return comparison === undefined ? { name, flags, version, pre } : { name, flags, version, comparison, pre };
}

export interface SplitEvr {
  /** Absent only when the epoch is not numeric (createrepo_c then drops the dependency). */
  readonly epoch?: string;
  readonly version?: string;
  readonly release?: string;
}

/**
 * createrepo_c's `cr_str_to_evr`: `[epoch:]version[-release]`, split at the first `:` and then the
 * first `-`; the epoch defaults to "0"; an empty text gives an empty result.
 */
export function splitEvr(text: string): SplitEvr {
  if (text === "") return {};
  let rest = text;
  let epoch: string | undefined = "0";
  const colon = text.indexOf(":");
  if (colon >= 0) {
    const candidate = text.slice(0, colon);
    if (isStrtolNumber(candidate)) {
      if (candidate.length > 0) epoch = candidate;
    } else {
      epoch = undefined;
    }
    rest = text.slice(colon + 1);
  }
  const dash = rest.indexOf("-");
  const out: { epoch?: string; version?: string; release?: string } = {};
  if (epoch !== undefined) out.epoch = epoch;
  if (dash >= 0) {
    out.version = rest.slice(0, dash);
    const release = rest.slice(dash + 1);
    if (release !== "") out.release = release;
  } else {
    out.version = rest;
  }
  return out;
}

/** True when C's `strtol(s, &end, 10)` would consume all of `s` (empty counts, as in createrepo_c). */
function isStrtolNumber(s: string): boolean {
  if (s === "") return true;
  return /^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(s);
}
