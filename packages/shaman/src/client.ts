/**
 * The typed SDK of shaman's wire API (also `@quipu/shaman/client`): nodes and `next`, repo status
 * reports and the read tree (with the redirect targets), build reports and their tree, search.
 * `fetch` is injectable; the base URL may carry Basic credentials (`http://user:key@shaman/`),
 * which are sent as a header and never appear in errors. Answers are checked against the
 * documented shapes.
 *
 * Errors: QUIPU_SHAMAN_CLIENT_UNREACHABLE (no answer), QUIPU_SHAMAN_CLIENT_HTTP_ERROR (an error
 * status; `details.status`, `details.code` when shaman sent one), QUIPU_SHAMAN_CLIENT_RESPONSE_INVALID
 * (an unexpected body), and as the server means them: QUIPU_NODE_NONE_AVAILABLE (`next`, 404) and
 * QUIPU_SHAMAN_NOT_READY (a redirect lookup, 504).
 */
import { z } from "zod";
import { HttpUrlSchema, QuipuError, formatZodIssues } from "@quipu/core";
import type { BuildJson, NodeJson, RepoJson } from "./wire-json.js";

export type { BuildJson, NodeJson, RepoJson } from "./wire-json.js";

export interface ShamanClientOptions {
  /** shaman's base URL (`https://shaman.example/`), optionally with `user:key@`. */
  readonly url: string | URL;
  /** Basic credentials for writes and `next` (override those of the URL). */
  readonly user?: string | undefined;
  readonly key?: string | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** A repo tree location: `…/{project}/{ref}/{sha1|latest}/{distro}/{distro_version}/[flavors/{flavor}/]`. */
export interface RepoLocation {
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly distro: string;
  readonly distro_version: string;
  /** Absent = the plain URL, which means flavor `default`. */
  readonly flavor?: string | undefined;
}

export interface SearchQuery {
  readonly project?: string | undefined;
  /** `distro/version-or-codename[/arch]`, one or several. */
  readonly distros?: string | readonly string[] | undefined;
  readonly ref?: string | undefined;
  /** A sha1 or `latest`. */
  readonly sha1?: string | undefined;
  readonly flavor?: string | undefined;
  readonly status?: string | undefined;
}

const StringListSchema = z.array(z.string());

const RepoJsonSchema = z.looseObject({
  url: z.string(),
  chacra_url: z.string(),
  ref: z.string(),
  sha1: z.string(),
  distro: z.string(),
  distro_version: z.string().nullable(),
  distro_codename: z.string().nullable(),
  modified: z.string(),
  status: z.string(),
  flavor: z.string(),
  project: z.string(),
  archs: z.array(z.string()),
  extra: z.record(z.string(), z.unknown()).nullable().transform((extra) => extra ?? {}),
});

const BuildJsonSchema = z.looseObject({
  url: z.string(),
  log_url: z.string().nullable(),
  ref: z.string(),
  sha1: z.string(),
  flavor: z.string(),
  status: z.string(),
  extra: z.record(z.string(), z.unknown()).nullable().transform((extra) => extra ?? {}),
  modified: z.string(),
  started: z.string(),
  completed: z.string().nullable(),
  project: z.string(),
  distro_version: z.string().nullable(),
  distro_codename: z.string().nullable(),
  distro: z.string().nullable(),
  distro_arch: z.string().nullable(),
});

const NodeJsonSchema = z.looseObject({
  host: z.string(),
  last_used: z.string(),
  last_check: z.string().nullable(),
  healthy: z.boolean(),
  down_count: z.number(),
  // quipu additions; the original did not send them.
  drained: z.boolean().default(false),
  url: z.string().optional(),
});

function splitCredentials(url: string | URL, user?: string, key?: string) {
  const base = new URL(url);
  const fromUrl = base.username !== "" ? { user: decodeURIComponent(base.username), key: decodeURIComponent(base.password) } : undefined;
  base.username = "";
  base.password = "";
  if (!base.pathname.endsWith("/")) base.pathname = `${base.pathname}/`;
  const credentials = user !== undefined && key !== undefined ? { user, key } : fromUrl;
  return { base, credentials };
}

const path = (...segments: readonly string[]) => segments.map((segment) => `${encodeURIComponent(segment)}/`).join("");

function levelPath(location: RepoLocation): string {
  const root = path("api", "repos", location.project, location.ref, location.sha1, location.distro, location.distro_version);
  return location.flavor === undefined ? root : `${root}${path("flavors", location.flavor)}`;
}

export function createShamanClient(options: ShamanClientOptions) {
  const { base, credentials } = splitCredentials(options.url, options.user, options.key);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const authorization = credentials ? `Basic ${Buffer.from(`${credentials.user}:${credentials.key}`).toString("base64")}` : undefined;
  const secrets = credentials ? [credentials.key, authorization!.slice(6)].filter((secret) => secret !== "") : [];
  const scrub = (value: string) => secrets.reduce((text, secret) => text.split(secret).join("***"), value);

  interface Call {
    readonly method?: string;
    readonly body?: unknown;
    readonly auth?: boolean;
    readonly redirect?: boolean;
  }

  const send = async (relative: string, call: Call = {}): Promise<{ response: Response; body: string; url: URL; method: string }> => {
    const url = new URL(relative, base);
    const method = call.method ?? "GET";
    const headers: Record<string, string> = { accept: "application/json, text/plain", "user-agent": "quipu-shaman-client" };
    if (call.body !== undefined) headers["content-type"] = "application/json";
    if (authorization !== undefined && call.auth) headers["authorization"] = authorization;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        redirect: call.redirect ? "manual" : "follow",
      });
    } catch (error) {
      throw new QuipuError("QUIPU_SHAMAN_CLIENT_UNREACHABLE", `cannot reach shaman at ${url.origin}: ${scrub((error as Error).message)}`, {
        details: { url: url.href, method, reason: scrub(String((error as Error).cause ?? (error as Error).message)) },
      });
    }
    return { response, body: await response.text(), url, method };
  };

  const httpError = (result: { response: Response; body: string; url: URL; method: string }): QuipuError => {
    let message: string | undefined;
    let code: string | undefined;
    try {
      const parsed = JSON.parse(result.body) as { message?: unknown; error?: { code?: unknown } };
      if (typeof parsed.message === "string") message = parsed.message;
      if (typeof parsed.error?.code === "string") code = parsed.error.code;
    } catch {
      if (result.body.trim() !== "") message = result.body.trim().slice(0, 300);
    }
    const status = result.response.status;
    return new QuipuError("QUIPU_SHAMAN_CLIENT_HTTP_ERROR", `shaman answered ${status} to ${result.method} ${result.url.pathname}${message ? `: ${scrub(message)}` : ""}`, {
      details: { status, method: result.method, url: result.url.href, ...(message === undefined ? {} : { message: scrub(message) }), ...(code === undefined ? {} : { code }) },
    });
  };

  const parse = <S extends z.ZodType>(schema: S, result: { body: string; url: URL }): z.output<S> => {
    let value: unknown;
    try {
      value = JSON.parse(result.body);
    } catch {
      throw new QuipuError("QUIPU_SHAMAN_CLIENT_RESPONSE_INVALID", `shaman answered ${result.url.pathname} with a body that is not JSON`, {
        details: { url: result.url.href, issues: ["(root): not JSON"] },
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issues = formatZodIssues(parsed.error);
      throw new QuipuError("QUIPU_SHAMAN_CLIENT_RESPONSE_INVALID", `shaman answered ${result.url.pathname} with an unexpected body: ${issues.slice(0, 3).join("; ")}`, {
        details: { url: result.url.href, issues },
      });
    }
    return parsed.data;
  };

  const getJson = async <S extends z.ZodType>(relative: string, schema: S): Promise<z.output<S>> => {
    const result = await send(relative);
    if (!result.response.ok) throw httpError(result);
    return parse(schema, result);
  };

  const post = async (relative: string, body: unknown): Promise<void> => {
    const result = await send(relative, { method: "POST", body, auth: true });
    if (!result.response.ok) throw httpError(result);
  };

  const redirectTarget = async (relative: string, location: { project: string; ref: string }): Promise<string> => {
    const result = await send(relative, { redirect: true });
    const target = result.response.headers.get("location");
    if (result.response.status === 302 && target !== null) return new URL(target, result.url).href;
    if (result.response.status === 504) {
      throw new QuipuError("QUIPU_SHAMAN_NOT_READY", result.body.trim() || `no repository is ready for: ${location.project}/${location.ref}`, {
        details: { project: location.project, ref: location.ref, url: result.url.href },
      });
    }
    throw httpError(result);
  };

  return {
    /** The base URL requests go to (without credentials). */
    url: base.href,

    /** `GET /api/`: project names. */
    async projects(): Promise<string[]> {
      return (await getJson("api/", z.object({ repos: StringListSchema }))).repos;
    },

    /** `GET /_health/`: true on 2xx. */
    async health(): Promise<boolean> {
      return (await send("_health/")).response.ok;
    },

    // ---------------------------------------------------------------- nodes

    async nodes(): Promise<Record<string, NodeJson>> {
      return (await getJson("api/nodes/", z.record(z.string(), NodeJsonSchema))) as Record<string, NodeJson>;
    },

    /** One node's JSON, undefined when shaman does not know it. */
    async node(host: string): Promise<NodeJson | undefined> {
      const result = await send(path("api", "nodes", host));
      if (result.response.status === 404) return undefined;
      if (!result.response.ok) throw httpError(result);
      return parse(NodeJsonSchema, result) as NodeJson;
    },

    /** Register-or-ping, as chacra does at start: shaman probes the node's `/health/`. */
    async registerNode(host: string, body: { url?: string } = {}): Promise<void> {
      await post(path("api", "nodes", host), body);
    },

    /** `GET /api/nodes/next/`: the base URL of the chacra node to upload to. */
    async next(): Promise<string> {
      const result = await send("api/nodes/next/", { auth: true });
      if (result.response.status === 404) {
        throw new QuipuError("QUIPU_NODE_NONE_AVAILABLE", `shaman has no chacra node to hand out: ${result.body.trim()}`, {
          details: { url: result.url.href, status: 404 },
        });
      }
      if (!result.response.ok) throw httpError(result);
      const node = HttpUrlSchema.safeParse(result.body.trim());
      if (!node.success) {
        throw new QuipuError("QUIPU_SHAMAN_CLIENT_RESPONSE_INVALID", "shaman's /api/nodes/next/ answer is not a URL", {
          details: { url: result.url.href, issues: ["(root): not an http(s) URL"] },
        });
      }
      return node.data;
    },

    async drainNode(host: string): Promise<NodeJson> {
      const result = await send(path("api", "nodes", host, "drain"), { method: "POST", auth: true });
      if (!result.response.ok) throw httpError(result);
      return parse(NodeJsonSchema, result) as NodeJson;
    },

    async undrainNode(host: string): Promise<NodeJson> {
      const result = await send(path("api", "nodes", host, "undrain"), { method: "POST", auth: true });
      if (!result.response.ok) throw httpError(result);
      return parse(NodeJsonSchema, result) as NodeJson;
    },

    async removeNode(host: string): Promise<void> {
      const result = await send(path("api", "nodes", host), { method: "DELETE", auth: true });
      if (!result.response.ok) throw httpError(result);
    },

    // ---------------------------------------------------------------- repos

    /** `POST /api/repos/{project}/`: a repo status report, as chacra and the Pulp notifier send it. */
    async reportRepoStatus(project: string, report: Record<string, unknown>): Promise<void> {
      await post(path("api", "repos", project), report);
    },

    async repoIndex(): Promise<Record<string, { refs: string[]; sha1s: string[] }>> {
      return getJson("api/repos/", z.record(z.string(), z.object({ refs: StringListSchema, sha1s: StringListSchema })));
    },

    async repoRefs(project: string): Promise<string[]> {
      return getJson(path("api", "repos", project), StringListSchema);
    },

    async repoSha1s(project: string, ref: string): Promise<string[]> {
      return getJson(path("api", "repos", project, ref), StringListSchema);
    },

    async repoDistros(project: string, ref: string, sha1: string): Promise<string[]> {
      return getJson(path("api", "repos", project, ref, sha1), StringListSchema);
    },

    async repoDistroVersions(project: string, ref: string, sha1: string, distro: string): Promise<string[]> {
      return getJson(path("api", "repos", project, ref, sha1, distro), StringListSchema);
    },

    /** The repos at a location, newest first. */
    async repos(location: RepoLocation): Promise<RepoJson[]> {
      return (await getJson(levelPath(location), z.array(RepoJsonSchema))) as RepoJson[];
    },

    async repoFlavors(location: Omit<RepoLocation, "flavor">): Promise<string[]> {
      return getJson(`${levelPath(location)}flavors/`, StringListSchema);
    },

    /** Where `…/repo[?arch=]` redirects: the repo file of the newest ready repo. */
    async repoFileUrl(location: RepoLocation & { readonly arch?: string | undefined }): Promise<string> {
      const query = location.arch === undefined ? "" : `?arch=${encodeURIComponent(location.arch)}`;
      return redirectTarget(`${levelPath(location)}repo${query}`, location);
    },

    /** Where `…/{arch}/{path}` redirects: the newest ready repo having `arch`, plus `path`. */
    async repoTreeUrl(location: RepoLocation & { readonly arch: string; readonly path?: string | undefined }): Promise<string> {
      const rest = (location.path ?? "").split("/").filter((part) => part !== "").map(encodeURIComponent).join("/");
      const trailing = location.path !== undefined && location.path.endsWith("/") && rest !== "" ? "/" : "";
      return redirectTarget(`${levelPath(location)}${encodeURIComponent(location.arch)}/${rest}${trailing}`, location);
    },

    // ---------------------------------------------------------------- builds

    /** `POST /api/builds/{project}/`: a build status report, as ceph-build's scripts send it. */
    async reportBuildStatus(project: string, report: Record<string, unknown>): Promise<void> {
      await post(path("api", "builds", project), report);
    },

    async buildIndex(): Promise<Record<string, string[]>> {
      return getJson("api/builds/", z.record(z.string(), StringListSchema));
    },

    async buildRefs(project: string): Promise<string[]> {
      return getJson(path("api", "builds", project), StringListSchema);
    },

    async buildSha1s(project: string, ref: string): Promise<string[]> {
      return getJson(path("api", "builds", project, ref), StringListSchema);
    },

    /** The builds of a sha1, newest first. */
    async builds(project: string, ref: string, sha1: string): Promise<BuildJson[]> {
      return (await getJson(path("api", "builds", project, ref, sha1), z.array(BuildJsonSchema))) as BuildJson[];
    },

    // ---------------------------------------------------------------- search

    /** `GET /api/search/`: repos newest first; `sha1: "latest"` resolves the newest sha1 ready for every distro. */
    async search(query: SearchQuery): Promise<RepoJson[]> {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query) as [string, string | readonly string[] | undefined][]) {
        if (value === undefined) continue;
        params.set(name, typeof value === "string" ? value : value.join(","));
      }
      return (await getJson(`api/search/?${params.toString()}`, z.array(RepoJsonSchema))) as RepoJson[];
    },
  };
}

export type ShamanClient = ReturnType<typeof createShamanClient>;
