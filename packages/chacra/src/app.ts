/**
 * chacra's HTTP routes, wire-compatible with ceph/chacra: `/binaries/…` (discovery, upload,
 * download, delete), `/repos/…` (discovery, repo JSON, update/recreate/extra, repo file),
 * `/search/`, `/health/`, and `/r/…` static repositories. Routes only: every behaviour is in the
 * service. Returns a Hono app; its `fetch` is the handler to serve or mount.
 */
import { createReadStream, statSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { relative } from "node:path";
import { Readable } from "node:stream";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { DEFAULT_FLAVOR, QuipuError, RepoTypeSchema, StoredSha1Schema, parseOrThrow, silentLogger, type Logger } from "@quipu/core";
import { authRequired, isAuthorized, json, jsonError, methodNotAllowed, notFound, pathSegments, readJsonObject, type ApiUser } from "@quipu/core/daemon";
import { readMultipartUpload } from "./multipart-upload.js";
import type { ChacraService } from "./service.js";
import { serveStatic } from "./static-files.js";
import type { BinaryAddress, BinaryRecord, RepoAddress } from "./store/chacra-store.js";

export interface ChacraHealthReport {
  readonly healthy: boolean;
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail?: string | undefined }[];
}

export interface ChacraAppOptions {
  /** Who may write. An empty list refuses every write. */
  readonly users: readonly ApiUser[];
  readonly logger?: Logger;
  /** `/health/`: 204 when healthy, 500 with the failing checks otherwise. */
  readonly health?: () => ChacraHealthReport | Promise<ChacraHealthReport>;
  /** Answer downloads with `X-Accel-Redirect: /b/<path>` for a fronting nginx instead of the bytes. */
  readonly delegateDownloads?: boolean;
  readonly maxUploadBytes?: number;
}

const REALM = "Chacra :: Binary API";

const RepoFieldsSchema = z
  .strictObject({
    distro: z.string().min(1).optional(),
    distro_version: z.string().min(1).optional(),
    ref: z.string().min(1).optional(),
    type: RepoTypeSchema.optional(),
    needs_update: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "the body must set at least one of distro, distro_version, ref, type, needs_update");

const BinaryMetadataSchema = z.looseObject({
  name: z.string().min(1),
  force: z.boolean().optional(),
  built_by: z.string().nullable().optional(),
  size: z.number().int().nonnegative().optional(),
});

const REPO_ACTIONS = new Set(["update", "recreate", "extra", "repo"]);

export function createChacraApp(service: ChacraService, options: ChacraAppOptions) {
  const logger = options.logger ?? silentLogger;
  const app = new Hono();
  const authorized = (c: Context) => isAuthorized(c.req.header("authorization"), options.users);

  app.onError((error) => jsonError(error, {}, logger));
  app.notFound((c) => notFound(new URL(c.req.url).pathname));

  app.get("/", () => json(service.root()));

  app.on(["GET", "HEAD"], "/health", (c) => c.redirect("/health/", 301));
  app.on(["GET", "HEAD"], "/health/", async () => {
    const report = options.health ? await options.health() : { healthy: true, checks: [] };
    if (report.healthy) return new Response(null, { status: 204 });
    return json({ message: "unhealthy", checks: report.checks }, 500);
  });

  // The key clients verify signed repos with (the repo files point here when repos are signed).
  app.on(["GET", "HEAD"], "/repo-key.asc", (c) => {
    const key = service.signingKey();
    if (key === undefined) return notFound(new URL(c.req.url).pathname, "signing key");
    return new Response(c.req.method === "HEAD" ? null : key, { status: 200, headers: { "content-type": "application/pgp-keys" } });
  });

  app.get("/search", (c) => c.redirect(`/search/${new URL(c.req.url).search}`, 301));
  app.get("/search/", (c) => {
    const params = new URL(c.req.url).searchParams;
    const filters: Record<string, string> = {};
    for (const [key, value] of params) filters[key] = value;
    return json(service.search(filters));
  });

  app.on(["GET", "HEAD"], "/r/*", (c) => {
    const url = new URL(c.req.url);
    const segments = pathSegments(url.pathname, "/r/");
    return serveStatic(c.req.raw, { root: service.paths.reposRoot, allowedRoots: [service.paths.binaryRoot], urlPath: url.pathname, segments });
  });
  app.on(["GET", "HEAD"], "/r", (c) => c.redirect("/r/", 301));

  // ------------------------------------------------------------------ /binaries/

  const binaryAddress = (s: readonly string[], flavor: string, name: string): BinaryAddress => ({
    project: s[0]!,
    ref: s[1]!,
    sha1: s[2]!,
    distro: s[3]!,
    distro_version: s[4]!,
    arch: s[5]!,
    flavor,
    name,
  });

  const download = (c: Context, binary: BinaryRecord): Response => {
    const file = service.binaryFile(binary);
    if (file === undefined) return notFound(new URL(c.req.url).pathname, "binary file");
    const size = statSync(file).size;
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename=${binary.name}`,
    };
    if (options.delegateDownloads) {
      headers["x-accel-redirect"] = `/b/${relative(service.paths.binaryRoot, file)}`;
      return new Response(null, { status: 200, headers });
    }
    headers["content-length"] = String(size);
    if (c.req.method === "HEAD" || size === 0) return new Response(null, { status: 200, headers });
    return new Response(Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream, { status: 200, headers });
  };

  const upload = async (c: Context, s: readonly string[], flavor: string, fixedName?: string): Promise<Response> => {
    if (!authorized(c)) return authRequired(REALM);
    parseOrThrow(StoredSha1Schema, s[2], "sha1");
    const declared = Number(c.req.header("content-length") ?? "0");
    if (options.maxUploadBytes !== undefined && declared > options.maxUploadBytes + 1024 * 1024) {
      throw new QuipuError("QUIPU_HTTP_BODY_TOO_LARGE", `upload is larger than the limit of ${options.maxUploadBytes} bytes`, { details: { limit: options.maxUploadBytes } });
    }
    let address: BinaryAddress | undefined;
    // Served by @hono/node-server, the raw Node request is in the env: reading it directly is much
    // faster for multi-GB bodies than the web stream Hono would build from it.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const nodeBody = incoming !== undefined && typeof incoming.pipe === "function" && !incoming.readableEnded ? incoming : undefined;
    const received = await readMultipartUpload(c.req.raw, (filename, stream) => {
      const name = fixedName ?? filename;
      if (fixedName === undefined) pathSegments(`/${name}`, "/");
      if (name === "flavors") {
        throw new QuipuError("QUIPU_CHACRA_UPLOAD_INVALID", 'a binary cannot be named "flavors"', { details: { reason: "reserved name" } });
      }
      address = binaryAddress(s, flavor, name);
      return service.receiveUpload(address, stream);
    }, nodeBody);
    const outcome = service.commitUpload(address!, received.staged, {
      // Any value of `force` counts, as in the original; a PUT always replaces.
      force: fixedName !== undefined || Object.hasOwn(received.fields, "force"),
      expectedChecksum: received.fields["checksum"],
      builtBy: received.fields["built_by"],
    });
    return json({}, outcome.status);
  };

  const archLevel = async (c: Context, s: readonly string[], flavor: string | undefined): Promise<Response> => {
    const method = c.req.method;
    const arch = { project: s[0]!, ref: s[1]!, sha1: s[2]!, distro: s[3]!, distro_version: s[4]!, arch: s[5]!, flavor };
    if (method === "GET" || method === "HEAD") {
      const listing = service.archListing(arch);
      if (!listing) return notFound(new URL(c.req.url).pathname);
      return method === "HEAD" ? new Response(null, { status: 200 }) : json(listing);
    }
    if (method === "POST") return upload(c, s, flavor ?? DEFAULT_FLAVOR);
    return methodNotAllowed(method, new URL(c.req.url).pathname);
  };

  const binaryLevel = async (c: Context, s: readonly string[], flavor: string | undefined, name: string): Promise<Response> => {
    const method = c.req.method;
    const path = new URL(c.req.url).pathname;
    const find = () => {
      const exact = service.getBinary(binaryAddress(s, flavor ?? DEFAULT_FLAVOR, name));
      if (exact || flavor !== undefined) return exact;
      // The plain arch URL of a binary stored under a flavor still finds it.
      return service.store.listBinaries({ project: s[0]!, ref: s[1]!, sha1: s[2]!, distro: s[3]!, distro_version: s[4]!, arch: s[5]!, name })[0];
    };
    if (method === "GET" || method === "HEAD") {
      const binary = find();
      return binary ? download(c, binary) : notFound(path, "binary");
    }
    if (!authorized(c)) return authRequired(REALM);
    if (method === "PUT") return upload(c, s, flavor ?? DEFAULT_FLAVOR, name);
    if (method === "DELETE") {
      const binary = find();
      if (!binary) return notFound(path, "binary");
      service.deleteBinary(binary);
      return new Response(null, { status: 204 });
    }
    if (method === "POST") {
      parseOrThrow(StoredSha1Schema, s[2], "sha1");
      const body = parseOrThrow(BinaryMetadataSchema, await readJsonObject(c.req.raw), "binary metadata");
      const outcome = service.postBinaryMetadata(binaryAddress(s, flavor ?? DEFAULT_FLAVOR, name), body);
      return json(service.binaryJson(outcome.binary), outcome.status);
    }
    return methodNotAllowed(method, path);
  };

  app.all("/binaries", (c) => c.redirect("/binaries/", 301));
  app.all("/binaries/*", async (c) => {
    const url = new URL(c.req.url);
    const s = pathSegments(url.pathname, "/binaries/");
    const method = c.req.method;
    if (s.length <= 5) {
      if (s.length === 1 && method === "POST") {
        if (!authorized(c)) return authRequired(REALM);
        return json(service.createProject(s[0]!));
      }
      if (method !== "GET" && method !== "HEAD") return methodNotAllowed(method, url.pathname);
      const tree = service.binaryTree(s);
      if (!tree) return notFound(url.pathname);
      return method === "HEAD" ? new Response(null, { status: 200 }) : json(tree);
    }
    if (s.length === 6) return archLevel(c, s, undefined);
    if (s[6] === "flavors") {
      if (s.length === 7) {
        if (method !== "GET" && method !== "HEAD") return methodNotAllowed(method, url.pathname);
        const listing = service.flavorListing({ project: s[0]!, ref: s[1]!, sha1: s[2]!, distro: s[3]!, distro_version: s[4]!, arch: s[5]! });
        return listing ? json(listing) : notFound(url.pathname);
      }
      if (s.length === 8) return archLevel(c, s, s[7]);
      if (s.length === 9) return binaryLevel(c, s, s[7], s[8]!);
      return notFound(url.pathname);
    }
    if (s.length === 7) return binaryLevel(c, s, undefined, s[6]!);
    return notFound(url.pathname);
  });

  // ------------------------------------------------------------------ /repos/

  const repoAddress = (s: readonly string[], flavor: string): RepoAddress => ({
    project: s[0]!,
    ref: s[1]!,
    sha1: s[2]!,
    distro: s[3]!,
    distro_version: s[4]!,
    flavor,
  });

  const repoLevel = async (c: Context, key: RepoAddress): Promise<Response> => {
    const method = c.req.method;
    const path = new URL(c.req.url).pathname;
    if (method === "GET" || method === "HEAD") {
      const repo = service.getRepo(key);
      if (!repo) return notFound(path, "repo");
      return method === "HEAD" ? new Response(null, { status: 200 }) : json(service.repoJson(repo));
    }
    if (method !== "POST" && method !== "DELETE") return methodNotAllowed(method, path);
    if (!authorized(c)) return authRequired(REALM);
    if (method === "DELETE") {
      service.deleteRepo(key);
      return new Response(null, { status: 204 });
    }
    const fields = parseOrThrow(RepoFieldsSchema, await readJsonObject(c.req.raw), "repo");
    return json(service.repoJson(service.updateRepoFields(key, fields)));
  };

  const repoAction = async (c: Context, key: RepoAddress, action: string): Promise<Response> => {
    const method = c.req.method;
    const path = new URL(c.req.url).pathname;
    if (action === "repo") {
      if (method !== "GET" && method !== "HEAD") return methodNotAllowed(method, path);
      const text = await service.repoFile(key);
      return new Response(method === "HEAD" ? null : text, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    if (method === "HEAD" && action !== "extra") {
      // chacractl probes `update`/`recreate` with HEAD before POSTing.
      return service.getRepo(key) ? json({}) : notFound(path, "repo");
    }
    if (method !== "POST") return methodNotAllowed(method, path);
    if (!authorized(c)) return authRequired(REALM);
    if (action === "update") return json(service.repoJson(await service.requestUpdate(key)));
    if (action === "recreate") return json(service.repoJson(await service.recreate(key)));
    const extra = await readJsonObject(c.req.raw);
    return json(service.repoJson(service.setExtra(key, extra)));
  };

  app.all("/repos", (c) => c.redirect("/repos/", 301));
  app.all("/repos/*", async (c) => {
    const url = new URL(c.req.url);
    const s = pathSegments(url.pathname, "/repos/");
    const method = c.req.method;
    if (s.length <= 4) {
      if (method !== "GET" && method !== "HEAD") return methodNotAllowed(method, url.pathname);
      const tree = service.repoTree(s);
      if (!tree) return notFound(url.pathname);
      return json(tree);
    }
    if (s.length === 5) return repoLevel(c, repoAddress(s, DEFAULT_FLAVOR));
    const sixth = s[5]!;
    if (sixth === "flavors") {
      if (s.length === 6) {
        if (method !== "GET" && method !== "HEAD") return methodNotAllowed(method, url.pathname);
        const flavors = service.repoFlavors({ project: s[0]!, ref: s[1]!, sha1: s[2]!, distro: s[3]!, distro_version: s[4]! });
        return flavors ? json(flavors) : notFound(url.pathname);
      }
      const key = repoAddress(s, s[6]!);
      if (s.length === 7) return repoLevel(c, key);
      if (s.length === 8 && REPO_ACTIONS.has(s[7]!)) return repoAction(c, key, s[7]!);
      return notFound(url.pathname);
    }
    if (s.length === 6 && REPO_ACTIONS.has(sixth)) return repoAction(c, repoAddress(s, DEFAULT_FLAVOR), sixth);
    return notFound(url.pathname);
  });

  return app;
}

export type ChacraApp = ReturnType<typeof createChacraApp>;
