/**
 * The one shape of chacra's background loops (callbacks, registration, purge): run a task, sleep
 * `intervalMs` on the injected Clock, repeat until the signal aborts. Tests drive it with core's
 * manual clock, so no test waits for real time.
 */
import { z } from "zod";
import { parseOrThrow, silentLogger, type Clock, type Logger } from "@quipu/core";

export interface PeriodicOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /**
   * Pause between the end of one run and the start of the next (runs never overlap).
   * `Infinity` runs the task once (at start, or never without `runImmediately`) and then only
   * waits for the abort.
   */
  readonly intervalMs: number;
  /** Run once at start instead of after the first interval. Default true. */
  readonly runImmediately?: boolean | undefined;
  /** Where a failing run is reported. */
  readonly logger?: Logger | undefined;
  /** Names the loop in log lines (`callbacks`, `registration`, `purge`). */
  readonly name?: string | undefined;
}

/** The task gets the loop's signal so long work can stop at shutdown. */
export type PeriodicTask = (signal: AbortSignal) => unknown;

const MAX_TIMER_MS = 2 ** 31 - 1;

const PeriodicSettingsSchema = z.object({
  // zod's number refuses Infinity, which is a meaningful interval here ("only once").
  intervalMs: z.custom<number>((value) => typeof value === "number" && value > 0, "must be a positive number of milliseconds, or Infinity"),
  runImmediately: z.boolean().optional(),
  name: z.string().min(1).optional(),
});

/**
 * Runs `task` every `intervalMs` until `signal` aborts, then resolves (never rejects for an
 * abort). A task that throws is logged and the loop goes on: one bad pass (shaman down, a locked
 * database) must not end a daemon's background work.
 */
export async function runPeriodically(options: PeriodicOptions, task: PeriodicTask): Promise<void> {
  const settings = parseOrThrow(
    PeriodicSettingsSchema,
    { intervalMs: options.intervalMs, runImmediately: options.runImmediately, name: options.name },
    "periodic loop options",
  );
  const { signal, clock } = options;
  const logger = options.logger ?? silentLogger;
  const loop = settings.name ?? "periodic";

  const pause = async (): Promise<boolean> => {
    if (settings.intervalMs === Number.POSITIVE_INFINITY) {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      return false;
    }
    // Node fires a timer longer than 2^31-1 ms at once (TimeoutOverflowWarning), so long
    // intervals are slept in pieces, each up to the same deadline.
    const deadline = clock.now() + settings.intervalMs;
    for (let left = settings.intervalMs; left > 0 && !signal.aborted; ) {
      const before = clock.now();
      try {
        await clock.sleep(Math.min(left, MAX_TIMER_MS), signal);
      } catch {
        // Clock.sleep rejects only when the signal aborts.
      }
      // A clock whose time does not move while sleeping (a stub) counts the sleep as done.
      if (clock.now() === before) break;
      left = deadline - clock.now();
    }
    return !signal.aborted;
  };

  if (signal.aborted) return;
  if (settings.runImmediately === false && !(await pause())) return;
  for (;;) {
    try {
      await task(signal);
    } catch (error) {
      // An error caused by the shutdown itself is not worth a log line.
      if (signal.aborted) return;
      logger.error({ event: "loop-task-failed", loop, err: error }, `${loop} loop: a pass failed; trying again in ${settings.intervalMs} ms`);
    }
    if (signal.aborted || !(await pause())) return;
  }
}
