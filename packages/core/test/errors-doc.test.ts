import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { errorCodes, isQuipuError, QuipuError, renderErrorCodesMarkdown } from "../src/index.js";

const docPath = fileURLToPath(new URL("../../../docs/errors.md", import.meta.url));

describe("error registry", () => {
  it("docs/errors.md lists exactly the registered codes (run `pnpm docs:errors` after adding one)", () => {
    const doc = readFileSync(docPath, "utf8");
    const documented = [...doc.matchAll(/^\| `(QUIPU_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(errorCodes).sort());
    expect(doc).toBe(renderErrorCodesMarkdown());
  });

  it("every code follows QUIPU_<AREA>_<WHAT> and carries an HTTP status and a description", () => {
    for (const [code, info] of Object.entries(errorCodes)) {
      expect(code).toMatch(/^QUIPU_[A-Z0-9]+_[A-Z0-9_]+$/);
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.status).toBeLessThan(600);
      expect(info.description.length).toBeGreaterThan(10);
    }
  });

  it("QuipuError carries code, details, cause, status and a JSON wire shape", () => {
    const cause = new Error("inner");
    const error = new QuipuError("QUIPU_NODE_NOT_FOUND", "no node 'a'", { details: { host: "a" }, cause });
    expect(error.code).toBe("QUIPU_NODE_NOT_FOUND");
    expect(error.status).toBe(404);
    expect(error.transient).toBe(false);
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: "QUIPU_NODE_NOT_FOUND", message: "no node 'a'", details: { host: "a" } });
    expect(isQuipuError(error, "QUIPU_NODE_NOT_FOUND")).toBe(true);
    expect(isQuipuError(error, "QUIPU_LABEL_SYNTAX")).toBe(false);
    expect(isQuipuError(new Error("x"))).toBe(false);
    expect(isQuipuError({ name: "QuipuError", code: "QUIPU_NODE_NOT_FOUND" })).toBe(true);
  });
});
