import { describe, expect, it } from "vitest";
import { isQuipuError } from "../errors/quipu-error.js";
import {
  ArchSchema,
  BinaryNameSchema,
  DistroNameSchema,
  FlavorSchema,
  MAX_SEGMENT_BYTES,
  ProjectNameSchema,
  RefSchema,
  assertSafeSegment,
  isSafeSegment,
  refFromBranch,
  safeSegmentProblem,
} from "./names.js";

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

const goodSegments = ["ceph", "main", "wip-foo_bar.1", "x86_64", "ceph-19.2.0-1.el9.x86_64.rpm", "ü-ñ", "a".repeat(MAX_SEGMENT_BYTES)];
const badSegments: [unknown, string][] = [
  ["", "empty"],
  [".", "dot segment"],
  ["..", "dot segment"],
  ["a/b", "slash"],
  ["a\\b", "backslash"],
  ["a\u0000b", "control"],
  ["line\nbreak", "control"],
  ["tab\t", "control"],
  ["del\u007f", "control"],
  ["c1\u0085", "control"],
  [" main", "whitespace"],
  ["main ", "whitespace"],
  ["a".repeat(MAX_SEGMENT_BYTES + 1), "bytes"],
  ["é".repeat(128), "bytes"], // 256 bytes in UTF-8 although 128 characters
  ["\uD800x", "Unicode"],
  [42, "string"],
  [null, "string"],
  [undefined, "string"],
  [{ name: "ceph" }, "string"],
];

describe("safe segments", () => {
  it.each(goodSegments)("accepts %j", (value) => {
    expect(safeSegmentProblem(value)).toBeNull();
    expect(isSafeSegment(value)).toBe(true);
    expect(assertSafeSegment(value, "project")).toBe(value);
  });

  it.each(badSegments)("rejects %j (%s)", (value, reason) => {
    expect(safeSegmentProblem(value)).toContain(reason);
    expect(isSafeSegment(value)).toBe(false);
  });

  it("throws QUIPU_MODEL_INVALID_NAME naming the role and the value", () => {
    const error = thrown(() => assertSafeSegment("../etc", "ref"));
    expect(isQuipuError(error, "QUIPU_MODEL_INVALID_NAME")).toBe(true);
    expect(error).toMatchObject({ details: { what: "ref", value: "../etc" } });
    expect((error as Error).message).toContain("invalid ref");
  });

  it("keeps error details small and JSON-safe for huge or non-string input", () => {
    const huge = thrown(() => assertSafeSegment("x/".repeat(10_000), "project"));
    expect(String((huge as { details: { value: unknown } }).details.value).length).toBeLessThan(300);
    const object = thrown(() => assertSafeSegment({ toString: () => "boom" }, "project"));
    expect(object).toMatchObject({ code: "QUIPU_MODEL_INVALID_NAME", details: { value: "(object)" } });
    expect(() => JSON.stringify(object)).not.toThrow();
  });
});

describe("name schemas", () => {
  it.each([
    ["project", ProjectNameSchema],
    ["ref", RefSchema],
    ["arch", ArchSchema],
    ["distro", DistroNameSchema],
    ["binary name", BinaryNameSchema],
  ] as const)("%s schema accepts safe segments and rejects unsafe ones with a readable issue", (what, schema) => {
    expect(schema.parse("ok-name")).toBe("ok-name");
    const result = schema.safeParse("a/b");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(`${what} must not contain a slash or backslash`);
    expect(schema.safeParse(7).success).toBe(false);
  });

  it("keeps arch spellings verbatim (arm64 stays arm64)", () => {
    expect(ArchSchema.parse("arm64")).toBe("arm64");
    expect(ArchSchema.parse("aarch64")).toBe("aarch64");
  });

  it("defaults the flavor to `default`", () => {
    expect(FlavorSchema.parse(undefined)).toBe("default");
    expect(FlavorSchema.parse("debug")).toBe("debug");
    expect(FlavorSchema.safeParse("").success).toBe(false);
  });
});

describe("refFromBranch", () => {
  it.each([
    ["main", "main"],
    ["origin/main", "main"],
    ["origin/wip-foo", "wip-foo"],
    ["refs/heads/main", "main"],
    ["refs/tags/v19.2.0", "v19.2.0"],
    ["refs/remotes/origin/squid", "squid"],
  ])("%s → %s", (branch, ref) => {
    expect(refFromBranch(branch)).toBe(ref);
  });

  it.each(["origin/wip/foo", "a/b/c", "refs/heads/wip/foo", "origin/", "", 12])("refuses %j like branch_slash_filter", (branch) => {
    expect(thrown(() => refFromBranch(branch))).toMatchObject({ code: "QUIPU_MODEL_INVALID_NAME", details: { what: "ref" } });
  });
});
