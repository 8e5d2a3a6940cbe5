/**
 * Test helper for loops driven by a manual clock: tells a test when the loop has gone to sleep,
 * so it advances time only once the sleeper is registered (advancing earlier would skip it) —
 * no timers, no polling.
 */
import type { Clock, ManualClock } from "@quipu/core";

export interface SleepProbe {
  /** The clock to give the loop: the manual clock, with its sleeps counted. */
  readonly clock: Clock;
  /** How many times the loop has called `sleep`. */
  sleeps(): number;
  /** Resolves once the loop has called `sleep` at least `count` times in total. */
  untilSleeping(count: number): Promise<void>;
}

export function probeSleeps(manual: ManualClock): SleepProbe {
  let count = 0;
  let waiters: { count: number; resolve: () => void }[] = [];
  return {
    clock: {
      now: () => manual.now(),
      sleep(ms, signal) {
        const sleeping = manual.sleep(ms, signal);
        count += 1;
        const ready = waiters.filter((waiter) => waiter.count <= count);
        waiters = waiters.filter((waiter) => waiter.count > count);
        for (const waiter of ready) waiter.resolve();
        return sleeping;
      },
    },
    sleeps: () => count,
    untilSleeping(target) {
      if (count >= target) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count: target, resolve }));
    },
  };
}
