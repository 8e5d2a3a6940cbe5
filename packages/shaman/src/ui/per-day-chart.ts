/**
 * The dashboard's "ready repositories per day" chart as inline SVG: stacked bars, one colour
 * per project, replacing the original's Morris.js area chart (no scripts, no CDN). Geometry is
 * computed from numbers only; names reach the markup through `html`, escaped.
 */
import { html, type SafeHtml } from "./html-template.js";
import type { UiDayCount } from "./ui-data.js";

const WIDTH = 960;
const HEIGHT = 240;
const LEFT = 40;
const RIGHT = 10;
const TOP = 12;
const BOTTOM = 28;
const SERIES_COLOURS = 8;

/** A step of 1, 2 or 5 × 10^n giving at most five gridlines up to `max`. */
export function tickStep(max: number): number {
  if (max <= 5) return 1;
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough);
  return step ?? 10 * magnitude;
}

export function renderPerDayChart(days: readonly UiDayCount[]): SafeHtml {
  // Projects with no ready repos in the window are left out, as in the original.
  const projects = [...new Set(days.flatMap((day) => Object.keys(day.counts).filter((name) => (day.counts[name] ?? 0) > 0)))].sort();
  if (projects.length === 0) return html`<p class="empty">No repositories became ready in the last ${days.length} days.</p>`;

  const totals = days.map((day) => projects.reduce((sum, name) => sum + (day.counts[name] ?? 0), 0));
  const step = tickStep(Math.max(...totals));
  const top = Math.max(step, Math.ceil(Math.max(...totals) / step) * step);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, days.length);
  const barWidth = Math.min(56, slot * 0.62);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const fixed = (value: number) => value.toFixed(1);

  const gridlines = [];
  for (let value = 0; value <= top; value += step) {
    gridlines.push(html`<line class="${value === 0 ? "axis" : "grid"}" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fixed(y(value))}" y2="${fixed(y(value))}"/><text x="${LEFT - 6}" y="${fixed(y(value) + 4)}" text-anchor="end">${value}</text>`);
  }

  const bars = days.map((day, index) => {
    const x = LEFT + slot * index + (slot - barWidth) / 2;
    let base = 0;
    const segments = projects.map((name, series) => {
      const count = day.counts[name] ?? 0;
      if (count === 0) return "";
      const rect = html`<rect class="series-${series % SERIES_COLOURS}" x="${fixed(x)}" y="${fixed(y(base + count))}" width="${fixed(barWidth)}" height="${fixed(y(base) - y(base + count))}"><title>${name}: ${count} on ${day.day}</title></rect>`;
      base += count;
      return rect;
    });
    // Labels show MM-DD: the year adds nothing over a ten-day window.
    return html`<g>${segments}<text x="${fixed(LEFT + slot * index + slot / 2)}" y="${HEIGHT - 8}" text-anchor="middle">${day.day.slice(5)}</text></g>`;
  });

  const legend = projects.map((name, series) => html`<span><span class="swatch series-${series % SERIES_COLOURS}"></span>${name}</span>`);
  const summary = `Ready repositories per day, ${days[0]?.day ?? ""} to ${days.at(-1)?.day ?? ""}`;
  return html`<div class="chart"><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${summary}" xmlns="http://www.w3.org/2000/svg">${gridlines}${bars}</svg><div class="legend">${legend}</div></div>`;
}
