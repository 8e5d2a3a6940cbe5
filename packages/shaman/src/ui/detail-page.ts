/**
 * `/builds/{p}/{ref}/{sha1}/{flavor}/{id}/` and `/repos/…/{id}/`: every field of one record, its
 * outside links (Jenkins build and log, or repo and chacra URLs), and the other kind's records
 * for the same sha1.
 */
import { externalHref, html, type HtmlValue, type SafeHtml } from "./html-template.js";
import { statusTone } from "./status-tone.js";
import { agoText, levelHref, panel, recordTable, statusPill, type KindedRecord } from "./ui-components.js";
import type { UiBuildRecord, UiRepoRecord } from "./ui-data.js";
import { levelCrumbs } from "./list-page.js";
import { renderPage } from "./ui-layout.js";

export type DetailView = { readonly now: Date } & (
  | { readonly kind: "builds"; readonly record: UiBuildRecord; /** Repos of the same project, ref and sha1. */ readonly related: readonly UiRepoRecord[] }
  | { readonly kind: "repos"; readonly record: UiRepoRecord; /** Builds of the same project, ref and sha1. */ readonly related: readonly UiBuildRecord[] }
);

type Field = readonly [label: string, value: HtmlValue];

/** A link when the URL is plain http(s); otherwise the text, so a hostile URL is inert. */
function urlValue(url: string | null | undefined): HtmlValue {
  if (!url) return html`<span class="muted">—</span>`;
  const href = externalHref(url);
  return href ? html`<a href="${href}" rel="noreferrer">${href}</a>` : html`<span class="mono">${url}</span>`;
}

function timeValue(timestamp: string | null, now: Date): HtmlValue {
  return timestamp ? html`<span class="mono">${timestamp}</span> · ${agoText(timestamp, now)}` : html`<span class="muted">—</span>`;
}

function textValue(value: string | null | undefined): HtmlValue {
  return value === null || value === undefined || value === "" ? html`<span class="muted">—</span>` : value;
}

function extraValue(extra: unknown): HtmlValue {
  if (extra === null || extra === undefined) return html`<span class="muted">—</span>`;
  return html`<pre>${typeof extra === "string" ? extra : JSON.stringify(extra, null, 2)}</pre>`;
}

function button(label: string, url: string | null | undefined): SafeHtml {
  const href = externalHref(url);
  return href ? html`<a class="button" href="${href}" rel="noreferrer">${label}</a>` : html`<span class="button disabled" title="No usable URL recorded">${label}</span>`;
}

function buildFields(build: UiBuildRecord, now: Date): Field[] {
  return [
    ["ID", String(build.id)],
    ["Project", build.project],
    ["Ref", build.ref],
    ["SHA1", html`<span class="mono">${build.sha1}</span>`],
    ["Flavor", build.flavor],
    ["Status", statusPill(build.status)],
    ["Distro", textValue(build.distro)],
    ["Distro version", textValue(build.distro_version)],
    ["Distro codename", textValue(build.distro_codename)],
    ["Distro arch", textValue(build.distro_arch)],
    ["Started", timeValue(build.started, now)],
    ["Completed", timeValue(build.completed, now)],
    ["Modified", timeValue(build.modified, now)],
    ["Jenkins build URL", urlValue(build.url)],
    ["Log URL", urlValue(build.log_url)],
    ["Extra", extraValue(build.extra)],
  ];
}

function repoFields(repo: UiRepoRecord, now: Date): Field[] {
  return [
    ["ID", String(repo.id)],
    ["Project", repo.project],
    ["Ref", repo.ref],
    ["SHA1", html`<span class="mono">${repo.sha1}</span>`],
    ["Flavor", repo.flavor],
    ["Status", statusPill(repo.status)],
    ["Distro", textValue(repo.distro)],
    ["Distro version", textValue(repo.distro_version)],
    ["Distro codename", textValue(repo.distro_codename)],
    ["Archs", textValue(repo.archs.join(", "))],
    ["Modified", timeValue(repo.modified, now)],
    ["Repo URL", urlValue(repo.url)],
    ["Chacra URL", urlValue(repo.chacra_url)],
    ["Extra", extraValue(repo.extra)],
  ];
}

export function renderDetail(view: DetailView): string {
  const { record, now } = view;
  const sha1Level = [record.project, record.ref, record.sha1] as const;
  const where = sha1Level.join(" › ");
  const fields = view.kind === "builds" ? buildFields(view.record, now) : repoFields(view.record, now);
  const outside =
    view.kind === "builds" ? [button("Jenkins build", view.record.url), button("Log output", view.record.log_url)] : [button("Repo URL", view.record.url), button("Chacra URL", view.record.chacra_url)];
  const noun = view.kind === "builds" ? "Build" : "Repo";
  const table = html`<table class="fields"><tbody>${fields.map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`)}</tbody></table>`;
  const main = panel(html`${noun} #${record.id} ${statusPill(record.status)}`, html`<div class="body"><div class="buttons">${outside}</div>${table}</div>`, {
    className: `tone-${statusTone(record.status)}`,
  });

  const related: KindedRecord[] = view.kind === "builds" ? view.related.map((repo) => ({ kind: "repos", record: repo })) : view.related.map((build) => ({ kind: "builds", record: build }));
  const relatedKind = view.kind === "builds" ? "repos" : "builds";
  const relatedNoun = relatedKind === "repos" ? "Repositories" : "Builds";
  const relatedPanel = panel(
    html`${relatedNoun} of ${where}`,
    related.length > 0 ? recordTable(related, now) : html`<div class="body"><p class="empty">None yet.</p></div>`,
    { foot: html`<a href="${levelHref(relatedKind, ...sha1Level)}">All ${relatedNoun.toLowerCase()} of this sha1 →</a> · <a href="${levelHref(view.kind, ...sha1Level)}">All ${noun.toLowerCase()}s of this sha1 →</a>` },
  );

  return renderPage({
    title: `${noun} #${record.id}`,
    subtitle: `${where} › ${record.flavor}`,
    crumbs: [...levelCrumbs(view.kind, [...sha1Level, record.flavor], true), { label: `#${record.id}` }],
    body: html`${main}${relatedPanel}`,
  });
}
