/**
 * @quipu/shaman — the coordinator daemon, wire-compatible with ceph/shaman.
 *
 * - `createShamanService` — every behaviour (node pool and hand-out, repo and build records,
 *   search and `latest`, health, dashboard figures), no HTTP; `createSqliteShamanStore` is its
 *   embedded default store.
 * - `createShamanApp` — the HTTP routes (API and web UI) as a Hono app (`app.fetch` is a fetch
 *   handler to serve or mount in another server).
 * - `createShamanClient` (also `@quipu/shaman/client`) — the typed SDK over HTTP.
 * - `main` — the `quipu-shaman` command line (`serve`).
 */
export { main, commands, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from "./cli.js";
export {
  createShamanService,
  type BuildFilter,
  type DashboardDay,
  type NodeView,
  type RepoFilter,
  type RepoLevel,
  type RepoRedirectRequest,
  type RepoReportOutcome,
  type ShamanDashboard,
  type ShamanHealthReport,
  type ShamanService,
  type ShamanServiceOptions,
} from "./service.js";
export { createShamanApp, defaultShamanUi, NO_NODES_MESSAGE, SHAMAN_REALM, type ShamanApp, type ShamanAppOptions, type ShamanUiMount } from "./app.js";
export { createServiceUiData } from "./service-ui-data.js";
export { createSqliteShamanStore, type SqliteShamanStoreOptions } from "./store/sqlite-shaman-store.js";
export type * from "./store/shaman-store.js";
export { ShamanConfigSchema, SHAMAN_DEFAULT_PORT, resolveShamanPaths, type ShamanConfig, type ShamanConfigInput, type ShamanFilePaths } from "./config.js";
export { startShaman, type StartShamanContext } from "./daemon.js";
export { parseSearchParams, searchRepos, SEARCH_PARAMETERS, type SearchParameter, type SearchQuery } from "./repo-search.js";
export { buildJson, nodeJson, repoJson, type BuildJson, type NodeJson, type RepoJson } from "./wire-json.js";
export { createShamanClient, type RepoLocation, type ShamanClient, type ShamanClientOptions } from "./client.js";
