import { createManualClock, createMemoryProvider, waitUntilActive, type ErrorCode } from "@quipu/core";
import { describe, expect, it } from "vitest";
import { describeProviderContract } from "../src/index.js";

describeProviderContract({
  name: "memory",
  create: () => {
    const provider = createMemoryProvider();
    return { provider, failNext: (code: ErrorCode) => provider.failNext(code) };
  },
  capabilities: { volumes: true, userDataReadable: true, metadataTags: true, uniqueNames: true },
});

describeProviderContract({
  name: "memory with nothing optional",
  create: () => ({
    provider: createMemoryProvider({
      capabilities: {
        volumes: false,
        userData: false,
        userDataReadable: false,
        metadataTags: false,
        listByTag: false,
        uniqueNames: false,
        networks: false,
        architectures: undefined,
      },
    }),
  }),
});

describe("memory provider extras", () => {
  it("quota: refuses the machine beyond the limit as transient", async () => {
    const provider = createMemoryProvider({ quota: 1 });
    await provider.create({ name: "a", image: "i", size: "s" });
    const error = await provider.create({ name: "b", image: "i", size: "s" }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "QUIPU_PROVIDER_QUOTA_EXCEEDED", transient: true });
  });

  it("fault injection: fails the chosen operation, then recovers", async () => {
    const provider = createMemoryProvider();
    provider.failNext("QUIPU_PROVIDER_PERMANENT", { operation: "destroy" });
    const machine = await provider.create({ name: "a", image: "i", size: "s" });
    await expect(provider.destroy(machine.id)).rejects.toMatchObject({ code: "QUIPU_PROVIDER_PERMANENT" });
    expect(await provider.destroy(machine.id)).toBe("destroyed");
  });

  it("boot delay: building until the manual clock passes it, then active with an address", async () => {
    const clock = createManualClock(0);
    const provider = createMemoryProvider({ clock, bootDelayMs: 90_000 });
    const machine = await provider.create({ name: "a", image: "i", size: "s" });
    const ready = waitUntilActive(provider, machine.id, { clock, intervalMs: 30_000 });
    for (let i = 0; i < 3; i++) await clock.advance(30_000);
    expect(await ready).toMatchObject({ status: "active", addresses: [{ address: "10.0.0.1" }] });
  });
});
