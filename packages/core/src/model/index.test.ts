import { describe, expect, it } from "vitest";
import * as core from "../index.js";
import * as model from "./index.js";

describe("model exports", () => {
  it("exposes the distro table and the main entry points from the model and the package root", () => {
    for (const name of ["distroTable", "resolveDistroVersion", "parseDistroQuery", "parseSha1", "RepoSchema", "isStatusAdvance", "AgentSchema"]) {
      expect(model, name).toHaveProperty(name);
      expect((core as Record<string, unknown>)[name], name).toBe((model as Record<string, unknown>)[name]);
    }
    expect(model.distroTable.length).toBeGreaterThan(5);
  });
});
