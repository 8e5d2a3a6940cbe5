import { describe, expect, it } from "vitest";
import { statusTone } from "./status-tone.js";

describe("statusTone", () => {
  it("colours statuses as the original templates did", () => {
    expect(["completed", "ready"].map(statusTone)).toEqual(["ok", "ok"]);
    expect(statusTone("failed")).toBe("failed");
    expect(["started", "queued", "building", "requested"].map(statusTone)).toEqual(["pending", "pending", "pending", "pending"]);
  });

  it("leaves statuses it does not know neutral, including inherited object keys", () => {
    expect(statusTone("deleted")).toBe("other");
    expect(statusTone("READY")).toBe("other");
    expect(statusTone("constructor")).toBe("other");
  });
});
