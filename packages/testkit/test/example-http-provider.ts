import {
  classifyProviderHttpError,
  createDestroyedIdSet,
  isQuipuError,
  parseProviderMachine,
  parseProviderMachines,
  validateMachineRequest,
  type ProviderCapabilities,
  type ProvisioningProvider,
} from "@quipu/core";

// The adapter shown in docs/adapters.md, for a JSON API that already speaks quipu's Machine shape.
export const acmeCapabilities: ProviderCapabilities = {
  volumes: false, userData: true, userDataReadable: false, metadataTags: true, listByTag: true,
  bareMetal: false, uniqueNames: true, networks: false,
};

export interface AcmeProviderOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof globalThis.fetch;
}

export function createAcmeProvider({ baseUrl, token, fetch = globalThis.fetch }: AcmeProviderOptions): ProvisioningProvider {
  const destroyed = createDestroyedIdSet();
  async function call(method: string, path: string, init: { body?: unknown; signal?: AbortSignal; id?: string } = {}) {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      signal: init.signal,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) {
      const context = { provider: "acme", operation: `${method} ${path}`, id: init.id, secrets: [token] };
      throw classifyProviderHttpError(response.status, await response.text(), context);
    }
    return response.status === 204 ? undefined : ((await response.json()) as unknown);
  }
  return {
    name: "acme",
    capabilities: acmeCapabilities,
    async create(input, { signal } = {}) {
      const body = validateMachineRequest(input, acmeCapabilities, "acme"); // nothing invalid goes out
      return parseProviderMachine(await call("POST", "machines", { body, signal }), "acme");
    },
    async get(id, { signal } = {}) {
      return parseProviderMachine(await call("GET", `machines/${encodeURIComponent(id)}`, { signal, id }), "acme");
    },
    async list({ tags = {}, signal } = {}) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(tags)) query.append("tag", `${key}=${value}`);
      return parseProviderMachines(await call("GET", `machines?${query}`, { signal }), "acme");
    },
    async destroy(id, { signal } = {}) {
      try {
        await call("DELETE", `machines/${encodeURIComponent(id)}`, { signal, id });
      } catch (error) {
        // Acme forgets a machine once deleted: our own tombstones keep a repeated destroy idempotent.
        if (isQuipuError(error, "QUIPU_PROVIDER_NOT_FOUND") && destroyed.has(id)) return "already-gone";
        throw error;
      }
      destroyed.add(id);
      return "destroyed";
    },
  };
}
