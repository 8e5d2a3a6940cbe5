/**
 * shaman's web UI: server-rendered HTML, no build step, no scripts beyond a copy button.
 * `mountShamanUi(app, data)` adds `/`, `/builds/…` and `/repos/…` to a Hono app; `data` is any
 * `ShamanUiData` (an adapter over the service, or `createMemoryUiData(records)` in tests).
 */
export { mountShamanUi, parseUiPath, type ShamanUiOptions } from "./mount-shaman-ui.js";
export type { MaybePromise, ShamanUiData, UiBuildRecord, UiDayCount, UiRecordFilter, UiRepoRecord } from "./ui-data.js";
export { createMemoryUiData, type MemoryUiRecords } from "./memory-ui-data.js";
export { renderDashboard, type DashboardView } from "./dashboard-page.js";
export { renderRecordList, type RecordListView } from "./list-page.js";
export { renderDetail, type DetailView } from "./detail-page.js";
export { renderNotFound } from "./not-found-page.js";
export { lastUtcDays, parseTimestamp, utcDay } from "./utc-days.js";
export { escapeHtml, html, SafeHtml } from "./html-template.js";
export { statusTone, type StatusTone } from "./status-tone.js";
export { timeAgo } from "./time-ago.js";
