import { describe, expect, it } from "vitest";
import { describeProviderContract } from "../src/index.js";
import { createFakeAcmeApi } from "./example-http-api.js";
import { acmeCapabilities, createAcmeProvider } from "./example-http-provider.js";

const token = "acme-token-7f3a9c2e51";

// The adapter of docs/adapters.md passes the same suite as every other provider.
describeProviderContract({
  name: "example HTTP adapter (docs/adapters.md)",
  create: () => {
    const api = createFakeAcmeApi({ token });
    const provider = createAcmeProvider({ baseUrl: "http://acme.test/v1/", token, fetch: api.fetch });
    return { provider, secrets: [token], failNext: (code) => api.failNext(code) };
  },
  capabilities: acmeCapabilities,
  extra: (context) => {
    it("sends nothing for a request it cannot serve", async () => {
      const api = createFakeAcmeApi({ token });
      const provider = createAcmeProvider({ baseUrl: "http://acme.test/v1/", token, fetch: api.fetch });
      await context.expectProviderError(provider.create(context.request({ volume: { sizeGb: 5 } })), "QUIPU_PROVIDER_UNSUPPORTED");
      expect(api.requests).toEqual([]);
    });
  },
});

describe("example HTTP adapter", () => {
  it("treats a repeat 404 as already-gone only for machines it destroyed", async () => {
    const api = createFakeAcmeApi({ token });
    const provider = createAcmeProvider({ baseUrl: "http://acme.test/v1/", token, fetch: api.fetch });
    const machine = await provider.create({ name: "agent-1", image: "i", size: "s" });
    // Someone else deletes it: this adapter has no tombstone, so it reports what Acme says.
    await api.backend.destroy(machine.id);
    await expect(provider.destroy(machine.id)).rejects.toMatchObject({ code: "QUIPU_PROVIDER_NOT_FOUND" });
    expect(api.requests.at(-1)).toBe(`DELETE /v1/machines/${machine.id}`);
  });
});
