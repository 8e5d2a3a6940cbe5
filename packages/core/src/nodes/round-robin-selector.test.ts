import { describe, expect, it } from "vitest";
import { isQuipuError, type QuipuError } from "../errors/quipu-error.js";
import { createManualClock } from "../ports/clock.js";
import type { Logger } from "../ports/logger.js";
import type { NodeSelectorEvent } from "./node-events.js";
import type { NodeProber, NodeProbeResult } from "./node-prober.js";
import { createNodeSelector, type NodeSelectorOptions } from "./round-robin-selector.js";

/** One scripted probe answer: a verdict, a throw, a probe that never answers, or one the test settles. */
type ScriptedAnswer = NodeProbeResult | "throw" | "hang" | Deferred<NodeProbeResult>;

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A prober that answers from per-host scripts (first in, first out) and then with the host's
 * default (healthy unless set). It records every call and the signal it got.
 */
function scriptedProber() {
  const scripts = new Map<string, ScriptedAnswer[]>();
  const defaults = new Map<string, ScriptedAnswer>();
  const calls: { host: string; signal: AbortSignal }[] = [];
  const probe: NodeProber = (node, { signal }) => {
    calls.push({ host: node.host, signal });
    const answer = scripts.get(node.host)?.shift() ?? defaults.get(node.host) ?? true;
    if (answer === "throw") return Promise.reject(new Error(`connection refused by ${node.host}`));
    if (answer === "hang") return new Promise(() => {});
    if (typeof answer === "object" && "promise" in answer) return answer.promise;
    return Promise.resolve(answer);
  };
  return {
    probe,
    calls,
    hostsProbed: () => calls.map((call) => call.host),
    script(host: string, ...answers: ScriptedAnswer[]) {
      scripts.set(host, [...(scripts.get(host) ?? []), ...answers]);
    },
    setDefault(host: string, answer: ScriptedAnswer) {
      defaults.set(host, answer);
    },
  };
}

function setup(overrides: Partial<NodeSelectorOptions> = {}) {
  const clock = createManualClock(1_000);
  const prober = scriptedProber();
  const events: NodeSelectorEvent[] = [];
  const selector = createNodeSelector({
    prober: prober.probe,
    clock,
    retries: 3,
    probeTimeoutMs: 500,
    reprobeIntervalMs: 1_000,
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  const eventsOf = (type: NodeSelectorEvent["type"]) => events.filter((event) => event.type === type);
  return { clock, prober, events, eventsOf, selector };
}

async function rejection(promise: Promise<unknown>): Promise<QuipuError> {
  try {
    await promise;
  } catch (error) {
    if (isQuipuError(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

function thrown(action: () => unknown): QuipuError {
  try {
    action();
  } catch (error) {
    if (isQuipuError(error)) return error;
    throw error;
  }
  throw new Error("expected a throw");
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("createNodeSelector: round-robin order", () => {
  it("hands out nodes least recently used first, brand-new nodes before used ones", async () => {
    const { clock, selector } = setup();
    for (const host of ["a.example", "b.example", "c.example"]) selector.register(host);
    const handedOut: string[] = [];
    for (let call = 0; call < 4; call += 1) {
      handedOut.push((await selector.next()).host);
      await clock.advance(10);
    }
    expect(handedOut).toEqual(["a.example", "b.example", "c.example", "a.example"]);

    selector.register("d.example");
    expect((await selector.next()).host).toBe("d.example");
    expect((await selector.next()).host).toBe("b.example");
  });

  it("keeps rotating when the clock does not move between handouts", async () => {
    const { selector } = setup();
    for (const host of ["a", "b", "c"]) selector.register(host);
    const handedOut: string[] = [];
    for (let call = 0; call < 6; call += 1) handedOut.push((await selector.next()).host);
    expect(handedOut).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  it("orders restored nodes by their persisted lastUsed, ties by registration order", async () => {
    const { selector } = setup();
    selector.register("late", { lastUsed: 900 });
    selector.register("early-1", { lastUsed: 100 });
    selector.register("early-2", { lastUsed: 100 });
    selector.register("new");
    const handedOut: string[] = [];
    for (let call = 0; call < 4; call += 1) handedOut.push((await selector.next()).host);
    expect(handedOut).toEqual(["new", "early-1", "early-2", "late"]);
  });

  it("marks the handed-out node used now and resets its failure count", async () => {
    const { clock, prober, selector } = setup();
    selector.register("a", { downCount: 2 });
    await clock.advance(4_000);
    prober.script("a", { healthy: true, detail: "disk 40 %" });
    const node = await selector.next();
    expect(node).toMatchObject({
      host: "a",
      lastUsed: 5_000,
      lastCheck: 5_000,
      downCount: 0,
      healthy: true,
      inFlight: 0,
    });
    expect(selector.get("a")).toEqual(node);
  });
});

describe("createNodeSelector: probes and failover", () => {
  it("probes before handing out and fails over to the next node within the same call", async () => {
    const { prober, selector } = setup();
    selector.register("a");
    selector.register("b");
    prober.script("a", false);
    const node = await selector.next();
    expect(node.host).toBe("b");
    expect(prober.hostsProbed()).toEqual(["a", "b"]);
    expect(selector.get("a")).toMatchObject({ downCount: 1, healthy: true, lastCheck: 1_000 });
  });

  it("counts consecutive failures and marks a node down at exactly `retries`", async () => {
    const { prober, selector, eventsOf } = setup({ retries: 3 });
    selector.register("a");
    selector.register("b");
    prober.setDefault("a", "throw");
    for (let call = 1; call <= 2; call += 1) {
      expect((await selector.next()).host).toBe("b");
      expect(selector.get("a")).toMatchObject({ downCount: call, healthy: true });
    }
    expect((await selector.next()).host).toBe("b");
    expect(selector.get("a")).toMatchObject({ downCount: 3, healthy: false });
    expect(eventsOf("node-down").map((event) => event.host)).toEqual(["a"]);

    // Down: never probed by next() again, never handed out.
    const probesBefore = prober.calls.length;
    expect((await selector.next()).host).toBe("b");
    expect(prober.hostsProbed().slice(probesBefore)).toEqual(["b"]);
  });

  it("resets the failure count after a successful probe", async () => {
    const { prober, selector } = setup();
    selector.register("a");
    prober.script("a", false, false, true);
    selector.register("b");
    await selector.next();
    await selector.next();
    expect(selector.get("a").downCount).toBe(2);
    expect((await selector.next()).host).toBe("a");
    expect(selector.get("a")).toMatchObject({ downCount: 0, healthy: true });
  });

  it("treats a throw, false, { healthy: false }, a malformed answer and a synchronous throw as failures", async () => {
    const { prober, selector, eventsOf } = setup({ retries: 10 });
    selector.register("a");
    prober.script("a", "throw", false, { healthy: false, detail: "disk 91 % used" }, "yes" as unknown as boolean);
    for (let call = 0; call < 4; call += 1) await rejection(selector.next());
    expect(eventsOf("node-probe-failed").map((event) => ("detail" in event ? event.detail : ""))).toEqual([
      "probe failed: connection refused by a",
      "probe reported unhealthy",
      "disk 91 % used",
      "probe returned neither a boolean nor { healthy }",
    ]);

    const throwsSynchronously = createNodeSelector({
      prober: () => {
        throw new Error("bad url");
      },
    });
    throwsSynchronously.register("a");
    const error = await rejection(throwsSynchronously.next());
    expect(error.details["tried"]).toEqual([{ host: "a", detail: "probe failed: bad url" }]);
  });

  it("times a hung probe out on the injected clock, aborts its signal and fails over", async () => {
    const { clock, prober, selector, eventsOf } = setup({ probeTimeoutMs: 500 });
    selector.register("a");
    selector.register("b");
    prober.script("a", "hang");
    let handedOut: string | undefined;
    const pending = selector.next().then((node) => (handedOut = node.host));
    await flush();
    await clock.advance(499);
    await flush();
    expect(handedOut).toBeUndefined();
    await clock.advance(1);
    await pending;
    expect(handedOut).toBe("b");
    const probeOfA = prober.calls.find((call) => call.host === "a");
    expect(probeOfA?.signal.aborted).toBe(true);
    expect((probeOfA?.signal.reason as DOMException).name).toBe("TimeoutError");
    expect(eventsOf("node-probe-failed")[0]).toMatchObject({ host: "a", detail: "no answer within 500 ms" });
    expect(selector.get("a")).toMatchObject({ downCount: 1, lastCheck: 1_500 });
  });

  it("throws QUIPU_NODE_NONE_AVAILABLE with details when nothing can be handed out", async () => {
    const { prober, selector } = setup();
    let error = await rejection(selector.next());
    expect(error.code).toBe("QUIPU_NODE_NONE_AVAILABLE");
    expect(error.status).toBe(404);
    expect(error.details).toEqual({ registered: 0, down: [], drained: [], tried: [] });

    selector.register("a");
    selector.register("b", { healthy: false, downCount: 3 });
    selector.register("c", { drained: true });
    prober.script("a", { healthy: false, detail: "rabbitmq unreachable" });
    error = await rejection(selector.next());
    expect(error.code).toBe("QUIPU_NODE_NONE_AVAILABLE");
    expect(error.details).toEqual({
      registered: 3,
      down: ["b"],
      drained: ["c"],
      tried: [{ host: "a", detail: "rabbitmq unreachable" }],
    });
  });
});

describe("createNodeSelector: registry", () => {
  it("registers idempotently and updates the url", () => {
    const { selector, eventsOf } = setup();
    selector.register("a");
    const again = selector.register("a", { url: "https://a.example:8443/" });
    expect(selector.list()).toHaveLength(1);
    expect(again).toEqual({
      host: "a",
      url: "https://a.example:8443/",
      lastUsed: 0,
      lastCheck: null,
      downCount: 0,
      healthy: true,
      drained: false,
      inFlight: 0,
    });
    const restoredFlags = eventsOf("node-registered").map((event) => ("restored" in event ? event.restored : null));
    expect(restoredFlags).toEqual([false, false]);
  });

  it("restores a persisted row, and a snapshot round-trips through register", () => {
    const { selector, eventsOf } = setup();
    const row = { lastUsed: 123, lastCheck: 456, downCount: 5, healthy: false, drained: true };
    const restored = selector.register("a", row);
    expect(restored).toMatchObject(row);
    expect(eventsOf("node-registered")[0]).toMatchObject({ restored: true });

    const other = setup().selector;
    expect(other.register(restored.host, restored)).toEqual(restored);
  });

  it("rejects a malformed host or registration with QUIPU_VALIDATION_FAILED", () => {
    const { selector } = setup();
    for (const host of ["", "https://a.example", "a.example/path", "a b"]) {
      expect(thrown(() => selector.register(host)).code).toBe("QUIPU_VALIDATION_FAILED");
    }
    const error = thrown(() => selector.register("a", { downCount: -1, url: "not a url" }));
    expect(error.code).toBe("QUIPU_VALIDATION_FAILED");
    expect(error.details["issues"]).toHaveLength(2);
    expect(selector.list()).toEqual([]);
    expect(selector.register("a.example:8443").host).toBe("a.example:8443");
    expect(thrown(() => selector.register("b", { url: "ftp://b.example/" })).code).toBe("QUIPU_VALIDATION_FAILED");
  });

  it("treats host names case-insensitively, as DNS does", async () => {
    const { selector } = setup();
    expect(selector.register("Chacra-2.Example.COM").host).toBe("chacra-2.example.com");
    selector.register("chacra-2.example.com");
    expect(selector.list()).toHaveLength(1);
    expect(selector.has("CHACRA-2.example.com")).toBe(true);
    expect(selector.drain("CHACRA-2.example.com").drained).toBe(true);
    expect(selector.remove("chacra-2.EXAMPLE.com").host).toBe("chacra-2.example.com");
  });

  it("rejects invalid options", () => {
    const prober: NodeProber = async () => true;
    for (const options of [
      { prober, retries: 0 },
      { prober, probeTimeoutMs: 1.5 },
      { prober, reprobeIntervalMs: -1 },
      { prober: undefined as unknown as NodeProber },
    ]) {
      expect(thrown(() => createNodeSelector(options)).code).toBe("QUIPU_VALIDATION_FAILED");
    }
  });

  it("puts a down node that re-registers back in rotation on probation", async () => {
    const { prober, selector } = setup({ retries: 3 });
    selector.register("a", { healthy: false, downCount: 7 });
    selector.register("b");
    expect(selector.register("a")).toMatchObject({ healthy: true, downCount: 2 });
    expect((await selector.next()).host).toBe("a");
    expect(selector.get("a").downCount).toBe(0);

    // On probation, one failed probe is enough to go down again.
    selector.register("a", { healthy: false, downCount: 3 });
    selector.register("a");
    selector.drain("b");
    prober.script("a", false);
    await rejection(selector.next());
    expect(selector.get("a")).toMatchObject({ healthy: false, downCount: 3 });
  });

  it("never hands out a drained node but keeps it listed, until undrained", async () => {
    const { prober, selector, eventsOf } = setup();
    selector.register("a");
    selector.register("b");
    expect(selector.drain("a")).toMatchObject({ host: "a", drained: true });
    selector.drain("a");
    for (let call = 0; call < 3; call += 1) expect((await selector.next()).host).toBe("b");
    expect(prober.hostsProbed()).not.toContain("a");
    expect(selector.list().map((node) => node.host)).toEqual(["a", "b"]);

    expect(selector.undrain("a").drained).toBe(false);
    expect((await selector.next()).host).toBe("a");
    expect(eventsOf("node-drained")).toHaveLength(1);
    expect(eventsOf("node-undrained")).toHaveLength(1);
  });

  it("removes a node, and unknown hosts raise QUIPU_NODE_NOT_FOUND", async () => {
    const { selector } = setup();
    selector.register("a");
    selector.register("b");
    expect(selector.remove("a").host).toBe("a");
    expect(selector.has("a")).toBe(false);
    expect((await selector.next()).host).toBe("b");
    expect((await selector.next()).host).toBe("b");
    const onUnknownHost = [
      () => selector.get("a"),
      () => selector.remove("a"),
      () => selector.drain("a"),
      () => selector.undrain("a"),
    ];
    for (const action of onUnknownHost) {
      const error = thrown(action);
      expect(error.code).toBe("QUIPU_NODE_NOT_FOUND");
      expect(error.details).toEqual({ host: "a" });
    }
    expect((await rejection(selector.check("a"))).code).toBe("QUIPU_NODE_NOT_FOUND");
  });

  it("fails over when a node is removed or drained while a caller waits on its probe", async () => {
    const { prober, selector } = setup();
    const probeOfA = deferred<NodeProbeResult>();
    const probeOfC = deferred<NodeProbeResult>();
    selector.register("a");
    selector.register("b");
    selector.register("c");
    prober.script("a", probeOfA);
    prober.script("c", probeOfC);
    const first = selector.next();
    await selector.next(); // b, so both a and c are busy or used
    const third = selector.next();
    selector.remove("a");
    selector.drain("c");
    probeOfA.resolve(true);
    probeOfC.resolve(true);
    expect((await first).host).toBe("b");
    expect((await third).host).toBe("b");
    expect(selector.get("c").lastUsed).toBe(0);
  });
});

describe("createNodeSelector: recovery of down nodes", () => {
  it("re-probes down nodes and brings them back without re-registration", async () => {
    const { clock, prober, selector, eventsOf } = setup();
    selector.register("a", { lastUsed: 900 });
    selector.register("b", { healthy: false, downCount: 3, lastUsed: 0 });
    selector.register("c", { healthy: false, downCount: 4 });
    prober.script("b", true);
    prober.script("c", "throw");
    await clock.advance(500);
    const report = await selector.reprobeDown();
    expect(report).toEqual({ probed: ["b", "c"], recovered: ["b"], stillDown: ["c"] });
    expect(selector.get("b")).toMatchObject({ healthy: true, downCount: 0, lastCheck: 1_500 });
    expect(selector.get("c")).toMatchObject({ healthy: false, downCount: 5, lastCheck: 1_500 });
    expect(eventsOf("node-recovered").map((event) => event.host)).toEqual(["b"]);
    expect(prober.hostsProbed()).toEqual(["b", "c"]);

    // b was used least recently, so it goes first now that it is back.
    await selector.next();
    expect(selector.get("b").lastUsed).toBe(1_500);
  });

  it("probes every down node at once, so one hung node delays a pass by one timeout only", async () => {
    const { clock, prober, selector } = setup({ probeTimeoutMs: 500 });
    selector.register("a", { healthy: false, downCount: 3 });
    selector.register("b", { healthy: false, downCount: 3 });
    prober.script("a", "hang");
    const pass = selector.reprobeDown();
    await flush();
    await clock.advance(500);
    expect(await pass).toEqual({ probed: ["a", "b"], recovered: ["b"], stillDown: ["a"] });
  });

  it("runs the re-probe loop on the injected clock until aborted", async () => {
    const { clock, prober, selector } = setup();
    selector.register("a", { healthy: false, downCount: 3 });
    prober.script("a", false, true);
    const stop = new AbortController();
    const loop = selector.runReprobeLoop({ signal: stop.signal, intervalMs: 1_000 });

    await clock.advance(999);
    await flush();
    expect(prober.calls).toHaveLength(0);
    await clock.advance(1);
    await flush();
    expect(prober.calls).toHaveLength(1);
    expect(selector.get("a")).toMatchObject({ healthy: false, downCount: 4 });

    await clock.advance(1_000);
    await flush();
    expect(selector.get("a")).toMatchObject({ healthy: true, downCount: 0, lastCheck: 3_000 });

    // Nothing down: passes probe nothing.
    await clock.advance(1_000);
    await flush();
    expect(prober.calls).toHaveLength(2);

    stop.abort();
    await expect(loop).resolves.toBeUndefined();
    await clock.advance(5_000);
    expect(prober.calls).toHaveLength(2);
  });

  it("uses reprobeIntervalMs by default and aborts a pass in progress without recording it", async () => {
    const { clock, prober, selector, eventsOf } = setup({ reprobeIntervalMs: 2_000 });
    selector.register("a", { healthy: false, downCount: 3 });
    prober.script("a", "hang");
    const stop = new AbortController();
    const loop = selector.runReprobeLoop({ signal: stop.signal });
    await clock.advance(1_999);
    await flush();
    expect(prober.calls).toHaveLength(0);
    await clock.advance(1);
    await flush();
    expect(prober.calls).toHaveLength(1);
    stop.abort(new Error("shutting down"));
    await loop;
    expect(prober.calls[0]?.signal.aborted).toBe(true);
    expect(selector.get("a")).toMatchObject({ healthy: false, downCount: 3, lastCheck: null });
    expect(eventsOf("node-probe-failed")).toEqual([]);
  });

  it("check() probes one node now and records the result", async () => {
    const { clock, prober, selector } = setup();
    selector.register("a", { healthy: false, downCount: 3 });
    await clock.advance(250);
    expect(await selector.check("a")).toMatchObject({ healthy: true, downCount: 0, lastCheck: 1_250 });
    prober.script("a", false);
    expect(await selector.check("a")).toMatchObject({ healthy: true, downCount: 1 });
  });
});

describe("createNodeSelector: concurrency", () => {
  it("hands concurrent callers different nodes", async () => {
    const { selector } = setup();
    for (const host of ["a", "b", "c"]) selector.register(host);
    const nodes = await Promise.all([selector.next(), selector.next(), selector.next()]);
    expect(nodes.map((node) => node.host)).toEqual(["a", "b", "c"]);
  });

  it("reserves the candidate synchronously, before the probe answers", () => {
    const { prober, selector } = setup();
    selector.register("a");
    selector.register("b");
    prober.script("a", deferred<NodeProbeResult>());
    void selector.next();
    expect(selector.get("a").inFlight).toBe(1);
    expect(prober.hostsProbed()).toEqual(["a"]);
    void selector.next();
    expect(prober.hostsProbed()).toEqual(["a", "b"]);
  });

  it("skips a node whose probe is in flight while another node is idle", async () => {
    const { prober, selector } = setup();
    const slowProbe = deferred<NodeProbeResult>();
    selector.register("a");
    selector.register("b");
    prober.script("a", slowProbe);
    const waiting = selector.next();
    expect((await selector.next()).host).toBe("b");
    expect((await selector.next()).host).toBe("b");
    slowProbe.resolve(true);
    expect((await waiting).host).toBe("a");
    expect(prober.hostsProbed()).toEqual(["a", "b", "b"]);
  });

  it("joins the in-flight probe when every node is busy, and counts a failed probe once", async () => {
    const { prober, selector } = setup({ retries: 2 });
    const probeOfA = deferred<NodeProbeResult>();
    const probeOfB = deferred<NodeProbeResult>();
    selector.register("a");
    selector.register("b");
    prober.script("a", probeOfA);
    prober.script("b", probeOfB);
    const calls = [selector.next(), selector.next(), selector.next(), selector.next()];
    expect(selector.list().map((node) => node.inFlight)).toEqual([2, 2]);
    expect(prober.hostsProbed()).toEqual(["a", "b"]);

    probeOfA.resolve(false);
    probeOfB.resolve(true);
    const hosts = (await Promise.all(calls)).map((node) => node.host);
    expect(hosts).toEqual(["b", "b", "b", "b"]);
    expect(selector.get("a")).toMatchObject({ downCount: 1, healthy: true, inFlight: 0 });
  });
});

describe("createNodeSelector: events and logs", () => {
  it("emits typed events with the node's row and logs them", async () => {
    const logged: { level: string; msg: string | undefined; obj: object }[] = [];
    const logger: Logger = {
      debug: (obj, msg) => logged.push({ level: "debug", obj, msg }),
      info: (obj, msg) => logged.push({ level: "info", obj, msg }),
      warn: (obj, msg) => logged.push({ level: "warn", obj, msg }),
      error: (obj, msg) => logged.push({ level: "error", obj, msg }),
    };
    const { prober, selector, events } = setup({ logger, retries: 1 });
    selector.register("a");
    selector.register("b");
    prober.script("a", false, true);
    await selector.next();
    await selector.reprobeDown();
    selector.drain("a");
    selector.undrain("a");
    selector.remove("b");
    expect(events.map((event) => `${event.type} ${event.host}`)).toEqual([
      "node-registered a",
      "node-registered b",
      "node-probe-failed a",
      "node-down a",
      "node-selected b",
      "node-recovered a",
      "node-drained a",
      "node-undrained a",
      "node-removed b",
    ]);
    expect(events.find((event) => event.type === "node-down")?.node).toMatchObject({ host: "a", healthy: false });
    expect(logged.map((entry) => `${entry.level} ${entry.msg}`)).toEqual([
      "info node registered",
      "info node registered",
      "warn node probe failed",
      "warn node marked down",
      "debug node selected",
      "info node recovered",
      "info node drained",
      "info node undrained",
      "info node removed",
    ]);
    expect(logged[2]?.obj).toMatchObject({ type: "node-probe-failed", host: "a", downCount: 1 });
  });

  it("logs a throwing event listener and carries on", async () => {
    const errors: object[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (obj) => errors.push(obj) };
    const { selector } = setup({
      logger,
      onEvent: () => {
        throw new Error("listener bug");
      },
    });
    selector.register("a");
    expect((await selector.next()).host).toBe("a");
    expect(errors).toHaveLength(2);
  });
});
