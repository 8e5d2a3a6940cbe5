import { describe, expect, it } from "vitest";
import { Sha1RefSchema, Sha1Schema, StoredSha1Schema, isSha1, parseSha1, sha1Schema } from "./sha1.js";

const sha1 = "45b4cbe8de1ba3b4d3e2a1b0c9d8e7f6a5b4c3d2";

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

describe("sha1", () => {
  it("recognises full 40-hex ids only", () => {
    expect(isSha1(sha1)).toBe(true);
    expect(isSha1(sha1.toUpperCase())).toBe(true);
    for (const bad of [sha1.slice(0, 7), `${sha1}0`, `${sha1.slice(0, 39)}g`, "", "latest", 40, null]) {
      expect(isSha1(bad)).toBe(false);
    }
  });

  it("Sha1Schema lowercases and rejects aliases", () => {
    expect(Sha1Schema.parse(sha1.toUpperCase())).toBe(sha1);
    expect(Sha1Schema.safeParse("head").success).toBe(false);
    expect(Sha1Schema.safeParse(` ${sha1}`).success).toBe(false);
  });

  it("StoredSha1Schema allows chacra's default `head`, not `latest`", () => {
    expect(StoredSha1Schema.parse("HEAD")).toBe("head");
    expect(StoredSha1Schema.parse(sha1)).toBe(sha1);
    expect(StoredSha1Schema.safeParse("latest").success).toBe(false);
  });

  it("Sha1RefSchema allows `latest` and `head` for lookups", () => {
    expect(Sha1RefSchema.parse("latest")).toBe("latest");
    expect(Sha1RefSchema.parse("Head")).toBe("head");
    expect(Sha1RefSchema.safeParse("newest").success).toBe(false);
    expect(sha1Schema(["latest"]).safeParse("head").success).toBe(false);
  });

  it("parseSha1 returns the lowercase id or an allowed alias", () => {
    expect(parseSha1(sha1.toUpperCase())).toBe(sha1);
    expect(parseSha1("LATEST", { allow: ["latest"] })).toBe("latest");
  });

  it.each([["latest", []], ["head", ["latest"]], ["abc1234", []], ["", []], [undefined, []], [{}, ["latest"]]] as const)(
    "parseSha1(%j) with allow %j throws QUIPU_MODEL_INVALID_SHA1",
    (value, allow) => {
      const error = thrown(() => parseSha1(value, { allow }));
      expect(error).toMatchObject({ code: "QUIPU_MODEL_INVALID_SHA1", details: { allowed: [...allow] } });
      if (typeof value === "string") expect(error).toMatchObject({ details: { value } });
    },
  );
});
