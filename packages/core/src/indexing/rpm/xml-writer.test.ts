import { describe, expect, it } from "vitest";
import { escapeXmlAttribute, escapeXmlText, stripInvalidXmlChars } from "./xml-writer.js";

describe("XML escaping (libxml2-compatible)", () => {
  it("escapes text like xmlEscapeContent: & < > and CR; quotes and non-ASCII stay", () => {
    expect(escapeXmlText('a & b <c> "d" \'e\' ✓ é')).toBe("a &amp; b &lt;c&gt; \"d\" 'e' ✓ é");
    expect(escapeXmlText("l1\r\nl2\tx")).toBe("l1&#13;\nl2\tx");
    expect(escapeXmlText("plain")).toBe("plain");
  });

  it("escapes attributes like xmlBufAttrSerializeTxtContent without a document: quotes, whitespace, non-ASCII as hex refs", () => {
    expect(escapeXmlAttribute('Zoë "Z" <z@x> & co')).toBe("Zo&#xEB; &quot;Z&quot; &lt;z@x&gt; &amp; co");
    expect(escapeXmlAttribute("a\tb\nc\rd")).toBe("a&#9;b&#10;c&#13;d");
    expect(escapeXmlAttribute("✓ 𝄞")).toBe("&#x2713; &#x1D11E;");
    expect(escapeXmlAttribute("del\u007f")).toBe("del\u007f");
  });

  it("drops characters XML 1.0 cannot carry instead of writing a broken document", () => {
    expect(stripInvalidXmlChars("a\u0000b\u0001c\u001fd\ufffee\uffff")).toBe("abcde");
    expect(stripInvalidXmlChars("x\ud800y\udc00z 𝄞")).toBe("xyz 𝄞");
    expect(escapeXmlText("bell\u0007 & tab\t")).toBe("bell &amp; tab\t");
    expect(escapeXmlAttribute("nul\u0000<")).toBe("nul&lt;");
  });
});
