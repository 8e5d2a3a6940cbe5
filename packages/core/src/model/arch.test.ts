import { describe, expect, it } from "vitest";
import { equivalentArchs, isSameArch } from "./arch.js";

describe("arch equivalence", () => {
  it("matches the spellings tools use for one architecture", () => {
    expect(equivalentArchs("arm64")).toEqual(["arm64", "aarch64"]);
    expect(equivalentArchs("x86_64")).toEqual(["x86_64", "amd64"]);
    expect(isSameArch("aarch64", "arm64")).toBe(true);
    expect(isSameArch("noarch", "all")).toBe(true);
    expect(isSameArch("x86_64", "arm64")).toBe(false);
    expect(equivalentArchs("riscv64")).toEqual(["riscv64"]);
  });
});
