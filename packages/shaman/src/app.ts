/**
 * shaman's HTTP routes, wire-compatible with ceph/shaman (reference §2.3): `/api/` (projects),
 * `/api/nodes/…` (registry, `next`), `/api/repos/…` (status reports, the read tree, the 302
 * redirects), `/api/builds/…`, `/api/search/`, `/_health/`. Routes only: every behaviour is in the
 * service. Writes and `/api/nodes/next/` need Basic auth (realm `Shaman :: API`); reads are
 * anonymous. Bad input is a 400 with a JSON body, never a 500. The web UI's pages (src/ui/) are
 * mounted through the `ui` hook. Returns a Hono app; its `fetch` is the handler to serve or mount.
 */
import { Hono, type Context } from "hono";
import { QuipuError, isQuipuError, safeSegmentProblem, silentLogger, type Logger } from "@quipu/core";
import { authRequired, isAuthorized, json, jsonError, methodNotAllowed, notFound, pathSegments, readJsonObject, text, type ApiUser } from "@quipu/core/daemon";
import type { RepoLevel, ShamanService } from "./service.js";
import { createServiceUiData } from "./service-ui-data.js";
import { mountShamanUi, type ShamanUiOptions } from "./ui/index.js";

/** Mounts extra routes (the web UI's HTML pages) on the app, before its fallbacks. */
export type ShamanUiMount = (app: Hono, service: ShamanService) => void;

/** quipu's web UI (`/`, `/builds/…`, `/repos/…`) over the service. */
export function defaultShamanUi(uiOptions: ShamanUiOptions = {}): ShamanUiMount {
  return (app, service) => mountShamanUi(app, createServiceUiData(service), uiOptions);
}

export interface ShamanAppOptions {
  /** Who may write and call `/api/nodes/next/`. An empty list refuses them all. */
  readonly users: readonly ApiUser[];
  readonly logger?: Logger;
  /** Mounts the web UI (`/`, `/builds/…`, `/repos/…`); default `defaultShamanUi()`, false = API only. */
  readonly ui?: ShamanUiMount | false | undefined;
}

export const SHAMAN_REALM = "Shaman :: API";
/** The original's exact text, which scripts print. */
export const NO_NODES_MESSAGE = "There are no healthy chacra nodes available.";

const READ_METHODS = new Set(["GET", "HEAD"]);

export function createShamanApp(service: ShamanService, options: ShamanAppOptions) {
  const logger = options.logger ?? silentLogger;
  const app = new Hono();
  const authorized = (c: Context) => isAuthorized(c.req.header("authorization"), options.users);
  const pathOf = (c: Context) => new URL(c.req.url).pathname;

  app.onError((error) => {
    // The original answered these two with text, and clients print that text.
    if (isQuipuError(error, "QUIPU_SHAMAN_NOT_READY")) return text(error.message, 504);
    if (isQuipuError(error, "QUIPU_NODE_NONE_AVAILABLE")) return text(NO_NODES_MESSAGE, 404);
    return jsonError(error, {}, logger);
  });
  app.notFound((c) => notFound(pathOf(c)));

  // HEAD is GET without the body.
  app.use("*", async (c, next) => {
    await next();
    if (c.req.method === "HEAD" && c.res.body !== null) c.res = new Response(null, c.res);
  });

  // Every route answers with and without the trailing slash: teuthology asks `…/search?…`.
  const health = () => {
    const report = service.health();
    if (report.healthy) return new Response(null, { status: 204 });
    return json({ message: "unhealthy", checks: report.checks }, 500);
  };
  app.on(["GET", "HEAD"], ["/_health", "/_health/"], health);

  const apiIndex = (c: Context) => {
    if (!READ_METHODS.has(c.req.method)) return methodNotAllowed(c.req.method, pathOf(c));
    return json({ repos: service.projects() });
  };
  app.all("/api", apiIndex);
  app.all("/api/", apiIndex);

  const search = (c: Context) => {
    if (!READ_METHODS.has(c.req.method)) return methodNotAllowed(c.req.method, pathOf(c));
    const params = [...new URL(c.req.url).searchParams];
    return json(service.search(params).map((repo) => service.repoJson(repo)));
  };
  app.all("/api/search", search);
  app.all("/api/search/", search);

  // ------------------------------------------------------------------ /api/nodes/

  const nodesRoute = async (c: Context) => {
    const path = pathOf(c);
    const s = pathSegments(path, "/api/nodes/");
    const method = c.req.method;
    if (s.length === 0) {
      if (!READ_METHODS.has(method)) return methodNotAllowed(method, path);
      return json(Object.fromEntries(service.listNodes().map((node) => [node.host, service.nodeJson(node)])));
    }
    if (s.length === 1 && s[0] === "next") {
      if (!READ_METHODS.has(method)) return methodNotAllowed(method, path);
      if (!authorized(c)) return authRequired(SHAMAN_REALM);
      const node = await service.nextNode();
      return text(node.baseUrl);
    }
    if (s.length === 1) {
      const host = s[0]!;
      if (READ_METHODS.has(method)) return json(service.nodeJson(service.getNode(host)));
      if (method !== "POST" && method !== "DELETE") return methodNotAllowed(method, path);
      if (!authorized(c)) return authRequired(SHAMAN_REALM);
      if (method === "DELETE") {
        service.removeNode(host);
        return new Response(null, { status: 204 });
      }
      const body = await readJsonObject(c.req.raw, { allowEmpty: true });
      await service.registerNode(host, body);
      return json({});
    }
    if (s.length === 2 && (s[1] === "drain" || s[1] === "undrain")) {
      if (method !== "POST") return methodNotAllowed(method, path);
      if (!authorized(c)) return authRequired(SHAMAN_REALM);
      const node = s[1] === "drain" ? service.drainNode(s[0]!) : service.undrainNode(s[0]!);
      return json(service.nodeJson(node));
    }
    return notFound(path);
  };
  app.all("/api/nodes", nodesRoute);
  app.all("/api/nodes/*", nodesRoute);

  // ------------------------------------------------------------------ /api/repos/

  const archParameter = (c: Context): string | undefined => {
    const arch = new URL(c.req.url).searchParams.get("arch") ?? "";
    if (arch === "") return undefined;
    const problem = safeSegmentProblem(arch);
    if (problem !== null) {
      throw new QuipuError("QUIPU_MODEL_INVALID_NAME", `invalid arch: ${problem}`, { details: { what: "arch", value: arch.slice(0, 300), problem } });
    }
    return arch;
  };

  const redirect = (location: string) => new Response(null, { status: 302, headers: { location } });

  /** The levels below `{distro}/{ver}/`: repos, `repo`, `flavors/…`, `{arch}/…`. */
  const versionLevel = (c: Context, level: RepoLevel, rest: readonly string[], trailingSlash: boolean): Response => {
    const path = pathOf(c);
    if (rest.length === 0) return json(service.reposAt(level).map((repo) => service.repoJson(repo)));
    const [first, ...more] = rest;
    if (first === "repo") {
      if (more.length > 0) return notFound(path);
      return redirect(service.repoRedirect({ ...level, target: "repo-file", arch: archParameter(c) }));
    }
    if (first === "flavors" && level.flavor === undefined) {
      if (more.length === 0) return json(service.repoFlavors(level));
      return versionLevel(c, { ...level, flavor: more[0]! }, more.slice(1), trailingSlash);
    }
    // `{arch}/{path}`: the arch only filters; the redirect goes to the flavor root plus path.
    return redirect(service.repoRedirect({ ...level, target: "tree", arch: first!, path: more, trailingSlash: trailingSlash && more.length > 0 }));
  };

  const reposRoute = async (c: Context) => {
    const path = pathOf(c);
    const s = pathSegments(path, "/api/repos/");
    const method = c.req.method;
    if (s.length === 1 && method === "POST") {
      if (!authorized(c)) return authRequired(SHAMAN_REALM);
      const body = await readJsonObject(c.req.raw);
      service.reportRepoStatus(s[0]!, body);
      return json({});
    }
    if (!READ_METHODS.has(method)) return methodNotAllowed(method, path);
    const [project, ref, sha1, distro, distroVersion] = s;
    switch (s.length) {
      case 0:
        return json(service.repoIndex());
      case 1:
        return json(service.repoRefs(project!));
      case 2:
        return json(service.repoSha1s(project!, ref!));
      case 3:
        return json(service.repoDistros(project!, ref!, sha1!));
      case 4:
        return json(service.repoDistroVersions(project!, ref!, sha1!, distro!));
      default: {
        const level: RepoLevel = { project: project!, ref: ref!, sha1: sha1!, distro: distro!, distro_version: distroVersion! };
        return versionLevel(c, level, s.slice(5), path.endsWith("/"));
      }
    }
  };
  app.all("/api/repos", reposRoute);
  app.all("/api/repos/*", reposRoute);

  // ------------------------------------------------------------------ /api/builds/

  const buildsRoute = async (c: Context) => {
    const path = pathOf(c);
    const s = pathSegments(path, "/api/builds/");
    const method = c.req.method;
    if (s.length === 1 && method === "POST") {
      if (!authorized(c)) return authRequired(SHAMAN_REALM);
      const body = await readJsonObject(c.req.raw);
      service.reportBuildStatus(s[0]!, body);
      return json({});
    }
    if (!READ_METHODS.has(method)) return methodNotAllowed(method, path);
    const [project, ref, sha1] = s;
    switch (s.length) {
      case 0:
        return json(service.buildIndex());
      case 1:
        return json(service.buildRefs(project!));
      case 2:
        return json(service.buildSha1s(project!, ref!));
      case 3:
        return json(service.buildsOf(project!, ref!, sha1!).map((build) => service.buildJson(build)));
      default:
        return notFound(path);
    }
  };
  app.all("/api/builds", buildsRoute);
  app.all("/api/builds/*", buildsRoute);

  const ui = options.ui ?? defaultShamanUi();
  if (ui !== false) ui(app, service);

  return app;
}

export type ShamanApp = ReturnType<typeof createShamanApp>;
