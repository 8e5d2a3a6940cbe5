import { createManualClock, isQuipuError } from "@quipu/core";
import { createRecordingLogger } from "@quipu/testkit";
import { describe, expect, it } from "vitest";
import { probeSleeps } from "../test/sleep-probe.js";
import { runPeriodically } from "./periodic.js";

describe("runPeriodically", () => {
  it("runs at once, then once per interval of the injected clock", async () => {
    const manual = createManualClock(1_000);
    const probe = probeSleeps(manual);
    const controller = new AbortController();
    const runs: number[] = [];
    const loop = runPeriodically({ signal: controller.signal, clock: probe.clock, intervalMs: 100 }, () => {
      runs.push(manual.now());
    });
    await probe.untilSleeping(1);
    expect(runs).toEqual([1_000]);
    await manual.advance(99);
    expect(runs).toEqual([1_000]);
    await manual.advance(1);
    await probe.untilSleeping(2);
    expect(runs).toEqual([1_000, 1_100]);
    await manual.advance(100);
    await probe.untilSleeping(3);
    expect(runs).toEqual([1_000, 1_100, 1_200]);
    controller.abort();
    await loop;
    expect(runs).toHaveLength(3);
  });

  it("waits one interval first when runImmediately is false", async () => {
    const manual = createManualClock(0);
    const probe = probeSleeps(manual);
    const controller = new AbortController();
    const runs: number[] = [];
    const loop = runPeriodically({ signal: controller.signal, clock: probe.clock, intervalMs: 50, runImmediately: false }, () => {
      runs.push(manual.now());
    });
    await probe.untilSleeping(1);
    expect(runs).toEqual([]);
    await manual.advance(50);
    await probe.untilSleeping(2);
    expect(runs).toEqual([50]);
    controller.abort();
    await loop;
  });

  it("logs a failing task and keeps going", async () => {
    const manual = createManualClock(0);
    const probe = probeSleeps(manual);
    const logger = createRecordingLogger();
    const controller = new AbortController();
    let calls = 0;
    const loop = runPeriodically({ signal: controller.signal, clock: probe.clock, intervalMs: 10, logger, name: "test" }, async () => {
      calls += 1;
      if (calls === 1) throw new Error("boom");
    });
    await probe.untilSleeping(1);
    expect(logger.records).toEqual([
      expect.objectContaining({ level: "error", obj: expect.objectContaining({ event: "loop-task-failed", loop: "test" }) }),
    ]);
    await manual.advance(10);
    await probe.untilSleeping(2);
    expect(calls).toBe(2);
    expect(logger.records).toHaveLength(1);
    controller.abort();
    await loop;
  });

  it("resolves when aborted during a run, without logging the abort", async () => {
    const manual = createManualClock(0);
    const logger = createRecordingLogger();
    const controller = new AbortController();
    const loop = runPeriodically({ signal: controller.signal, clock: manual, intervalMs: 10, logger }, async (signal) => {
      controller.abort();
      signal.throwIfAborted();
    });
    await expect(loop).resolves.toBeUndefined();
    expect(logger.records).toEqual([]);
  });

  it("does nothing when the signal is already aborted", async () => {
    let calls = 0;
    await runPeriodically({ signal: AbortSignal.abort(), clock: createManualClock(0), intervalMs: 10 }, () => {
      calls += 1;
    });
    expect(calls).toBe(0);
  });

  it("runs once with an infinite interval, then only waits for the abort", async () => {
    const manual = createManualClock(0);
    const probe = probeSleeps(manual);
    const controller = new AbortController();
    let calls = 0;
    const loop = runPeriodically({ signal: controller.signal, clock: probe.clock, intervalMs: Number.POSITIVE_INFINITY }, () => {
      calls += 1;
    });
    await manual.advance(10 ** 12);
    expect(calls).toBe(1);
    expect(probe.sleeps()).toBe(0);
    controller.abort();
    await loop;
    expect(calls).toBe(1);
  });

  it("sleeps an interval longer than a Node timer allows in pieces, not at once", async () => {
    const manual = createManualClock(0);
    const probe = probeSleeps(manual);
    const controller = new AbortController();
    const runs: number[] = [];
    const interval = 3 * 2 ** 31;
    const loop = runPeriodically({ signal: controller.signal, clock: probe.clock, intervalMs: interval }, () => {
      runs.push(manual.now());
    });
    await probe.untilSleeping(1);
    await manual.advance(2 ** 31 - 1);
    await probe.untilSleeping(2);
    expect(runs).toEqual([0]);
    await manual.advance(interval - (2 ** 31 - 1));
    // The deadline is reached: the task runs, then the next interval starts.
    await probe.untilSleeping(3);
    expect(runs).toEqual([0, interval]);
    controller.abort();
    await loop;
  });

  it("refuses an interval that is not a positive number", async () => {
    for (const intervalMs of [0, -5, Number.NaN]) {
      const error = await runPeriodically({ signal: new AbortController().signal, clock: createManualClock(0), intervalMs }, () => {}).catch((e: unknown) => e);
      expect(isQuipuError(error, "QUIPU_VALIDATION_FAILED")).toBe(true);
    }
  });
});
