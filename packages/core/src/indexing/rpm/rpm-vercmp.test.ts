import { describe, expect, it } from "vitest";
import { rpmVersionCompare } from "./rpm-vercmp.js";

describe("rpmVersionCompare", () => {
  // Cases from rpm's own test suite (tests/rpmvercmp.at).
  const cases: [string, string, -1 | 0 | 1][] = [
    ["1.0", "1.0", 0],
    ["1.0", "2.0", -1],
    ["2.0", "1.0", 1],
    ["2.0.1", "2.0.1", 0],
    ["2.0", "2.0.1", -1],
    ["2.0.1a", "2.0.1", 1],
    ["5.5p1", "5.5p2", -1],
    ["5.5p10", "5.5p1", 1],
    ["10xyz", "10.1xyz", -1],
    ["xyz10", "xyz10.1", -1],
    ["xyz.4", "8", -1],
    ["5.5p1", "5.5.p1", 0],
    ["10.0001", "10.1", 0],
    ["10.0001", "10.0039", -1],
    ["4.999.9", "5.0", -1],
    ["20101121", "20101122", -1],
    ["2_0", "2_0", 0],
    ["2.0", "2_0", 0],
    ["a", "a", 0],
    ["a+", "a_", 0],
    ["+a", "_a", 0],
    ["+_", "_+", 0],
    ["1.0~rc1", "1.0", -1],
    ["1.0~rc1", "1.0~rc2", -1],
    ["1.0~rc1~git123", "1.0~rc1", -1],
    ["1.0^", "1.0", 1],
    ["1.0^git1", "1.0^git2", -1],
    ["1.0^git1", "1.01", -1],
    ["1.0^20160101", "1.0.1", -1],
    ["1.0~rc1^git1", "1.0~rc1", 1],
    ["1.0^git1~pre", "1.0^git1", -1],
    ["1.0a", "1.0", 1],
  ];
  it.each(cases)("%s vs %s → %i", (a, b, expected) => {
    expect(rpmVersionCompare(a, b)).toBe(expected);
    expect(rpmVersionCompare(b, a)).toBe(expected === 0 ? 0 : -expected);
  });
});
