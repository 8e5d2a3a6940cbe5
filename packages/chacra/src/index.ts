/**
 * @quipu/chacra — the binary store and repository daemon, wire-compatible with ceph/chacra.
 *
 * - `createChacraService` — every behaviour (uploads, repos, the durable build queue, purge),
 *   no HTTP; `createSqliteChacraStore` is its embedded default store.
 * - `createChacraApp` — the HTTP routes as a Hono app (`app.fetch` is a fetch handler to serve or
 *   mount in another server).
 * - `createChacraClient` (also `@quipu/chacra/client`) — the typed SDK over HTTP.
 * - `main` — the `quipu-chacra` command line (`serve`, `index`, `upload`).
 */
export { main, commands, type CliIo, type Command } from "./cli.js";
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./commands/command.js";
export {
  createChacraService,
  repoTypeOfDistro,
  repoTypeOfFile,
  type ArchAddress,
  type ChacraPaths,
  type ChacraService,
  type ChacraServiceOptions,
  type CommitUploadOptions,
  type RepositoryBuilder,
  type UploadOutcome,
} from "./service.js";
export { createChacraApp, type ChacraApp, type ChacraAppOptions, type ChacraHealthReport } from "./app.js";
export { createSqliteChacraStore, type SqliteChacraStoreOptions } from "./store/sqlite-chacra-store.js";
export type * from "./store/chacra-store.js";
export { projectOptions, projectsRelatedTo, type ProjectOptions, type ProjectReposConfig } from "./project-options.js";
export { binaryJson, lastChanged, repoJson } from "./wire-json.js";
export { createChacraClient, nextChacraNode, type ChacraClient, type ChacraClientOptions } from "./client.js";
