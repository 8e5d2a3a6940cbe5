import { z } from "zod";
import { describe, expect, it } from "vitest";
import { formatZodIssues, parseOrThrow } from "./zod-errors.js";
import { isQuipuError } from "./quipu-error.js";

const Schema = z.object({ port: z.number().int(), nested: z.object({ name: z.string().min(1) }) });

describe("parseOrThrow", () => {
  it("returns parsed data", () => {
    expect(parseOrThrow(Schema, { port: 1, nested: { name: "x" } }, "config")).toEqual({ port: 1, nested: { name: "x" } });
  });

  it("reports every problem at once as path: message", () => {
    let caught: unknown;
    try {
      parseOrThrow(Schema, { port: "x", nested: { name: "" } }, "chacra config", "QUIPU_CONFIG_INVALID");
    } catch (error) {
      caught = error;
    }
    expect(isQuipuError(caught, "QUIPU_CONFIG_INVALID")).toBe(true);
    const issues = (caught as { details: { issues: string[] } }).details.issues;
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^port: /);
    expect(issues[1]).toMatch(/^nested\.name: /);
  });

  it("names the root when the whole value is wrong", () => {
    const result = Schema.safeParse(42);
    expect(result.success).toBe(false);
    if (!result.success) expect(formatZodIssues(result.error)[0]).toMatch(/^\(root\): /);
  });
});
