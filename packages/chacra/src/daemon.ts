/**
 * `quipu-chacra serve`, assembled: config → SQLite store → service → HTTP app → background loops
 * (build queue, callbacks to shaman, self-registration, purge). `runDaemon` from
 * `@quipu/core/daemon` does the rest of the daemon contract (flags, env, help, listening line,
 * graceful stop).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { systemClock, type Clock, type Logger } from "@quipu/core";
import type { DaemonService } from "@quipu/core/daemon";
import { createChacraApp } from "./app.js";
import { createCallbackDispatcher } from "./callback-dispatcher.js";
import { chacraPublicUrl, resolveChacraPaths, type ChacraConfig } from "./config.js";
import { checkChacraHealth } from "./health-checks.js";
import { runPeriodically } from "./periodic.js";
import { planPurge } from "./purge-plan.js";
import { registerWithShaman, runRegistrationLoop } from "./registration.js";
import { createChacraService } from "./service.js";
import { createSqliteChacraStore } from "./store/sqlite-chacra-store.js";

export interface StartChacraContext {
  readonly logger: Logger;
  /** The URL the daemon listens on (its public URL unless `publicUrl` is configured). */
  readonly url: string;
  readonly signal: AbortSignal;
  readonly clock?: Clock;
}

/** The node name shaman registers: the public URL's host (and port, when not the scheme's default). */
export function nodeHostname(publicUrl: string): string {
  return new URL(publicUrl).host;
}

export async function startChacra(config: ChacraConfig, context: StartChacraContext): Promise<DaemonService> {
  const { logger, signal } = context;
  const clock = context.clock ?? systemClock;
  const paths = resolveChacraPaths(config);
  for (const directory of [config.dataDir, paths.binaryRoot, paths.reposRoot]) mkdirSync(directory, { recursive: true });
  const publicUrl = chacraPublicUrl(config, context.url);
  const store = createSqliteChacraStore({ filename: paths.database });
  let signer;
  if (config.signKeyFile !== undefined) {
    const { createRepositorySigner } = await import("@quipu/core/signing");
    signer = await createRepositorySigner({
      armoredPrivateKey: readFileSync(config.signKeyFile, "utf8"),
      passphrase: process.env["QUIPU_SIGN_KEY_PASSPHRASE"],
    });
  }
  const service = createChacraService({
    store,
    clock,
    logger,
    paths,
    publicUrl,
    repos: config.repos,
    disableUnconfiguredRepos: config.disableUnconfiguredRepos,
    callbacks: config.shamanUrl !== undefined,
    quietTimeMs: config.quietTimeSeconds * 1000,
    buildRetryBaseMs: config.buildRetryBaseSeconds * 1000,
    buildRetryMaxMs: config.buildRetryMaxSeconds * 1000,
    buildMaxAttempts: config.buildMaxAttempts,
    maxUploadBytes: config.maxUploadBytes,
    signer,
  });
  service.recover();

  const pollMs = config.pollIntervalSeconds * 1000;
  const health = () =>
    checkChacraHealth({
      database: () => store.ping(),
      queue: () => service.queueState(pollMs),
      directories: [paths.binaryRoot, paths.reposRoot],
      diskUsageThresholdPercent: config.diskUsageThresholdPercent,
      maintenanceFile: paths.maintenanceFile,
    });
  const users = [...(config.apiUser !== undefined && config.apiKey !== undefined ? [{ user: config.apiUser, key: config.apiKey }] : []), ...config.users];
  if (users.length === 0) logger.warn({ event: "no-write-users" }, "no API user configured: every write will be refused (set --api-user/--api-key)");
  const app = createChacraApp(service, {
    users,
    logger,
    health,
    delegateDownloads: config.delegateDownloads,
    maxUploadBytes: config.maxUploadBytes,
  });

  // Loops end on `signal`; the builds they start finish before close() returns.
  const loops: Promise<unknown>[] = [service.runBuildLoop({ signal, intervalMs: pollMs })];
  if (config.shamanUrl !== undefined) {
    const shamanUrl = config.shamanUrl;
    const dispatcher = createCallbackDispatcher({
      outbox: {
        due: (now, limit) => store.dueCallbacks(now, limit),
        delivered: (id) => store.callbackDelivered(id),
        retryLater: (id, attempts, next, error) => store.callbackRetryLater(id, attempts, next, error),
      },
      shamanUrl,
      clock,
      logger,
      retryBaseMs: config.callbackRetryBaseSeconds * 1000,
      retryMaxMs: config.callbackRetryMaxSeconds * 1000,
    });
    loops.push(dispatcher.run({ signal, intervalMs: 1000 }));
    const hostname = nodeHostname(publicUrl);
    loops.push(
      runRegistrationLoop(
        // 0 = register once at start, as the original did.
        { signal, clock, intervalMs: config.registerIntervalSeconds > 0 ? config.registerIntervalSeconds * 1000 : Infinity, logger },
        {
          isHealthy: async () => (await health()).healthy,
          register: (registerSignal) => registerWithShaman({ shamanUrl, hostname, logger, signal: registerSignal }),
        },
      ),
    );
  }
  if (config.purge.enabled) {
    loops.push(
      runPeriodically({ signal, clock, intervalMs: config.purge.intervalSeconds * 1000, logger, name: "purge" }, () => {
        const ids = planPurge({
          repos: store.listRepos({}).map((repo) => ({ id: repo.id, project: repo.project, ref: repo.ref, flavor: repo.flavor, modified: repo.modified })),
          rotation: config.purge.rotation,
          defaultDays: config.purge.defaultDays,
          defaultKeepMinimum: config.purge.defaultKeepMinimum,
          now: clock.now(),
        });
        const removed = service.purgeRepos(ids);
        if (removed > 0) logger.info({ event: "repos-purged", count: removed }, "purged old repos");
      }),
    );
  }

  return {
    // The bindings carry the raw Node request, which uploads read directly.
    fetch: (request, bindings) => app.fetch(request, bindings as Record<string, unknown> | undefined),
    async close() {
      await Promise.allSettled(loops);
      store.close();
    },
  };
}
