import { createMemoryProvider, isQuipuError, type MachineRequestInput, type MemoryProvider } from "@quipu/core";
import type { ForcedProviderFailure } from "../src/index.js";

export interface FakeAcmeApi {
  /** A `fetch` that answers like the Acme API, without a socket. */
  fetch: typeof fetch;
  /** The state behind the API. */
  backend: MemoryProvider;
  /** Requests seen, for assertions (method and path only). */
  requests: string[];
  /** Makes the next request fail the way a real deployment does, credentials echoed and all. */
  failNext(code: ForcedProviderFailure): void;
}

/**
 * The hypothetical Acme machine API behind the docs' example adapter: Bearer auth, JSON bodies in
 * quipu's Machine shape, `?tag=key=value` filters, and a DELETE that forgets the machine at once
 * (404 on a repeat, as Nova after purge). Forced failures echo the token, as misconfigured proxies
 * and debug-mode APIs do, so the suite proves the adapter scrubs it.
 */
export function createFakeAcmeApi(options: { token: string }): FakeAcmeApi {
  const { token } = options;
  const backend = createMemoryProvider({ name: "acme" });
  const requests: string[] = [];
  let pendingFailure: ForcedProviderFailure | undefined;

  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const failure = (code: ForcedProviderFailure): Response => {
    switch (code) {
      case "QUIPU_PROVIDER_AUTH_FAILED":
        return new Response(`<html><body>401 Unauthorized<pre>Authorization: Bearer ${token}</pre></body></html>`, {
          status: 401,
        });
      case "QUIPU_PROVIDER_QUOTA_EXCEEDED":
        return json(403, { forbidden: { code: 403, message: `Quota exceeded for instances (token ${token})` } });
      case "QUIPU_PROVIDER_TRANSIENT":
        return new Response(`<html><h1>503 Service Unavailable</h1>upstream ?auth=${token}</html>`, { status: 503 });
      case "QUIPU_PROVIDER_PERMANENT":
        return json(400, { badRequest: { code: 400, message: `Invalid imageRef provided. {"token": "${token}"}` } });
    }
  };

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}`);
    if (request.headers.get("authorization") !== `Bearer ${token}`) return json(401, { error: { message: "Unauthorized" } });
    if (pendingFailure) {
      const code = pendingFailure;
      pendingFailure = undefined;
      return failure(code);
    }
    const match = /^\/v1\/machines(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return json(404, { error: { message: "no such route" } });
    const id = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
    try {
      if (request.method === "POST" && id === undefined) return json(201, await backend.create((await request.json()) as MachineRequestInput));
      if (request.method === "GET" && id === undefined) {
        const tags = Object.fromEntries(url.searchParams.getAll("tag").map((tag) => tag.split(/=(.*)/s).slice(0, 2)));
        return json(200, await backend.list({ tags }));
      }
      if (request.method === "GET" && id !== undefined) return json(200, await backend.get(id));
      if (request.method === "DELETE" && id !== undefined) {
        const outcome = await backend.destroy(id);
        if (outcome === "destroyed") return new Response(null, { status: 204 });
      }
    } catch (error) {
      if (!isQuipuError(error)) throw error;
      if (error.code === "QUIPU_PROVIDER_ALREADY_EXISTS") return json(409, { error: { message: "name already exists" } });
      if (error.code === "QUIPU_PROVIDER_QUOTA_EXCEEDED") return json(403, { error: { message: "Quota exceeded" } });
      if (error.code !== "QUIPU_PROVIDER_NOT_FOUND") return json(400, { error: { message: error.message } });
    }
    return json(404, { error: { message: `machine ${id ?? ""} not found` } });
  }

  return {
    backend,
    requests,
    fetch: async (input, init) => {
      init?.signal?.throwIfAborted(); // as the real fetch: an aborted signal sends nothing
      return handle(new Request(input, init));
    },
    failNext(code) {
      pendingFailure = code;
    },
  };
}
