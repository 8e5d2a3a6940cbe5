import { describe, expect, it } from "vitest";
import { createManualClock } from "../ports/clock.js";
import { runProbe, type NodeProber } from "./node-prober.js";
import type { NodeSnapshot } from "./node-state.js";

const node: NodeSnapshot = {
  host: "a.example",
  lastUsed: 0,
  lastCheck: null,
  downCount: 0,
  healthy: true,
  drained: false,
  inFlight: 0,
};

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("runProbe", () => {
  it("passes the verdict and detail through, and leaves the signal of a finished probe alone", async () => {
    const clock = createManualClock();
    let seen: AbortSignal | undefined;
    const prober: NodeProber = async (target, { signal }) => {
      seen = signal;
      return { healthy: target.host === "a.example", detail: "disk 12 %" };
    };
    expect(await runProbe(prober, node, { clock, timeoutMs: 100 })).toEqual({ status: "healthy", detail: "disk 12 %" });
    expect(seen?.aborted).toBe(false);
    // The timeout's sleeper was cancelled: moving the clock past it changes nothing.
    await clock.advance(1_000);
    expect(seen?.aborted).toBe(false);
  });

  it("stops waiting when the caller aborts, passing the caller's reason to the prober", async () => {
    const clock = createManualClock();
    let seen: AbortSignal | undefined;
    const prober: NodeProber = (_target, { signal }) => {
      seen = signal;
      return new Promise(() => {});
    };
    const stop = new AbortController();
    const outcome = runProbe(prober, node, { clock, timeoutMs: 100, signal: stop.signal });
    await flush();
    const reason = new Error("shutting down");
    stop.abort(reason);
    expect(await outcome).toEqual({ status: "aborted" });
    expect(seen?.reason).toBe(reason);
  });

  it("does not call the prober when the caller already aborted", async () => {
    let called = false;
    const stop = new AbortController();
    stop.abort();
    const outcome = await runProbe(
      async () => {
        called = true;
        return true;
      },
      node,
      { clock: createManualClock(), timeoutMs: 100, signal: stop.signal },
    );
    expect(outcome).toEqual({ status: "aborted" });
    expect(called).toBe(false);
  });

  it("ignores a late answer from a prober that outlived its timeout", async () => {
    const clock = createManualClock();
    let answer: (healthy: boolean) => void = () => {};
    const prober: NodeProber = () => new Promise<boolean>((resolve) => (answer = resolve));
    const outcome = runProbe(prober, node, { clock, timeoutMs: 100 });
    await flush();
    await clock.advance(100);
    answer(true);
    expect(await outcome).toEqual({ status: "unhealthy", detail: "no answer within 100 ms" });
  });
});
