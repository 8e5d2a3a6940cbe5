import { describe, expect, it } from "vitest";
import { Utf8Assembler } from "./utf8-assembler.js";

describe("Utf8Assembler", () => {
  it("encodes pieces into one buffer, growing as needed, multi-byte characters intact", () => {
    const a = new Utf8Assembler(1);
    const pieces = ["<a>", "é✓𝄞".repeat(3000), "x".repeat(20_000), "</a>"];
    for (const p of pieces) a.append(p);
    const expected = new TextEncoder().encode(pieces.join(""));
    expect(a.length).toBe(expected.length);
    expect(Buffer.compare(a.bytes(), expected)).toBe(0);
  });
});
