/** `/`: a card per project, the latest completed builds and ready repos, and the per-day chart. */
import { html, type SafeHtml } from "./html-template.js";
import { renderPerDayChart } from "./per-day-chart.js";
import { statusTone } from "./status-tone.js";
import { agoText, detailHref, levelHref, panel, releaseText, shortSha1 } from "./ui-components.js";
import type { UiBuildRecord, UiDayCount, UiRepoRecord } from "./ui-data.js";
import { renderPage } from "./ui-layout.js";

export interface DashboardView {
  readonly projects: readonly string[];
  /** Newest first; status `completed`. */
  readonly latestBuilds: readonly UiBuildRecord[];
  /** Newest first; status `ready`. */
  readonly latestRepos: readonly UiRepoRecord[];
  readonly readyPerDay: readonly UiDayCount[];
  readonly now: Date;
}

function projectCard(name: string): SafeHtml {
  return html`<div class="project"><div class="name">${name}</div><div class="links"><a href="${levelHref("builds", name)}">Builds →</a><a href="${levelHref("repos", name)}">Repos →</a></div></div>`;
}

function latestTable(kind: "builds" | "repos", records: readonly (UiBuildRecord | UiRepoRecord)[], now: Date): SafeHtml {
  if (records.length === 0) return html`<div class="body"><p class="empty">None yet.</p></div>`;
  const rows = records.map((record) => {
    const arch = "distro_arch" in record ? record.distro_arch : record.archs.join(", ");
    return html`<tr class="tone-${statusTone(record.status)}">
<td class="who" title="${record.project} / ${record.ref}"><a href="${detailHref(kind, record)}">${record.project} / ${record.ref}</a></td>
<td>${shortSha1(record.sha1)}</td>
<td>${record.distro ?? "—"} ${releaseText(record.distro_version, record.distro_codename)}</td>
<td>${arch || "—"}</td>
<td>${record.flavor}</td>
<td class="when">${agoText(record.modified, now)}</td>
</tr>`;
  });
  return html`<div class="scroll"><table class="latest"><thead><tr><th>project / ref</th><th>sha1</th><th>distro</th><th>arch</th><th>flavor</th><th>modified</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function renderDashboard(view: DashboardView): string {
  const projects = view.projects.length > 0 ? html`<div class="projects">${view.projects.map(projectCard)}</div>` : panel("Projects", html`<div class="body"><p class="empty">No projects yet: they appear with their first build or repository.</p></div>`);
  const body = html`${projects}
<div class="two">
${panel("Latest completed builds", latestTable("builds", view.latestBuilds, view.now), { foot: html`<a href="/builds/">View all recent builds →</a>` })}
${panel("Latest ready repositories", latestTable("repos", view.latestRepos, view.now), { foot: html`<a href="/repos/">View all recent repositories →</a>` })}
</div>
${panel(`Ready repositories per day (last ${view.readyPerDay.length} days, UTC)`, html`<div class="body">${renderPerDayChart(view.readyPerDay)}</div>`)}`;
  return renderPage({ title: "Projects", body });
}
