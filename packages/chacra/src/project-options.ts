/**
 * The per-project `repos` configuration, as the original spells it:
 * `{ "<project>": { automatic, disabled, combined: [codenames], all: { "<other>": [refs|"all"] },
 *    "<ref>": { "<other>": [refs|"all"] } } }`.
 * Every key that is not an option names a ref whose repos pull in other projects' packages.
 */

const OPTION_KEYS = new Set(["automatic", "disabled", "combined", "all"]);

export type ProjectReposConfig = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface ProjectOptions {
  readonly configured: boolean;
  readonly automatic: boolean;
  readonly disabled: boolean;
  readonly combined: readonly string[];
  /** Other projects (and their refs, or "all") whose packages this project's repos of `ref` include. */
  extraProjects(ref: string): ReadonlyMap<string, readonly string[]>;
}

function asRefList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function asProjectMap(value: unknown): Map<string, string[]> {
  const map = new Map<string, string[]>();
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [project, refs] of Object.entries(value)) map.set(project, asRefList(refs));
  }
  return map;
}

export function projectOptions(config: ProjectReposConfig, project: string, disableUnconfigured: boolean): ProjectOptions {
  const entry = Object.hasOwn(config, project) ? config[project] : undefined;
  const configured = entry !== undefined;
  const automatic = entry?.["automatic"] !== false;
  const disabled = entry?.["disabled"] === true || (!configured && disableUnconfigured);
  const combined = asRefList(entry?.["combined"]);
  return {
    configured,
    automatic,
    disabled,
    combined,
    extraProjects(ref) {
      // The `all` section applies to every ref and wins over the ref's own section, as in the original.
      const merged = new Map<string, string[]>();
      if (entry === undefined) return merged;
      if (Object.hasOwn(entry, ref) && !OPTION_KEYS.has(ref)) {
        for (const [other, refs] of asProjectMap(entry[ref])) merged.set(other, refs);
      }
      for (const [other, refs] of asProjectMap(entry["all"])) merged.set(other, refs);
      return merged;
    },
  };
}

/**
 * Projects whose repos include packages of `project` (so an upload to `project` makes their repos
 * dirty), with the refs of theirs that do: `"all"` when the `all` section names it. Unlike the
 * original, every ref section is considered, not only the last one.
 */
export function projectsRelatedTo(config: ProjectReposConfig, project: string): Map<string, { refs: Set<string>; sourceRefs: Set<string> }> {
  const related = new Map<string, { refs: Set<string>; sourceRefs: Set<string> }>();
  for (const [owner, entry] of Object.entries(config)) {
    if (owner === project) continue;
    for (const [key, value] of Object.entries(entry)) {
      if (key !== "all" && OPTION_KEYS.has(key)) continue;
      const refs = asProjectMap(value).get(project);
      if (refs === undefined) continue;
      const slot = related.get(owner) ?? { refs: new Set<string>(), sourceRefs: new Set<string>() };
      slot.refs.add(key);
      for (const ref of refs) slot.sourceRefs.add(ref);
      related.set(owner, slot);
    }
  }
  return related;
}
