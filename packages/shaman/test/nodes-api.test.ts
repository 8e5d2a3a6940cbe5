/**
 * Node registration and hand-out against real chacra nodes on real ports (chacra's own app and
 * health checks): what ceph-build does (`curl -fs -u user:key …/api/nodes/next/`), what chacra
 * does at start (`POST /api/nodes/{host}/` with `{}`), a node that stops being skipped at once
 * and marked down, a restarted node handed out again by the re-probe loop without re-registering,
 * maintenance, drain, persistence, and 200 concurrent `/next/` calls spread evenly.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createManualClock, type NodeSelectorEvent } from "@quipu/core";
import { nextChacraNode } from "../../chacra/src/client.js";
import { registerWithShaman } from "../../chacra/src/registration.js";
import { startTestChacra, type TestChacra } from "../../chacra/test/chacra-harness.js";
import { startChacraNode, type ChacraNode } from "./chacra-node.js";
import { basicAuth, startTestShaman, TEST_USER, type TestShaman, type TestShamanOptions } from "./shaman-harness.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function shamanWith(options: TestShamanOptions = {}): Promise<TestShaman> {
  const shaman = await startTestShaman(options);
  cleanup.push(() => shaman.close());
  return shaman;
}

async function chacraNodes(count: number): Promise<ChacraNode[]> {
  const nodes = await Promise.all(Array.from({ length: count }, () => startChacraNode()));
  for (const node of nodes) cleanup.push(() => node.close());
  return nodes;
}

/** What ceph-build's setup_chacractl.sh does: `curl -fs -u $USER:$KEY https://shaman/api/nodes/next/`. */
async function next(shaman: TestShaman): Promise<string> {
  const response = await shaman.fetch("/api/nodes/next/", { auth: true });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  return response.text();
}

async function register(shaman: TestShaman, host: string): Promise<void> {
  const response = await shaman.post(`/api/nodes/${host}/`, {});
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({});
}

describe("registration and hand-out", () => {
  it("registers real chacra nodes (chacra's own registration call), lists them, hands them out least recently used first", async () => {
    const shaman = await shamanWith();
    const nodes = await chacraNodes(3);
    for (const node of nodes) {
      await registerWithShaman({ shamanUrl: shaman.url.replace("http://", `http://${TEST_USER.user}:${TEST_USER.key}@`), hostname: node.host });
    }
    const listed = (await (await shaman.fetch("/api/nodes/")).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(listed)).toEqual(nodes.map((node) => node.host));
    expect(listed[nodes[0]!.host]).toEqual({
      host: nodes[0]!.host,
      last_used: "1970-01-01 00:00:00",
      last_check: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/),
      healthy: true,
      down_count: 0,
      drained: false,
      url: nodes[0]!.url,
    });
    const handed = [];
    for (let index = 0; index < 6; index += 1) handed.push(await next(shaman));
    expect(handed).toEqual([...nodes, ...nodes].map((node) => node.url));
    // chacra's client, as its upload command calls it.
    expect(await nextChacraNode({ shamanUrl: shaman.url, user: TEST_USER.user, key: TEST_USER.key })).toBe(nodes[0]!.url);
    expect((await (await shaman.fetch(`/api/nodes/${nodes[1]!.host}/`)).json()) as Record<string, unknown>).toMatchObject({ host: nodes[1]!.host, healthy: true });
    expect((await shaman.fetch("/api/nodes/unknown.example/")).status).toBe(404);
  });

  it("works with chacra's test harness too (startTestChacra), with the https default scheme overridden per node URL", async () => {
    const shaman = await shamanWith({ nodeScheme: "https" });
    const chacras: TestChacra[] = [];
    for (let index = 0; index < 2; index += 1) {
      const chacra = await startTestChacra();
      cleanup.push(() => chacra.close());
      chacras.push(chacra);
      const host = new URL(chacra.url).host;
      // quipu extension: a node may say where it is reached.
      expect((await shaman.post(`/api/nodes/${host}/`, { url: chacra.url })).status).toBe(200);
    }
    expect([await next(shaman), await next(shaman)]).toEqual(chacras.map((chacra) => chacra.url));
  });

  it("needs Basic auth for /next/ and registration; reads are anonymous", async () => {
    const shaman = await shamanWith();
    const [node] = await chacraNodes(1);
    const unauthenticated = await shaman.fetch("/api/nodes/next/");
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get("www-authenticate")).toBe('Basic realm="Shaman :: API"');
    expect((await shaman.fetch(`/api/nodes/${node!.host}/`, { method: "POST", body: "{}" })).status).toBe(401);
    expect((await shaman.fetch("/api/nodes/next/", { headers: { authorization: basicAuth("jenkins", "nope") } })).status).toBe(401);
    expect((await shaman.fetch("/api/nodes/")).status).toBe(200);
  });

  it("answers 404 with the original's text when no node is available", async () => {
    const shaman = await shamanWith();
    const response = await shaman.fetch("/api/nodes/next/", { auth: true });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("There are no healthy chacra nodes available.");
    await expect(nextChacraNode({ shamanUrl: shaman.url, user: TEST_USER.user, key: TEST_USER.key })).rejects.toMatchObject({ code: "QUIPU_NODE_NONE_AVAILABLE" });
    await expect(shaman.client.next()).rejects.toMatchObject({ code: "QUIPU_NODE_NONE_AVAILABLE" });
  });

  it("rejects a malformed host with 400 JSON", async () => {
    const shaman = await shamanWith();
    const response = await shaman.post("/api/nodes/bad_host!/", {});
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("QUIPU_VALIDATION_FAILED");
  });
});

describe("failures and recovery", () => {
  it("skips a stopped node within one probe-cache interval, marks it down after 3 failed probes, and hands it out again one re-probe interval after it is back — without re-registration", async () => {
    const clock = createManualClock(Date.parse("2026-08-20T10:00:00Z"));
    const events: NodeSelectorEvent[] = [];
    const waiters: { type: string; host: string; resolve: () => void }[] = [];
    const onNodeEvent = (event: NodeSelectorEvent) => {
      events.push(event);
      for (const waiter of waiters.splice(0)) {
        if (waiter.type === event.type && waiter.host === event.host) waiter.resolve();
        else waiters.push(waiter);
      }
    };
    const eventFor = (type: string, host: string) =>
      events.some((event) => event.type === type && event.host === host) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ type, host, resolve }));
    const reprobeIntervalMs = 30_000;
    const shaman = await shamanWith({ clock, reprobeIntervalMs, onNodeEvent });
    const [a, b, c] = await chacraNodes(3);
    for (const node of [a!, b!, c!]) await register(shaman, node.host);
    const loop = new AbortController();
    const loopDone = shaman.service.runNodeLoop({ signal: loop.signal });
    cleanup.push(async () => {
      loop.abort();
      await loopDone;
    });

    await b!.stop();
    // B's last good probe is trusted for probeCacheMs (2 s); after that every call probes it.
    await clock.advance(2_000);
    const handed = [];
    for (let index = 0; index < 6; index += 1) handed.push(await next(shaman));
    expect(handed).not.toContain(b!.url);
    expect(new Set(handed)).toEqual(new Set([a!.url, c!.url]));
    const down = (await (await shaman.fetch(`/api/nodes/${b!.host}/`)).json()) as { healthy: boolean; down_count: number };
    expect(down).toMatchObject({ healthy: false, down_count: 3 });

    await b!.start();
    // Nobody re-registers B; one re-probe interval later the loop finds it healthy.
    await clock.advance(reprobeIntervalMs);
    await eventFor("node-recovered", b!.host);
    expect((await (await shaman.fetch(`/api/nodes/${b!.host}/`)).json()) as Record<string, unknown>).toMatchObject({ healthy: true, down_count: 0 });
    const after = [];
    for (let index = 0; index < 3; index += 1) after.push(await next(shaman));
    expect(new Set(after)).toEqual(new Set([a!.url, b!.url, c!.url]));
    expect(events.filter((event) => event.type === "node-registered" && event.host === b!.host)).toHaveLength(1);
  });

  it("skips a node whose chacra health check fails (maintenance file), and takes it back when it passes", async () => {
    // Probing on every hand-out, as the original did.
    const shaman = await shamanWith({ probeCacheMs: 0 });
    const [a, b] = await chacraNodes(2);
    await register(shaman, a!.host);
    await register(shaman, b!.host);
    a!.setMaintenance(true);
    expect([await next(shaman), await next(shaman)]).toEqual([b!.url, b!.url]);
    a!.setMaintenance(false);
    // A is still healthy in shaman's eyes (2 failures < 3), so the next call probes it again.
    expect(await next(shaman)).toBe(a!.url);
  });

  it("a re-registration puts a down node back at once (chacra restarting registers again)", async () => {
    const shaman = await shamanWith({ probeCacheMs: 0 });
    const [a] = await chacraNodes(1);
    await register(shaman, a!.host);
    await a!.stop();
    for (let index = 0; index < 3; index += 1) expect((await shaman.fetch("/api/nodes/next/", { auth: true })).status).toBe(404);
    expect((await shaman.client.node(a!.host))?.healthy).toBe(false);
    await a!.start();
    await register(shaman, a!.host);
    expect(await next(shaman)).toBe(a!.url);
  });

  it("drains a node (never handed out, still listed) and undrains it", async () => {
    const shaman = await shamanWith();
    const [a, b] = await chacraNodes(2);
    await register(shaman, a!.host);
    await register(shaman, b!.host);
    expect((await shaman.client.drainNode(a!.host)).drained).toBe(true);
    expect([await next(shaman), await next(shaman)]).toEqual([b!.url, b!.url]);
    expect(Object.keys(await shaman.client.nodes())).toContain(a!.host);
    await shaman.client.undrainNode(a!.host);
    expect(await next(shaman)).toBe(a!.url);
    await shaman.client.removeNode(a!.host);
    expect(await shaman.client.node(a!.host)).toBeUndefined();
  });

  it("keeps the node pool across a restart of shaman (health, drain, hand-out order)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "quipu-shaman-restart-"));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const [a, b, c] = await chacraNodes(3);
    const first = await startTestShaman({ dataDir });
    for (const node of [a!, b!, c!]) await register(first, node.host);
    await first.client.drainNode(c!.host);
    expect(await next(first)).toBe(a!.url);
    await first.close();

    const second = await shamanWith({ dataDir });
    const nodes = await second.client.nodes();
    expect(Object.keys(nodes)).toEqual([a!.host, b!.host, c!.host]);
    expect(nodes[c!.host]).toMatchObject({ drained: true, healthy: true });
    expect(nodes[a!.host]!.last_used).not.toBe("1970-01-01 00:00:00");
    // A was used last before the restart, so B comes first; C stays drained.
    expect([await next(second), await next(second), await next(second)]).toEqual([b!.url, a!.url, b!.url]);
  });
});

describe("concurrency", () => {
  it("spreads 200 parallel /next/ calls over 3 nodes evenly (max − min ≤ 1), none of them failing", async () => {
    // A manual clock keeps the registration probes fresh for the whole burst however slow the machine.
    const shaman = await shamanWith({ clock: createManualClock(Date.parse("2026-08-20T10:00:00Z")) });
    const nodes = await chacraNodes(3);
    for (const node of nodes) await register(shaman, node.host);
    const answers = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const response = await fetch(new URL("api/nodes/next/", shaman.url), { headers: { authorization: basicAuth() } });
        expect(response.status).toBe(200);
        return response.text();
      }),
    );
    const counts = nodes.map((node) => answers.filter((answer) => answer === node.url).length);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(200);
    expect(Math.max(...counts) - Math.min(...counts), `counts ${counts.join(", ")}`).toBeLessThanOrEqual(1);
  });
});
