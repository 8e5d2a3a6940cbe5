import { describe, expect, it } from "vitest";
import { createManualClock, systemClock } from "./clock.js";

describe("manual clock", () => {
  it("wakes sleepers in deadline order only when time passes", async () => {
    const clock = createManualClock(1000);
    const woken: string[] = [];
    void clock.sleep(50).then(() => woken.push("b"));
    void clock.sleep(10).then(() => woken.push("a"));
    await clock.advance(5);
    expect(woken).toEqual([]);
    await clock.advance(100);
    expect(woken).toEqual(["a", "b"]);
    expect(clock.now()).toBe(1105);
  });

  it("rejects a sleep when its signal aborts, and never wakes it", async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(10, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    await clock.advance(20);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("early"));
    await expect(createManualClock().sleep(1, controller.signal)).rejects.toThrow("early");
    await expect(systemClock.sleep(1, controller.signal)).rejects.toThrow("early");
  });

  it("system clock sleeps and can be aborted", async () => {
    await systemClock.sleep(1);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    controller.abort(new Error("cut"));
    await expect(sleeping).rejects.toThrow("cut");
  });
});
