/**
 * The drill-down lists `/builds/`, `/builds/{p}/`, … `/builds/{p}/{ref}/{sha1}/{flavor}/` and the
 * same under `/repos/`: a status-coloured table plus a side panel of the distinct values one
 * level down (projects, refs, sha1s, flavors).
 */
import { html, type SafeHtml } from "./html-template.js";
import { distinct, levelHref, panel, recordTable, sidePanel, type KindedRecord, type RecordKind } from "./ui-components.js";
import type { UiBuildRecord, UiRepoRecord } from "./ui-data.js";
import { renderPage, type Crumb } from "./ui-layout.js";

export type RecordListView = {
  /** `[]`, `[project]`, `[project, ref]`, `[project, ref, sha1]` or `[project, ref, sha1, flavor]`. */
  readonly level: readonly string[];
  /** Every project, for the top level's side panel. */
  readonly projects: readonly string[];
  /** True when there were more records than the list shows. */
  readonly truncated: boolean;
  readonly now: Date;
} & ({ readonly kind: "builds"; readonly records: readonly UiBuildRecord[] } | { readonly kind: "repos"; readonly records: readonly UiRepoRecord[] });

const KIND_TITLE: Record<RecordKind, string> = { builds: "Builds", repos: "Repos" };
const LEVEL_NAMES = ["project", "ref", "sha1", "flavor"] as const;
const SIDE_TITLES = ["Projects", "Refs", "SHA1s", "Flavors"] as const;

/** Dashboard › Builds › ceph › main › … with every step but the last a link. */
export function levelCrumbs(kind: RecordKind, level: readonly string[], linkLast: boolean): Crumb[] {
  const crumbs: Crumb[] = [{ label: "Dashboard", href: "/" }, { label: KIND_TITLE[kind], href: levelHref(kind) }];
  level.forEach((part, index) => crumbs.push({ label: part, href: levelHref(kind, ...level.slice(0, index + 1)) }));
  if (!linkLast) crumbs[crumbs.length - 1] = { label: crumbs[crumbs.length - 1]?.label ?? "" };
  return crumbs;
}

function nextLevelValues(view: RecordListView): string[] {
  const records: readonly (UiBuildRecord | UiRepoRecord)[] = view.records;
  switch (view.level.length) {
    case 0:
      return [...view.projects];
    case 1:
      return distinct(records.map((record) => record.ref));
    case 2:
      return distinct(records.map((record) => record.sha1));
    case 3:
      return distinct(records.map((record) => record.flavor));
    default:
      return [];
  }
}

export function renderRecordList(view: RecordListView): string {
  const entries: KindedRecord[] = view.kind === "builds" ? view.records.map((record) => ({ kind: "builds", record })) : view.records.map((record) => ({ kind: "repos", record }));
  const noun = view.kind === "builds" ? "builds" : "repositories";
  const scope = view.level.length > 0 ? html` of <strong>${view.level.map((part, index) => `${LEVEL_NAMES[index]} ${part}`).join(", ")}</strong>` : "";
  const count = view.truncated ? html`the newest ${view.records.length} ${noun}${scope} (older ones are not listed)` : html`${view.records.length} ${noun}${scope}`;
  const table: SafeHtml = entries.length > 0 ? recordTable(entries, view.now) : html`<div class="body"><p class="empty">No ${noun} here yet.</p></div>`;
  const main = panel(html`Latest ${noun}`, html`<div class="body muted">Showing ${count}, newest first.</div>${table}`);
  const sideTitle = SIDE_TITLES[view.level.length];
  const side = sideTitle
    ? sidePanel(
        sideTitle,
        nextLevelValues(view).map((value) => ({ label: value, href: levelHref(view.kind, ...view.level, value) })),
      )
    : "";
  // The same level of the other tree: a sha1's repos are one click from its builds and back.
  const other: RecordKind = view.kind === "builds" ? "repos" : "builds";
  const crossLink = view.level.length > 0 ? html`<div class="buttons"><a class="button" href="${levelHref(other, ...view.level)}">${KIND_TITLE[other]} of ${view.level.join(" › ")} →</a></div>` : "";
  const content = html`${crossLink}${main}`;
  const body = side ? html`<div class="with-side"><div>${content}</div><aside>${side}</aside></div>` : content;
  return renderPage({
    title: KIND_TITLE[view.kind],
    subtitle: view.level.length > 0 ? view.level.join(" › ") : undefined,
    crumbs: levelCrumbs(view.kind, view.level, false),
    body,
  });
}
