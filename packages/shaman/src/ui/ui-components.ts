/** Pieces shared by the pages: record links, status pills, "N ago" cells, record tables, side lists. */
import { html, pathHref, type HtmlValue, type SafeHtml } from "./html-template.js";
import { statusTone } from "./status-tone.js";
import { timestampAgo } from "./time-ago.js";
import type { UiBuildRecord, UiRepoRecord } from "./ui-data.js";

export type RecordKind = "builds" | "repos";

/** A build or a repo, told apart by `kind`, so tables and detail pages are written once. */
export type KindedRecord = { readonly kind: "builds"; readonly record: UiBuildRecord } | { readonly kind: "repos"; readonly record: UiRepoRecord };

/** `/builds/`, `/builds/{p}/`, … down to `/builds/{p}/{ref}/{sha1}/{flavor}/`. */
export function levelHref(kind: RecordKind, ...parts: readonly string[]): string {
  return pathHref(kind, ...parts);
}

/** The stable detail link people share: `/builds/{p}/{ref}/{sha1}/{flavor}/{id}/`. */
export function detailHref(kind: RecordKind, record: UiBuildRecord | UiRepoRecord): string {
  return pathHref(kind, record.project, record.ref, record.sha1, record.flavor, record.id);
}

export function statusPill(status: string): SafeHtml {
  return html`<span class="pill tone-${statusTone(status)}">${status || "—"}</span>`;
}

/** "3 hours ago", with the exact timestamp on hover. */
export function agoText(timestamp: string | null | undefined, now: Date): SafeHtml {
  return html`<span class="ago" title="${timestamp ?? ""}">${timestampAgo(timestamp, now)}</span>`;
}

/** `22.04 (jammy)`, or just the version when there is no distinct codename. */
export function releaseText(version: string | null, codename: string | null): string {
  if (!version) return codename ?? "—";
  return codename && codename !== version ? `${version} (${codename})` : version;
}

export function shortSha1(sha1: string): SafeHtml {
  return html`<code title="${sha1}">${sha1.slice(0, 10)}</code>`;
}

function archText(entry: KindedRecord): string {
  if (entry.kind === "builds") return entry.record.distro_arch ?? "—";
  return entry.record.archs.length > 0 ? entry.record.archs.join(", ") : "—";
}

/** One row per record, coloured by status; every identifying cell links one level down. */
export function recordTable(entries: readonly KindedRecord[], now: Date): SafeHtml {
  const rows = entries.map((entry) => {
    const { kind, record } = entry;
    return html`<tr class="tone-${statusTone(record.status)}" data-id="${record.id}">
<td><a href="${detailHref(kind, record)}">#${record.id}</a></td>
<td><a href="${levelHref(kind, record.project)}">${record.project}</a></td>
<td class="ref" title="${record.ref}"><a href="${levelHref(kind, record.project, record.ref)}">${record.ref}</a></td>
<td><a href="${levelHref(kind, record.project, record.ref, record.sha1)}">${shortSha1(record.sha1)}</a></td>
<td>${record.distro ?? "—"}</td>
<td>${releaseText(record.distro_version, record.distro_codename)}</td>
<td><a href="${levelHref(kind, record.project, record.ref, record.sha1, record.flavor)}">${record.flavor}</a></td>
<td>${archText(entry)}</td>
<td>${statusPill(record.status)}</td>
<td class="when">${agoText(record.modified, now)}</td>
</tr>`;
  });
  return html`<div class="scroll"><table class="records">
<thead><tr><th>id</th><th>project</th><th>ref</th><th>sha1</th><th>distro</th><th>release</th><th>flavor</th><th>arch</th><th>status</th><th>modified</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

export interface SideItem {
  readonly label: string;
  readonly href: string;
}

/** A side panel of distinct values at this level (projects, refs, sha1s or flavors), each with a copy button. */
export function sidePanel(title: string, items: readonly SideItem[]): SafeHtml {
  const list = items.map((item) => html`<li><a href="${item.href}" class="mono">${item.label}</a><button type="button" class="copy" data-copy="${item.label}" title="Copy to clipboard">Copy</button></li>`);
  return html`<section class="panel side" aria-label="${title}"><h2>${title}</h2>${items.length > 0 ? html`<ul>${list}</ul>` : html`<div class="body"><p class="empty">None yet.</p></div>`}</section>`;
}

export function panel(title: HtmlValue, body: HtmlValue, options: { readonly className?: string; readonly foot?: HtmlValue } = {}): SafeHtml {
  return html`<section class="panel${options.className ? ` ${options.className}` : ""}"><h2>${title}</h2>${body}${options.foot ? html`<div class="foot">${options.foot}</div>` : ""}</section>`;
}

/** Distinct values in first-seen order, so the newest (records come newest first) lead the list. */
export function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
