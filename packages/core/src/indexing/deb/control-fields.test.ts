import { describe, expect, it } from "vitest";
import { ControlParagraph, controlValueLines, formatControlParagraph, parseControlParagraph, parseControlParagraphs } from "./control-fields.js";

function problem(fn: () => unknown): { code: string; reason: string; line?: number; field?: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { code: string; details: { reason: string; line?: number; field?: string } };
    return { code: e.code, ...e.details };
  }
  throw new Error("expected an error");
}

describe("parseControlParagraphs", () => {
  it("keeps order, original spelling and multi-line values exactly as dpkg stores them", () => {
    const text = "Package: hello\nversion:   1:2.0-1  \nDescription: short\n long line\n .\n\tsecond para  \nX-Ünïcödé: Zoë\n";
    const paragraph = parseControlParagraph(text);
    expect(paragraph.pairs()).toEqual([
      ["Package", "hello"],
      ["version", "1:2.0-1"],
      ["Description", "short\n long line\n .\n\tsecond para"],
      ["X-Ünïcödé", "Zoë"],
    ]);
    expect(paragraph.get("VERSION")).toBe("1:2.0-1");
    expect(paragraph.field("Version")?.name).toBe("version");
    expect(controlValueLines(paragraph.get("description") ?? "")).toEqual(["short", "long line", ".", "second para"]);
  });

  it("keeps a value that starts on the next line (Files:, Package-List:)", () => {
    const paragraph = parseControlParagraph("Files:\n abc 1 a.tar\n def 2 b.tar\nEmpty:\nLast: x\n");
    expect(paragraph.get("Files")).toBe("\n abc 1 a.tar\n def 2 b.tar");
    expect(paragraph.get("Empty")).toBe("");
    expect(formatControlParagraph(paragraph)).toBe("Files:\n abc 1 a.tar\n def 2 b.tar\nEmpty:\nLast: x\n");
  });

  it("splits paragraphs on blank lines and skips extra ones", () => {
    const list = parseControlParagraphs("\n\nA: 1\n\n\nA: 2\nB: 3\n\n");
    expect(list.map((p) => p.toRecord())).toEqual([{ A: "1" }, { A: "2", B: "3" }]);
  });

  it("round-trips: parse(format(p)) equals p", () => {
    const text = "Package: a\nDescription: x\n  indented\n .\nFiles:\n 1 2 3\n";
    const paragraph = parseControlParagraph(text);
    expect(formatControlParagraph(paragraph)).toBe(text);
    expect(parseControlParagraph(paragraph.toString()).pairs()).toEqual(paragraph.pairs());
  });

  it("refuses what dpkg refuses, with the line number", () => {
    expect(problem(() => parseControlParagraphs("A: 1\nB 2\n"))).toMatchObject({ code: "QUIPU_DEB_CONTROL_INVALID", line: 2, field: "B" });
    expect(problem(() => parseControlParagraphs("A: 1\n-B: 2\n")).reason).toMatch(/hyphen/);
    expect(problem(() => parseControlParagraphs("A: 1\n continuation\n \nB: 2\n"))).toMatchObject({ reason: "blank line in value of field 'A'", line: 3 });
    expect(problem(() => parseControlParagraphs("A: 1\na: 2\n"))).toMatchObject({ reason: "duplicate field 'a'", line: 2 });
    expect(problem(() => parseControlParagraphs("A: 1")).reason).toMatch(/missing final newline/);
    expect(problem(() => parseControlParagraphs("A: 1\n b")).reason).toMatch(/missing final newline/);
    expect(problem(() => parseControlParagraphs("A:")).reason).toMatch(/missing final newline/);
    expect(problem(() => parseControlParagraphs(" A: 1\n")).reason).toMatch(/empty field name/);
    expect(problem(() => parseControlParagraphs(":x\n")).reason).toMatch(/empty field name/);
    expect(problem(() => parseControlParagraphs("A")).reason).toMatch(/end of data after field name/);
    expect(problem(() => parseControlParagraph("")).reason).toBe("no paragraph found");
    expect(problem(() => parseControlParagraph("A: 1\n\nB: 2\n")).reason).toBe("expected one paragraph, found 2");
  });
});

describe("ControlParagraph", () => {
  it("set keeps position and spelling, delete drops any case, from normalises like a re-parse", () => {
    const p = ControlParagraph.from([
      ["Package", "a"],
      ["version", "1"],
    ]);
    expect(p.set("VERSION", "2").pairs()).toEqual([
      ["Package", "a"],
      ["version", "2"],
    ]);
    expect(p.set("Size", "3").delete("PACKAGE").pairs()).toEqual([
      ["version", "1"],
      ["Size", "3"],
    ]);
    expect(ControlParagraph.from({ A: "  x  \n y \n" }).get("A")).toBe("x  \n y");
    expect(ControlParagraph.empty().size).toBe(0);
  });

  it("refuses values and names that would break a stanza", () => {
    expect(problem(() => ControlParagraph.from({ A: "x\nInjected: yes" })).reason).toMatch(/does not start with a space/);
    expect(problem(() => ControlParagraph.from({ A: "x\n\n y" })).reason).toMatch(/does not start with a space|blank line/);
    expect(problem(() => ControlParagraph.from({ A: "x\n \t\n y" })).reason).toMatch(/blank line/);
    expect(problem(() => ControlParagraph.from({ "A B": "x" })).reason).toMatch(/whitespace/);
    expect(problem(() => ControlParagraph.from({ "A:B": "x" })).reason).toMatch(/colon/);
    expect(problem(() => ControlParagraph.from({ "": "x" })).reason).toBe("empty field name");
    expect(
      problem(() =>
        ControlParagraph.from([
          ["A", "1"],
          ["a", "2"],
        ]),
      ).code,
    ).toBe("QUIPU_DEB_CONTROL_INVALID");
  });
});
