/**
 * A real chacra for tests: SQLite in a temp directory, the service, the app, served by
 * @hono/node-server on a free 127.0.0.1 port. Loops are not started; tests drive the build queue
 * with `service.processDueRepos()` and the callbacks with the dispatcher.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import type { Clock, Logger } from "@quipu/core";
import { createChacraApp, type ChacraAppOptions } from "../src/app.js";
import { createChacraService, type ChacraServiceOptions } from "../src/service.js";
import { createSqliteChacraStore } from "../src/store/sqlite-chacra-store.js";

export const TEST_USER = { user: "builder", key: "s3cret-key-for-tests" };

export function basicAuth(user = TEST_USER.user, key = TEST_USER.key): string {
  return `Basic ${Buffer.from(`${user}:${key}`).toString("base64")}`;
}

export interface TestChacraOptions extends Partial<Omit<ChacraServiceOptions, "store" | "paths" | "publicUrl">> {
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly app?: Partial<ChacraAppOptions>;
}

export interface TestChacra {
  readonly url: string;
  readonly dataDir: string;
  readonly service: ReturnType<typeof createChacraService>;
  readonly store: ReturnType<typeof createSqliteChacraStore>;
  fetch(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestChacra(options: TestChacraOptions = {}): Promise<TestChacra> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "quipu-chacra-"));
  const ownsDir = options.dataDir === undefined;
  const store = createSqliteChacraStore({ filename: join(dataDir, "chacra.db") });
  // The public URL needs the port and the app needs the service: listen first, then route.
  let handler: (request: Request, env?: unknown) => Response | Promise<Response> = () => new Response(null, { status: 503 });
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: (request, env) => handler(request, env), hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
  const url = `http://127.0.0.1:${port}/`;
  const service = createChacraService({
    quietTimeMs: 0,
    ...options,
    store,
    paths: { binaryRoot: join(dataDir, "binaries"), reposRoot: join(dataDir, "repos") },
    publicUrl: url,
  });
  service.recover();
  const app = createChacraApp(service, { users: [TEST_USER], logger: options.logger, ...options.app });
  handler = (request, env) => app.fetch(request, env as Record<string, unknown> | undefined);
  return {
    url,
    dataDir,
    service,
    store,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.auth) headers.set("authorization", basicAuth());
      return fetch(new URL(path, url), { ...init, headers });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        // Idle keep-alive connections would hold close() open for seconds.
        (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
      });
      store.close();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A multipart body with one `file` part (and extra fields), as chacractl sends it. */
export function multipartBody(name: string, bytes: Uint8Array, fields: Record<string, string> = {}): { body: Buffer; contentType: string } {
  const boundary = `----quipu${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(Buffer.from(bytes));
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
