/**
 * `quipu-shaman serve`, assembled: config → SQLite store → service → HTTP app (API + web UI) →
 * the node loop (re-probing down nodes, saving hand-out times). `runDaemon` from
 * `@quipu/core/daemon` does the rest of the daemon contract (flags, env, help, listening line,
 * graceful stop).
 */
import { systemClock, type Clock, type Logger } from "@quipu/core";
import type { DaemonService } from "@quipu/core/daemon";
import { createShamanApp, defaultShamanUi, type ShamanUiMount } from "./app.js";
import { resolveShamanPaths, type ShamanConfig } from "./config.js";
import { createShamanService } from "./service.js";
import { createSqliteShamanStore } from "./store/sqlite-shaman-store.js";

export interface StartShamanContext {
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  /** Overrides the web UI mount (tests, embedders); default: quipu's UI. */
  readonly ui?: ShamanUiMount | false | undefined;
  readonly fetch?: typeof globalThis.fetch;
}

export async function startShaman(config: ShamanConfig, context: StartShamanContext): Promise<DaemonService> {
  const { logger, signal } = context;
  const clock = context.clock ?? systemClock;
  const paths = resolveShamanPaths(config);
  const store = createSqliteShamanStore({ filename: paths.database });
  try {
    const service = createShamanService({
      store,
      clock,
      logger,
      nodeScheme: config.nodeScheme,
      healthCheckRetries: config.healthCheckRetries,
      probeTimeoutMs: Math.round(config.probeTimeoutSeconds * 1000),
      reprobeIntervalMs: Math.round(config.reprobeIntervalSeconds * 1000),
      probeCacheMs: Math.round(config.probeCacheSeconds * 1000),
      maintenanceFile: paths.maintenanceFile,
      buildLimit: config.buildLimit,
      ...(context.fetch === undefined ? {} : { fetch: context.fetch }),
    });
    const users = [...(config.apiUser !== undefined && config.apiKey !== undefined ? [{ user: config.apiUser, key: config.apiKey }] : []), ...config.users];
    if (users.length === 0) logger.warn({ event: "no-write-users" }, "no API user configured: every write and /api/nodes/next/ will be refused (set --api-user/--api-key)");
    const ui = context.ui ?? defaultShamanUi({ listLimit: config.buildLimit });
    const app = createShamanApp(service, { users, logger, ui });
    const loop = service.runNodeLoop({ signal });
    return {
      fetch: (request) => app.fetch(request),
      async close() {
        await loop;
        service.close();
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
