import { describe, expect, it } from "vitest";
import { isQuipuError } from "../errors/quipu-error.js";
import { createManualClock } from "../ports/clock.js";
import type { NodeSelectorEvent } from "./node-events.js";
import type { NodeProber } from "./node-prober.js";
import { createNodeSelector } from "./round-robin-selector.js";

/** mulberry32: a small seeded PRNG, so every failing case can be replayed from its seed. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability: number) => next() < probability,
  };
}

type Random = ReturnType<typeof createRandom>;

/** Resolves after a random number of microtask hops, so concurrent probes finish in random order. */
async function randomDelay(random: Random): Promise<void> {
  for (let hop = random.int(0, 6); hop > 0; hop -= 1) await Promise.resolve();
}

function healthyProberWithRandomDelays(random: Random): NodeProber {
  return async () => {
    await randomDelay(random);
    return true;
  };
}

const seeds = Array.from({ length: 60 }, (_, index) => index + 1);

describe("round-robin selector properties", () => {
  it.each(seeds)(
    "seed %i: with random registrations and concurrent batches, every node is handed out before any twice",
    async (seed) => {
      const random = createRandom(seed);
      const clock = createManualClock(0);
      const selector = createNodeSelector({ prober: healthyProberWithRandomDelays(random), clock });

      // The reference order: never-used nodes in registration order, then used ones, oldest first.
      const neverUsed: string[] = [];
      const used: string[] = [];
      const handouts = new Map<string, number>();
      const cohorts: string[][] = [];
      let hostCount = 0;
      const registerNew = (cohort: string[]) => {
        const host = `node-${(hostCount += 1)}.example`;
        selector.register(host);
        neverUsed.push(host);
        handouts.set(host, 0);
        cohort.push(host);
      };

      for (let step = random.int(10, 30); step > 0; step -= 1) {
        if (hostCount === 0 || (hostCount < 10 && random.chance(0.2))) {
          const cohort: string[] = [];
          for (let count = random.int(1, 3); count > 0; count -= 1) registerNew(cohort);
          cohorts.push(cohort);
          continue;
        }
        if (random.chance(0.1)) {
          await clock.advance(random.int(1, 50));
          continue;
        }

        // A batch of concurrent calls, sometimes with a registration between two of them.
        const waiting = new Map<string, number>();
        const expected: string[] = [];
        const registeredAtCall: string[][] = [];
        const calls: Promise<{ host: string }>[] = [];
        for (let call = random.int(1, 2 * hostCount + 2); call > 0; call -= 1) {
          if (hostCount < 12 && random.chance(0.1)) {
            const cohort: string[] = [];
            registerNew(cohort);
            cohorts.push(cohort);
          }
          const order = [...neverUsed, ...used];
          const pick = order.reduce((best, host) =>
            (waiting.get(host) ?? 0) < (waiting.get(best) ?? 0) ? host : best,
          );
          waiting.set(pick, (waiting.get(pick) ?? 0) + 1);
          expected.push(pick);
          registeredAtCall.push(order);
          calls.push(selector.next());
        }
        const handedOut = (await Promise.all(calls)).map((node) => node.host);
        expect(handedOut).toEqual(expected);

        // The property itself, checked on the results alone: within a batch, a node is handed
        // out again only once every node registered at that moment has had its turn.
        const inBatch = new Map<string, number>();
        handedOut.forEach((host, index) => {
          const fewest = Math.min(...(registeredAtCall[index] ?? []).map((other) => inBatch.get(other) ?? 0));
          expect(inBatch.get(host) ?? 0).toBe(fewest);
          inBatch.set(host, (inBatch.get(host) ?? 0) + 1);
        });

        for (const host of handedOut) {
          neverUsed.splice(0, neverUsed.length, ...neverUsed.filter((other) => other !== host));
          used.splice(0, used.length, ...used.filter((other) => other !== host), host);
          handouts.set(host, (handouts.get(host) ?? 0) + 1);
        }
        // Across batches: nodes registered together stay within one handout of each other.
        for (const cohort of cohorts) {
          const counts = cohort.map((host) => handouts.get(host) ?? 0);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      }
    },
  );

  it.each(seeds.slice(0, 20))("seed %i: 200 concurrent calls on 3 nodes are balanced", async (seed) => {
    const random = createRandom(seed);
    const selector = createNodeSelector({ prober: healthyProberWithRandomDelays(random), clock: createManualClock(0) });
    for (const host of ["a", "b", "c"]) selector.register(host);
    const nodes = await Promise.all(Array.from({ length: 200 }, () => selector.next()));
    const counts = ["a", "b", "c"].map((host) => nodes.filter((node) => node.host === host).length);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(200);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(selector.list().every((node) => node.inFlight === 0)).toBe(true);
  });

  it.each(seeds)("seed %i: with random probe failures, a down node is never handed out", async (seed) => {
    const random = createRandom(seed);
    const clock = createManualClock(0);
    const retries = random.int(1, 4);
    const failureRate = random.int(1, 7) / 10;
    const down = new Set<string>();
    const violations: string[] = [];
    const selector = createNodeSelector({
      clock,
      retries,
      prober: async (node) => {
        await randomDelay(random);
        if (random.chance(failureRate)) return random.chance(0.5) ? false : Promise.reject(new Error("refused"));
        return true;
      },
      onEvent: (event: NodeSelectorEvent) => {
        if (event.type === "node-down") down.add(event.host);
        if (event.type === "node-recovered") down.delete(event.host);
        if (event.type === "node-selected" && (down.has(event.host) || !event.node.healthy)) {
          violations.push(`${event.host} handed out while down`);
        }
      },
    });
    const hosts = Array.from({ length: random.int(1, 6) }, (_, index) => `node-${index}`);
    for (const host of hosts) selector.register(host);

    for (let step = random.int(10, 40); step > 0; step -= 1) {
      if (random.chance(0.15)) {
        await selector.reprobeDown();
        continue;
      }
      const downBefore = new Set(down);
      const results = await Promise.allSettled(Array.from({ length: random.int(1, 8) }, () => selector.next()));
      for (const result of results) {
        if (result.status === "rejected") {
          expect(isQuipuError(result.reason, "QUIPU_NODE_NONE_AVAILABLE")).toBe(true);
          continue;
        }
        expect(downBefore.has(result.value.host)).toBe(false);
        expect(result.value.healthy).toBe(true);
      }
      for (const node of selector.list()) {
        expect(node.inFlight).toBe(0);
        expect(node.healthy).toBe(!down.has(node.host));
        // Healthy nodes are below the threshold; down ones reached it.
        expect(node.downCount < retries).toBe(node.healthy);
      }
      await clock.advance(random.int(0, 20));
    }
    expect(violations).toEqual([]);
  });
});
