/**
 * A real shaman for tests: SQLite in a temp directory, the service, the app, served by
 * @hono/node-server on a free 127.0.0.1 port. The node loop is not started unless a test starts
 * it (`service.runNodeLoop`), usually on a manual clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { createShamanApp, type ShamanAppOptions } from "../src/app.js";
import { createShamanClient, type ShamanClient } from "../src/client.js";
import { createShamanService, type ShamanService, type ShamanServiceOptions } from "../src/service.js";
import type { ShamanStore } from "../src/store/shaman-store.js";
import { createSqliteShamanStore } from "../src/store/sqlite-shaman-store.js";

export const TEST_USER = { user: "jenkins", key: "shaman-test-key" };

export function basicAuth(user = TEST_USER.user, key = TEST_USER.key): string {
  return `Basic ${Buffer.from(`${user}:${key}`).toString("base64")}`;
}

export interface TestShamanOptions extends Partial<Omit<ShamanServiceOptions, "store">> {
  readonly dataDir?: string;
  readonly app?: Partial<ShamanAppOptions>;
}

export interface TestShaman {
  readonly url: string;
  readonly dataDir: string;
  readonly service: ShamanService;
  readonly store: ShamanStore;
  /** A client with the test user's credentials. */
  readonly client: ShamanClient;
  fetch(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  /** POSTs JSON with the test user's credentials. */
  post(path: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestShaman(options: TestShamanOptions = {}): Promise<TestShaman> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "quipu-shaman-"));
  const ownsDir = options.dataDir === undefined;
  const store = createSqliteShamanStore({ filename: join(dataDir, "shaman.db") });
  const service = createShamanService({ nodeScheme: "http", probeTimeoutMs: 5_000, ...options, store });
  const app = createShamanApp(service, { users: [TEST_USER], ui: false, ...options.app });
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
  const url = `http://127.0.0.1:${port}/`;
  const fetchWith = (path: string, init: RequestInit & { auth?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (init.auth) headers.set("authorization", basicAuth());
    return fetch(new URL(path, url), { ...init, headers });
  };
  return {
    url,
    dataDir,
    service,
    store,
    client: createShamanClient({ url, user: TEST_USER.user, key: TEST_USER.key }),
    fetch: fetchWith,
    post: (path, body) =>
      fetchWith(path, { method: "POST", auth: true, body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" } }),
    async close() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
      });
      service.close();
      store.close();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A 40-hex sha1 made of one repeated character (`sha("a")`) or from a number. */
export function sha(seed: string | number): string {
  if (typeof seed === "number") return seed.toString(16).padStart(40, "0");
  return seed.repeat(40).slice(0, 40);
}

export interface RepoReportInput {
  readonly project?: string;
  readonly ref?: string;
  readonly sha1?: string;
  readonly distro?: string;
  readonly distro_version?: string;
  readonly flavor?: string;
  readonly status?: string;
  readonly archs?: readonly string[];
  readonly node?: string;
  readonly generation?: number;
  readonly extra?: Record<string, unknown>;
}

/**
 * A repo status report shaped exactly like quipu chacra's callback (and ceph/chacra's): repo JSON
 * plus `status`, `chacra_url` and `url`.
 */
export function chacraReport(input: RepoReportInput = {}): Record<string, unknown> {
  const project = input.project ?? "ceph";
  const ref = input.ref ?? "main";
  const sha1 = input.sha1 ?? sha("a");
  const distro = input.distro ?? "centos";
  const version = input.distro_version ?? "9";
  const flavor = input.flavor ?? "default";
  const node = input.node ?? "1.chacra.example";
  const uri = `${project}/${ref}/${sha1}/${distro}/${version}/flavors/${flavor}/`;
  return {
    path: `/opt/repos/${uri}`,
    project_name: project,
    ref,
    sha1,
    distro,
    distro_version: version,
    modified: "2026-08-20 10:11:12.345000",
    signed: false,
    needs_update: false,
    is_updating: false,
    is_queued: false,
    type: distro === "ubuntu" || distro === "debian" ? "deb" : "rpm",
    size: 0,
    flavor,
    archs: [...(input.archs ?? ["x86_64", "source"])],
    extra: input.extra ?? { version: "20.3.0-1-g" + sha1.slice(0, 7), package_manager_version: "20.3.0-1.g" + sha1.slice(0, 7) + ".el9", build_url: "https://jenkins.example/job/ceph/1/" },
    status: input.status ?? "ready",
    ...(input.generation === undefined ? {} : { generation: input.generation }),
    chacra_url: `https://${node}/repos/${uri}`,
    url: `https://${node}/r/${uri}`,
  };
}
