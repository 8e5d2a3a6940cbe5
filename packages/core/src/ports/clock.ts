/**
 * Time as a port, so loops, probes and expiry can be driven by a fake clock in tests.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (or rejects with the signal's reason when aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/**
 * A manual clock for tests and simulations: time moves only when `advance` is called, and
 * sleepers whose deadline has passed are woken in deadline order.
 */
export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
  set(ms: number): Promise<void>;
}

export function createManualClock(startMs = 0): ManualClock {
  let current = startMs;
  let sleepers: { until: number; resolve: () => void; seq: number }[] = [];
  let seq = 0;
  const wake = async () => {
    for (;;) {
      sleepers.sort((a, b) => a.until - b.until || a.seq - b.seq);
      const next = sleepers[0];
      if (!next || next.until > current) return;
      sleepers = sleepers.slice(1);
      next.resolve();
      // Let the woken task run before waking the next one, as real timers would.
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  return {
    now: () => current,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const entry = { until: current + Math.max(0, ms), resolve, seq: seq++ };
        sleepers.push(entry);
        signal?.addEventListener(
          "abort",
          () => {
            sleepers = sleepers.filter((s) => s !== entry);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    async advance(ms) {
      current += ms;
      await wake();
    },
    async set(ms) {
      current = ms;
      await wake();
    },
  };
}
