import { describe, expect, it } from "vitest";
import { assembleClearSigned, clearSignableText, dashEscape } from "./clear-signed-text.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const SIGNATURE = "-----BEGIN PGP SIGNATURE-----\n\nwnUEARYKAB0\n=abcd\n-----END PGP SIGNATURE-----\n";

describe("clearSignableText", () => {
  it("drops exactly one final newline (the armor's line break before the signature)", () => {
    expect(clearSignableText(bytes("Origin: a\nLabel: b\n"))).toBe("Origin: a\nLabel: b");
    expect(clearSignableText(bytes("Origin: a\nLabel: b"))).toBe("Origin: a\nLabel: b");
    expect(clearSignableText(bytes("Origin: a\n\n"))).toBe("Origin: a\n");
  });

  it("keeps UTF-8 text, tabs and trailing blanks as they are", () => {
    expect(clearSignableText(bytes("Description:\tZoë – ✓  \n"))).toBe("Description:\tZoë – ✓  ");
  });

  it.each([
    ["a carriage return", bytes("Origin: a\r\nLabel: b\r\n"), /carriage return/],
    ["a NUL byte", bytes("Origin: a\0\n"), /NUL/],
    ["bytes that are not UTF-8", new Uint8Array([0x4f, 0x3a, 0x20, 0xff, 0x0a]), /not UTF-8/],
    ["a byte order mark", bytes("\uFEFFOrigin: a\n"), /byte order mark/],
    ["nothing", bytes("\n"), /empty/],
  ])("refuses %s with QUIPU_SIGNING_INPUT_INVALID", (_, input, message) => {
    expect(() => clearSignableText(input)).toThrow(expect.objectContaining({ code: "QUIPU_SIGNING_INPUT_INVALID", message: expect.stringMatching(message) }));
  });

  it("reports the byte offset of a carriage return", () => {
    expect(() => clearSignableText(bytes("Zoë\r\n"))).toThrow(expect.objectContaining({ details: expect.objectContaining({ offset: 4 }) }));
  });
});

describe("dashEscape", () => {
  it("prefixes every line that starts with a dash, and only those", () => {
    expect(dashEscape("-a\nb-\n--c\n -d\n-----BEGIN PGP SIGNATURE-----")).toBe("- -a\nb-\n- --c\n -d\n- -----BEGIN PGP SIGNATURE-----");
  });
});

describe("assembleClearSigned", () => {
  it("writes header, Hash line, blank line, escaped text, signature — LF only, nothing after END", () => {
    expect(assembleClearSigned("Origin: a\n-x", "SHA512", SIGNATURE)).toBe(
      `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: a\n- -x\n${SIGNATURE}`,
    );
  });

  it("normalises a CRLF signature block and refuses anything that is not one", () => {
    expect(assembleClearSigned("a", "SHA256", SIGNATURE.replace(/\n/g, "\r\n"))).toBe(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\na\n${SIGNATURE}`);
    expect(() => assembleClearSigned("a", "SHA256", "-----BEGIN PGP MESSAGE-----\n")).toThrow(/armored PGP SIGNATURE/);
    expect(() => assembleClearSigned("a", "SHA256\nX: y", SIGNATURE)).toThrow(/Hash armor header/);
  });
});
