import { describe, expect, it } from "vitest";
import { isQuipuError } from "../errors/quipu-error.js";
import { createManualClock } from "../ports/clock.js";
import { MachineSchema } from "./machine.js";
import { createMemoryProvider } from "./memory-provider.js";
import { createDestroyedIdSet, destroyIfPresent } from "./provisioning-provider.js";
import { waitUntilActive } from "./wait-until-active.js";

const request = { name: "agent-1", image: "centos-stream-9", size: "m1.small" };

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isQuipuError(error) ? error.code : `not a QuipuError: ${String(error)}`;
  }
  return undefined;
}

describe("createMemoryProvider", () => {
  it("creates machines that pass MachineSchema, with ids from the generator and times from the clock", async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    let n = 0;
    const provider = createMemoryProvider({ clock, generateId: () => `vm-${++n}` });
    const machine = await provider.create({ ...request, metadata: { "quipu-pool": "a" }, volume: { sizeGb: 20 } });
    expect(MachineSchema.parse(machine)).toEqual(machine);
    expect(machine).toMatchObject({
      id: "vm-1",
      name: "agent-1",
      status: "active",
      createdAt: "2026-01-02T03:04:05.000Z",
      arch: "x86_64",
      metadata: { "quipu-pool": "a" },
      volume: { sizeGb: 20, name: "agent-1" },
      addresses: [{ address: "10.0.0.1", version: 4, network: "private", kind: "fixed" }],
    });
  });

  it("returns copies, so callers cannot change its state", async () => {
    const provider = createMemoryProvider();
    const machine = await provider.create({ ...request, metadata: { a: "1" } });
    machine.metadata.a = "changed";
    expect((await provider.get(machine.id)).metadata).toEqual({ a: "1" });
  });

  it("keeps machines building, without addresses, until bootDelayMs passes on the clock", async () => {
    const clock = createManualClock(0);
    const provider = createMemoryProvider({ clock, bootDelayMs: 30_000 });
    const machine = await provider.create(request);
    expect(machine.status).toBe("building");
    expect(machine.addresses).toEqual([]);
    await clock.advance(29_999);
    expect((await provider.get(machine.id)).status).toBe("building");
    await clock.advance(1);
    const booted = await provider.get(machine.id);
    expect(booted.status).toBe("active");
    expect(booted.addresses).toHaveLength(1);
  });

  it("refuses machines beyond the quota, counting error machines, and frees quota on destroy", async () => {
    const provider = createMemoryProvider({ quota: 2 });
    const first = await provider.create({ ...request, name: "a1" });
    await provider.create({ ...request, name: "a2" });
    provider.setStatus(first.id, "error", "No valid host was found.");
    const refused = provider.create({ ...request, name: "a3" });
    await expect(refused).rejects.toMatchObject({
      code: "QUIPU_PROVIDER_QUOTA_EXCEEDED",
      details: { used: 2, quota: 2 },
    });
    await provider.destroy(first.id);
    expect((await provider.create({ ...request, name: "a3" })).name).toBe("a3");
    expect(provider.liveCount).toBe(2);
  });

  it("failNext fails the next matching call once (or `times` times), then recovers", async () => {
    const provider = createMemoryProvider();
    provider.failNext("QUIPU_PROVIDER_TRANSIENT");
    expect(await codeOf(provider.list())).toBe("QUIPU_PROVIDER_TRANSIENT");
    expect(await provider.list()).toEqual([]);

    provider.failNext("QUIPU_PROVIDER_AUTH_FAILED", { operation: "create", times: 2 });
    expect(await provider.list()).toEqual([]);
    expect(await codeOf(provider.create(request))).toBe("QUIPU_PROVIDER_AUTH_FAILED");
    expect(await codeOf(provider.create(request))).toBe("QUIPU_PROVIDER_AUTH_FAILED");
    expect((await provider.create(request)).name).toBe("agent-1");
  });

  it("an invalid request is refused before an injected fault is consumed", async () => {
    const provider = createMemoryProvider();
    provider.failNext("QUIPU_PROVIDER_TRANSIENT", { operation: "create" });
    expect(await codeOf(provider.create({ ...request, name: "Not_Valid" }))).toBe("QUIPU_PROVIDER_INVALID_REQUEST");
    expect(await codeOf(provider.create(request))).toBe("QUIPU_PROVIDER_TRANSIENT");
  });

  it("marks injected errors and keeps the transient flag of the code", async () => {
    const provider = createMemoryProvider({ name: "pool-a" });
    provider.failNext("QUIPU_PROVIDER_TRANSIENT", { message: "nova is down" });
    const error = await provider.get("x").catch((caught: unknown) => caught);
    expect(error).toMatchObject({ message: "nova is down", details: { provider: "pool-a", operation: "get", injected: true } });
    expect((error as { transient: boolean }).transient).toBe(true);
  });

  it("distinguishes already-gone from never-known on destroy", async () => {
    const provider = createMemoryProvider();
    const machine = await provider.create(request);
    expect(await provider.destroy(machine.id)).toBe("destroyed");
    expect(await provider.destroy(machine.id)).toBe("already-gone");
    expect(await codeOf(provider.destroy("never-existed"))).toBe("QUIPU_PROVIDER_NOT_FOUND");
    expect(await codeOf(provider.get(machine.id))).toBe("QUIPU_PROVIDER_NOT_FOUND");
    expect(await destroyIfPresent(provider, "never-existed")).toBe("not-found");
    expect(await destroyIfPresent(provider, machine.id)).toBe("already-gone");
  });

  it("enforces unique names among live machines only", async () => {
    const provider = createMemoryProvider();
    const first = await provider.create(request);
    expect(await codeOf(provider.create(request))).toBe("QUIPU_PROVIDER_ALREADY_EXISTS");
    await provider.destroy(first.id);
    expect((await provider.create(request)).id).not.toBe(first.id);
    const relaxed = createMemoryProvider({ capabilities: { uniqueNames: false } });
    await relaxed.create(request);
    await relaxed.create(request);
    expect(await relaxed.list()).toHaveLength(2);
  });

  it("honours capability overrides and catalogues", async () => {
    const provider = createMemoryProvider({
      capabilities: { volumes: false, userDataReadable: false, architectures: ["ppc64le"] },
      images: ["centos-stream-9"],
      sizes: ["m1.small"],
      defaultArch: "ppc64le",
    });
    expect(await codeOf(provider.create({ ...request, volume: { sizeGb: 1 } }))).toBe("QUIPU_PROVIDER_UNSUPPORTED");
    expect(await codeOf(provider.create({ ...request, arch: "x86_64" }))).toBe("QUIPU_PROVIDER_UNSUPPORTED");
    expect(await codeOf(provider.create({ ...request, image: "ubuntu" }))).toBe("QUIPU_PROVIDER_PERMANENT");
    expect(await codeOf(provider.create({ ...request, size: "m1.huge" }))).toBe("QUIPU_PROVIDER_PERMANENT");
    const machine = await provider.create({ ...request, userData: "#cloud-config" });
    expect(machine.userData).toBeUndefined();
    expect(machine.arch).toBe("ppc64le");
  });

  it("refuses malformed capability overrides", () => {
    expect(() => createMemoryProvider({ capabilities: { architectures: [] } })).toThrow();
  });

  it("lists by tags (AND) and refuses tag filters without metadataTags", async () => {
    const provider = createMemoryProvider();
    const a = await provider.create({ ...request, name: "a", metadata: { owner: "mita", pool: "a" } });
    await provider.create({ ...request, name: "b", metadata: { owner: "mita", pool: "b" } });
    expect((await provider.list({ tags: { owner: "mita" } })).map((m) => m.name).sort()).toEqual(["a", "b"]);
    expect(await provider.list({ tags: { owner: "mita", pool: "a" } })).toEqual([await provider.get(a.id)]);
    const untagged = createMemoryProvider({ capabilities: { metadataTags: false } });
    expect(await codeOf(untagged.list({ tags: { owner: "mita" } }))).toBe("QUIPU_PROVIDER_UNSUPPORTED");
  });

  it("rejects with the abort reason and creates nothing when the signal is aborted", async () => {
    const provider = createMemoryProvider();
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    await expect(provider.create(request, { signal: controller.signal })).rejects.toThrow("shutting down");
    expect(provider.liveCount).toBe(0);
  });
});

describe("waitUntilActive", () => {
  it("polls on the clock until the machine is active", async () => {
    const clock = createManualClock(0);
    const provider = createMemoryProvider({ clock, bootDelayMs: 12_000 });
    const machine = await provider.create(request);
    let settled = false;
    const waiting = waitUntilActive(provider, machine.id, { clock, intervalMs: 5_000 }).finally(() => {
      settled = true;
    });
    await clock.advance(5_000);
    await clock.advance(5_000);
    expect(settled).toBe(false);
    await clock.advance(5_000);
    expect((await waiting).status).toBe("active");
  });

  it("fails at once with the fault of an error machine", async () => {
    const clock = createManualClock(0);
    const provider = createMemoryProvider({ clock, bootDelayMs: 60_000 });
    const machine = await provider.create(request);
    provider.setStatus(machine.id, "error", "No valid host was found.");
    await expect(waitUntilActive(provider, machine.id, { clock })).rejects.toMatchObject({
      code: "QUIPU_PROVIDER_PERMANENT",
      details: { fault: "No valid host was found." },
    });
  });

  it("rides out transient errors and times out as transient", async () => {
    const clock = createManualClock(0);
    const provider = createMemoryProvider({ clock, bootDelayMs: 1_000_000 });
    const machine = await provider.create(request);
    provider.failNext("QUIPU_PROVIDER_TRANSIENT", { operation: "get" });
    const waiting = waitUntilActive(provider, machine.id, { clock, timeoutMs: 10_000, intervalMs: 4_000 });
    const outcome = waiting.catch((error: unknown) => error);
    for (let i = 0; i < 3; i++) await clock.advance(4_000);
    expect(await outcome).toMatchObject({
      code: "QUIPU_PROVIDER_TRANSIENT",
      details: { id: machine.id, timeoutMs: 10_000, lastStatus: "building" },
    });
  });

  it("lets other errors through", async () => {
    const clock = createManualClock(0);
    const provider = createMemoryProvider({ clock });
    expect(await codeOf(waitUntilActive(provider, "missing", { clock }))).toBe("QUIPU_PROVIDER_NOT_FOUND");
  });
});

describe("createDestroyedIdSet", () => {
  it("forgets the oldest ids beyond its limit", () => {
    const ids = createDestroyedIdSet(2);
    ids.add("a");
    ids.add("b");
    ids.add("a");
    ids.add("c");
    expect([ids.has("a"), ids.has("b"), ids.has("c"), ids.size]).toEqual([true, false, true, 2]);
    expect(() => createDestroyedIdSet(0)).toThrow(RangeError);
  });
});
