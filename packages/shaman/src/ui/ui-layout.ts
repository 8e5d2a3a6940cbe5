/**
 * The page frame: one constant stylesheet and one constant script, both inline (the UI has no
 * static files and no CDN), allowed by hash in a Content-Security-Policy that forbids every
 * other script and style. Escaping is the first defence; the policy makes a slip harmless.
 */
import { createHash } from "node:crypto";
import { html, unsafeRaw, type HtmlValue, type SafeHtml } from "./html-template.js";

const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Liberation Sans",sans-serif;background:#f3f5f8;color:#1f2933}
a{color:#1d5fa8;text-decoration:none}
a:hover{text-decoration:underline}
code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12.5px}
.topbar{display:flex;align-items:center;gap:24px;padding:0 24px;height:48px;background:#243447;color:#fff}
.topbar a{color:#dbe4ee}
.topbar .brand{font-weight:700;font-size:17px;color:#fff;letter-spacing:.02em}
.topbar nav{display:flex;gap:18px}
main{max-width:1320px;margin:0 auto;padding:18px 24px 40px}
h1{font-size:22px;font-weight:600;margin:4px 0 16px}
h1 small{font-size:14px;font-weight:400;color:#5b6b7b;margin-left:8px}
.crumbs{color:#5b6b7b;font-size:13px;margin-bottom:2px;overflow-wrap:anywhere}
.crumbs span.sep{margin:0 6px;color:#9aa5b1}
.panel{background:#fff;border:1px solid #d8dee6;border-radius:6px;margin-bottom:18px;overflow:hidden}
.panel>h2{margin:0;padding:9px 14px;font-size:14px;font-weight:600;background:#f7f9fb;border-bottom:1px solid #e3e8ee}
.panel>.body{padding:12px 14px}
.panel>.foot{padding:8px 14px;border-top:1px solid #e3e8ee;background:#fafbfc}
.panel.tone-ok{border-top:4px solid #2e7d32}
.panel.tone-failed{border-top:4px solid #c62828}
.panel.tone-pending{border-top:4px solid #c98a00}
.empty{color:#5b6b7b;font-style:italic;margin:0}
.projects{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:14px;margin-bottom:18px}
.project{background:#fff;border:1px solid #d8dee6;border-radius:6px;overflow:hidden}
.project .name{background:#2f6fb0;color:#fff;font-size:20px;font-weight:600;padding:16px 14px;overflow-wrap:anywhere}
.project .links{display:flex}
.project .links a{flex:1;padding:9px 14px;border-top:1px solid #e3e8ee}
.project .links a+a{border-left:1px solid #e3e8ee}
.two{display:grid;grid-template-columns:minmax(0,1fr);gap:0 18px}
@media (min-width:1700px){.two{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}
.with-side{display:grid;grid-template-columns:minmax(0,1fr) 290px;gap:18px;align-items:start}
@media (max-width:1000px){.with-side{grid-template-columns:minmax(0,1fr)}}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e6eaef;vertical-align:top;white-space:nowrap;font-size:13px}
th{font-weight:600;color:#3e4c59;background:#fafbfc;font-size:13px}
td.ref{max-width:15em;overflow:hidden;text-overflow:ellipsis}
td.who{max-width:26em;overflow:hidden;text-overflow:ellipsis}
td.when{white-space:normal;min-width:9em}
tr.tone-ok>td{background:#e7f5ea}
tr.tone-failed>td{background:#fdecea}
tr.tone-pending>td{background:#fff5d9}
tr.tone-ok>td:first-child{box-shadow:inset 4px 0 #2e7d32}
tr.tone-failed>td:first-child{box-shadow:inset 4px 0 #c62828}
tr.tone-pending>td:first-child{box-shadow:inset 4px 0 #c98a00}
.ago{color:#52606d}
.muted{color:#7b8794}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e4e7eb;color:#323f4b}
.pill.tone-ok{background:#2e7d32;color:#fff}
.pill.tone-failed{background:#c62828;color:#fff}
.pill.tone-pending{background:#c98a00;color:#fff}
.fields th{width:170px;background:none;font-size:14px}
.fields td{white-space:normal;overflow-wrap:anywhere}
.fields pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.buttons{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 14px}
.button{display:inline-block;padding:6px 12px;border:1px solid #c3ccd5;border-radius:4px;background:#fff;color:#1d5fa8}
.button.disabled{color:#9aa5b1}
.side ul{list-style:none;margin:0;padding:0}
.side li{display:flex;align-items:center;gap:8px;padding:5px 14px;border-bottom:1px solid #eef1f4}
.side li:last-child{border-bottom:0}
.side li a{flex:1;min-width:0;overflow-wrap:anywhere}
button.copy{font:inherit;font-size:12px;padding:1px 7px;border:1px solid #c3ccd5;border-radius:4px;background:#fff;color:#3e4c59;cursor:pointer}
.chart svg{display:block;width:100%;height:auto}
.chart .axis{stroke:#9aa5b1;stroke-width:1}
.chart .grid{stroke:#e6eaef;stroke-width:1}
.chart text{font-size:11px;fill:#52606d}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin-top:8px;font-size:13px}
.legend span.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.series-0{fill:#2f6fb0;background:#2f6fb0}.series-1{fill:#e07b24;background:#e07b24}
.series-2{fill:#2e9d6a;background:#2e9d6a}.series-3{fill:#8e5cc2;background:#8e5cc2}
.series-4{fill:#c94f6d;background:#c94f6d}.series-5{fill:#1b9aaa;background:#1b9aaa}
.series-6{fill:#a38b2d;background:#a38b2d}.series-7{fill:#5d6b7a;background:#5d6b7a}
`;

/** Copy buttons beside refs and sha1s (the original had them); degrades to nothing without JS. */
const SCRIPT = `
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.getAttribute("data-copy") || "").then(function () {
    button.textContent = "Copied";
  });
});
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** Sent with every UI page: only our own inline style and script may run. */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

export interface PageOptions {
  readonly title: string;
  /** Shown after the title in the heading, muted. */
  readonly subtitle?: HtmlValue;
  readonly crumbs?: readonly Crumb[];
  readonly body: HtmlValue;
}

export function breadcrumbs(crumbs: readonly Crumb[]): SafeHtml {
  const items = crumbs.map((crumb, index) => html`${index > 0 ? html`<span class="sep">›</span>` : ""}${crumb.href ? html`<a href="${crumb.href}">${crumb.label}</a>` : html`<span>${crumb.label}</span>`}`);
  return html`<nav class="crumbs" aria-label="Breadcrumb">${items}</nav>`;
}

export function renderPage(page: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · shaman</title>
<style>${unsafeRaw(STYLE)}</style>
</head>
<body>
<header class="topbar"><a class="brand" href="/">shaman</a><nav><a href="/">Dashboard</a><a href="/builds/">Builds</a><a href="/repos/">Repos</a></nav></header>
<main>
${page.crumbs && page.crumbs.length > 0 ? breadcrumbs(page.crumbs) : ""}
<h1>${page.title}${page.subtitle ? html` <small>${page.subtitle}</small>` : ""}</h1>
${page.body}
</main>
<script>${unsafeRaw(SCRIPT)}</script>
</body>
</html>
`.value;
}
