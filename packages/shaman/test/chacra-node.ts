/**
 * A real chacra node for shaman's tests: chacra's own service, app and `/health/` checks (its
 * sources, by relative path — test code only; the shaman package does not depend on chacra),
 * served on 127.0.0.1. Unlike chacra's test harness it can be stopped and started again on the
 * same port and data directory, which is what "the node went away and came back" means to shaman,
 * and its maintenance file makes `/health/` answer 500, as an operator would.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { createChacraApp } from "../../chacra/src/app.js";
import { checkChacraHealth } from "../../chacra/src/health-checks.js";
import { createChacraService } from "../../chacra/src/service.js";
import { createSqliteChacraStore } from "../../chacra/src/store/sqlite-chacra-store.js";

export interface ChacraNode {
  /** `127.0.0.1:{port}`: how shaman names the node. */
  readonly host: string;
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  /** Closes the server (refusing connections from now on) and the database. */
  stop(): Promise<void>;
  /** Starts again on the same port and data directory. */
  start(): Promise<void>;
  /** Maintenance switch: `/health/` answers 500 while on. */
  setMaintenance(on: boolean): void;
  close(): Promise<void>;
}

export async function startChacraNode(): Promise<ChacraNode> {
  const dataDir = mkdtempSync(join(tmpdir(), "quipu-shaman-chacra-"));
  const maintenanceFile = join(dataDir, "maintenance");
  let port = 0;
  let server: ServerType | undefined;
  let closeStore: (() => void) | undefined;

  const start = async () => {
    const store = createSqliteChacraStore({ filename: join(dataDir, "chacra.db") });
    closeStore = () => store.close();
    let handler: (request: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 });
    port = await new Promise<number>((resolve, reject) => {
      const created = serve({ fetch: (request) => handler(request), hostname: "127.0.0.1", port }, (info: AddressInfo) => resolve(info.port));
      created.once("error", reject);
      server = created;
    });
    const paths = { binaryRoot: join(dataDir, "binaries"), reposRoot: join(dataDir, "repos") };
    const service = createChacraService({ store, paths, publicUrl: `http://127.0.0.1:${port}/`, quietTimeMs: 0 });
    const health = () =>
      checkChacraHealth({ database: () => store.ping(), directories: [dataDir], diskUsageThresholdPercent: 100, maintenanceFile });
    handler = createChacraApp(service, { users: [], health }).fetch;
  };

  const stop = async () => {
    const current = server;
    server = undefined;
    if (current !== undefined) {
      await new Promise<void>((resolve) => {
        current.close(() => resolve());
        (current as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    }
    closeStore?.();
    closeStore = undefined;
  };

  await start();
  return {
    get host() {
      return `127.0.0.1:${port}`;
    },
    get url() {
      return `http://127.0.0.1:${port}/`;
    },
    get port() {
      return port;
    },
    get running() {
      return server !== undefined;
    },
    stop,
    start,
    setMaintenance(on) {
      if (on) writeFileSync(maintenanceFile, "");
      else rmSync(maintenanceFile, { force: true });
    },
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
