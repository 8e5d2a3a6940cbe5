import { describe, expect, it } from "vitest";
import { compareDebianVersions, parseDebianVersion } from "./debian-version.js";

describe("Debian versions", () => {
  it("splits epoch, upstream and revision like dpkg", () => {
    expect(parseDebianVersion("1:2.0-1")).toEqual({ epoch: 1, upstream: "2.0", revision: "1" });
    expect(parseDebianVersion("2.0-1-2")).toEqual({ epoch: 0, upstream: "2.0-1", revision: "2" });
    expect(parseDebianVersion("1:2:3")).toEqual({ epoch: 1, upstream: "2:3", revision: "" });
    expect(parseDebianVersion("1.0~rc1+dfsg")).toEqual({ epoch: 0, upstream: "1.0~rc1+dfsg", revision: "" });
    for (const bad of ["", "a:1", "1.0-", "-1", "1.0 2", "1:", "x:1.0", "1.0_1"]) expect(parseDebianVersion(bad)).toBeUndefined();
  });

  it("orders versions as dpkg --compare-versions does", () => {
    const ascending = ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0-1", "1.0-1a", "1.0a", "1.0+", "1.00.1", "1.1", "1.10", "2.0~rc1", "2.0", "1:0.1", "1:0.1-1"];
    for (let i = 0; i < ascending.length; i += 1) {
      for (let j = 0; j < ascending.length; j += 1) {
        const a = ascending[i] as string;
        const b = ascending[j] as string;
        expect(Math.sign(compareDebianVersions(a, b)), `${a} vs ${b}`).toBe(Math.sign(i - j));
      }
    }
    expect(compareDebianVersions("1.01", "1.1")).toBe(0);
    expect(compareDebianVersions("0:1.0", "1.0")).toBe(0);
    expect(compareDebianVersions("1.0", "1.0-0")).toBe(0);
  });
});
