import { describe, expect, it } from "vitest";
import { isQuipuError, type QuipuError } from "../errors/quipu-error.js";
import { escapeLabelAtom, isGoodJenkinsName, unquoteLabelString } from "./label-atom.js";
import {
  createLabelExpression,
  explainLabelMismatch,
  labelAtomExpression,
  parseLabelExpression,
  parseLabelLax,
  type LabelNode,
} from "./label-expression.js";

const atom = (name: string): LabelNode => ({ kind: "atom", name });

function syntaxErrorOf(text: string): QuipuError {
  try {
    parseLabelExpression(text);
  } catch (error) {
    if (isQuipuError(error)) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe("parseLabelExpression: tokens", () => {
  it("reads a bare atom of any characters outside the operator set", () => {
    for (const name of ["linux", "java:17", "x86_64", "rhel6.5", "trusty-pbuilder", "a.b/c", "ünïcode", "a@b", "1"]) {
      expect(parseLabelExpression(name).ast).toEqual(atom(name));
    }
  });

  it("keeps `-` in an atom unless it starts `->`", () => {
    expect(parseLabelExpression("a-b").ast).toEqual(atom("a-b"));
    expect(parseLabelExpression("--").ast).toEqual(atom("--"));
    expect(parseLabelExpression("-1").ast).toEqual(atom("-1"));
    expect(parseLabelExpression("a-").ast).toEqual(atom("a-"));
    expect(parseLabelExpression("a-->b").ast).toEqual({ kind: "implies", left: atom("a-"), right: atom("b") });
    expect(parseLabelExpression("a->b").ast).toEqual({ kind: "implies", left: atom("a"), right: atom("b") });
    expect(parseLabelExpression("a-<->b").ast).toEqual({ kind: "iff", left: atom("a-"), right: atom("b") });
  });

  it("skips spaces and tabs but not other whitespace", () => {
    expect(parseLabelExpression(" \t a \t&&\tb  ").ast).toEqual({ kind: "and", left: atom("a"), right: atom("b") });
    // A newline is an ordinary atom character in Jenkins' lexer.
    expect(parseLabelExpression("a\nb").ast).toEqual(atom("a\nb"));
  });

  it("reads double-quoted labels with every escape the lexer allows", () => {
    expect(parseLabelExpression('"linux docker"').ast).toEqual(atom("linux docker"));
    expect(parseLabelExpression('"a\\"b\\\\c\\bd\\te\\nf\\fg\\rh\\\'i"').ast).toEqual(atom("a\"b\\c\bd\te\nf\fg\rh'i"));
    expect(parseLabelExpression('""').ast).toEqual(atom(""));
    expect(parseLabelExpression('"&&||!()<->"').ast).toEqual(atom("&&||!()<->"));
    expect(parseLabelExpression("\"it's\"").ast).toEqual(atom("it's"));
  });

  it("places a quoted label next to operators without spaces", () => {
    expect(parseLabelExpression('"a:b"&&c').ast).toEqual({ kind: "and", left: atom("a:b"), right: atom("c") });
  });
});

describe("parseLabelExpression: grammar and precedence", () => {
  it("binds && tighter than ||, || tighter than ->, -> tighter than <->", () => {
    expect(parseLabelExpression("a||b&&c").ast).toEqual({
      kind: "or",
      left: atom("a"),
      right: { kind: "and", left: atom("b"), right: atom("c") },
    });
    expect(parseLabelExpression("a->b||c").ast).toEqual({
      kind: "implies",
      left: atom("a"),
      right: { kind: "or", left: atom("b"), right: atom("c") },
    });
    expect(parseLabelExpression("a<->b->c").ast).toEqual({
      kind: "iff",
      left: atom("a"),
      right: { kind: "implies", left: atom("b"), right: atom("c") },
    });
  });

  it("binds ! tightest, to a single primary", () => {
    expect(parseLabelExpression("!a&&b").ast).toEqual({
      kind: "and",
      left: { kind: "not", operand: atom("a") },
      right: atom("b"),
    });
    expect(parseLabelExpression("!(a&&b)").ast).toEqual({
      kind: "not",
      operand: { kind: "paren", inner: { kind: "and", left: atom("a"), right: atom("b") } },
    });
    expect(parseLabelExpression("!(!a)").ast).toEqual({
      kind: "not",
      operand: { kind: "paren", inner: { kind: "not", operand: atom("a") } },
    });
  });

  it("chains && , || and <-> to the left", () => {
    expect(parseLabelExpression("a&&b&&c").ast).toEqual({
      kind: "and",
      left: { kind: "and", left: atom("a"), right: atom("b") },
      right: atom("c"),
    });
    expect(parseLabelExpression("a||b||c").ast).toEqual({
      kind: "or",
      left: { kind: "or", left: atom("a"), right: atom("b") },
      right: atom("c"),
    });
    expect(parseLabelExpression("a<->b<->c").ast).toEqual({
      kind: "iff",
      left: { kind: "iff", left: atom("a"), right: atom("b") },
      right: atom("c"),
    });
  });

  it("allows -> once per level, and again inside parentheses or across <->", () => {
    expect(parseLabelExpression("(a->b)->c").ast).toEqual({
      kind: "implies",
      left: { kind: "paren", inner: { kind: "implies", left: atom("a"), right: atom("b") } },
      right: atom("c"),
    });
    expect(parseLabelExpression("a->b<->c->d").ast.kind).toBe("iff");
  });

  it("keeps the parentheses the user wrote", () => {
    expect(parseLabelExpression("((a))").ast).toEqual({ kind: "paren", inner: { kind: "paren", inner: atom("a") } });
  });
});

describe("parseLabelExpression: evaluation", () => {
  const cases: Array<[string, string[], boolean]> = [
    ["a", ["a"], true],
    ["a", ["b"], false],
    ["!a", ["b"], true],
    ["!a", ["a"], false],
    ["a&&b", ["a", "b"], true],
    ["a&&b", ["a"], false],
    ["a||b", ["b"], true],
    ["a||b", [], false],
    ["a->b", [], true],
    ["a->b", ["a"], false],
    ["a->b", ["a", "b"], true],
    ["a->b", ["b"], true],
    ["a<->b", [], true],
    ["a<->b", ["a"], false],
    ["a<->b", ["b"], false],
    ["a<->b", ["a", "b"], true],
    ["(linux||mac)&&!arm64", ["linux", "x86_64"], true],
    ["(linux||mac)&&!arm64", ["linux", "arm64"], false],
    ['"java:17"&&docker', ["java:17", "docker"], true],
  ];
  it.each(cases)("%s against %j is %s", (text, labels, expected) => {
    const expression = parseLabelExpression(text);
    expect(expression.matches(labels)).toBe(expected);
    expect(expression.matches(new Set(labels))).toBe(expected);
  });

  it("accepts any iterable of labels", () => {
    function* labels() {
      yield "a";
      yield "b";
    }
    expect(parseLabelExpression("a&&b").matches(labels())).toBe(true);
  });

  it("lists distinct atoms in order of appearance", () => {
    expect(parseLabelExpression("b&&(a||!b)->\"c d\"").atoms()).toEqual(["b", "a", "c d"]);
  });
});

describe("canonical toString", () => {
  it.each([
    ["foo || bar", "foo||bar"],
    ["  ( foo || bar )  && zot", "(foo||bar)&&zot"],
    ["foo -> bar", "foo->bar"],
    ["!foo <-> bar", "!foo<->bar"],
    ["a:b && c", '"a:b"&&c'],
    ['"a b" && c', '"a b"&&c'],
    ['"foo(bar)"||baz', '"foo(bar)"||baz'],
    ['"tab\\there"', '"tab\\there"'],
    ['"x\\"y"', '"x\\"y"'],
    ['"back\\\\slash"', '"back\\\\slash"'],
    ['"."', '"."'],
    ['"trailing."', '"trailing."'],
    ['""', '""'],
    ["a-->b", "a-->b"],
    ["! ( ! a )", "!(!a)"],
    ["a && b || c", "a&&b||c"],
    ["a && (b || c)", "a&&(b||c)"],
    ["(a)", "(a)"],
  ])("%j → %j", (input, canonical) => {
    expect(parseLabelExpression(input).toString()).toBe(canonical);
  });

  it("adds parentheses only where precedence demands, for hand-built trees", () => {
    const or: LabelNode = { kind: "or", left: atom("a"), right: atom("b") };
    expect(createLabelExpression({ kind: "and", left: or, right: atom("c") }).toString()).toBe("(a||b)&&c");
    expect(createLabelExpression({ kind: "or", left: { kind: "and", left: atom("a"), right: atom("b") }, right: atom("c") }).toString()).toBe(
      "a&&b||c",
    );
    expect(createLabelExpression({ kind: "not", operand: or }).toString()).toBe("!(a||b)");
  });

  it("parenthesises the two nestings the grammar cannot chain", () => {
    const implies: LabelNode = { kind: "implies", left: atom("a"), right: atom("b") };
    const nested = createLabelExpression({ kind: "implies", left: implies, right: atom("c") });
    expect(nested.toString()).toBe("(a->b)->c");
    const doubleNot = createLabelExpression({ kind: "not", operand: { kind: "not", operand: atom("a") } });
    expect(doubleNot.toString()).toBe("!(!a)");
    expect(parseLabelExpression(doubleNot.toString()).matches(["a"])).toBe(true);
  });

  it("gives Jenkins' Label.getName: raw for a lone atom, canonical otherwise", () => {
    expect(parseLabelExpression('"java:17"').jenkinsName()).toBe("java:17");
    expect(parseLabelExpression('"java:17"').toString()).toBe('"java:17"');
    expect(parseLabelExpression("linux && docker").jenkinsName()).toBe("linux&&docker");
  });

  it("serialises to JSON as the canonical text", () => {
    expect(JSON.stringify({ label: parseLabelExpression("a && b") })).toBe('{"label":"a&&b"}');
  });

  it("round-trips parsed expressions to the same tree", () => {
    for (const text of ["(foo||bar)&&zot", "!a<->b", '"a:b"&&!(c->d)', "a-->b", "((x))", '"q\\"uote"||"sp ace"']) {
      const expression = parseLabelExpression(text);
      expect(parseLabelExpression(expression.toString()).ast).toEqual(expression.ast);
    }
  });
});

describe("atom quoting", () => {
  it("follows Jenkins.checkGoodName", () => {
    expect(isGoodJenkinsName("linux")).toBe(true);
    expect(isGoodJenkinsName("")).toBe(false);
    expect(isGoodJenkinsName(".")).toBe(false);
    expect(isGoodJenkinsName(" .. ")).toBe(false);
    expect(isGoodJenkinsName("name.")).toBe(false);
    expect(isGoodJenkinsName("a\u0085b")).toBe(false);
    for (const character of "?*/\\%!@#$^&|<>[]:;") expect(isGoodJenkinsName(`a${character}b`)).toBe(false);
  });

  it("quotes what Jenkins quotes, plus quote characters so the result parses", () => {
    expect(escapeLabelAtom("linux")).toBe("linux");
    expect(escapeLabelAtom("a b")).toBe('"a b"');
    expect(escapeLabelAtom("a(b)")).toBe('"a(b)"');
    expect(escapeLabelAtom("a:b")).toBe('"a:b"');
    expect(escapeLabelAtom("a\nb")).toBe('"a\\nb"');
    expect(escapeLabelAtom('say"hi')).toBe('"say\\"hi"');
    expect(escapeLabelAtom("it's")).toBe("\"it's\"");
    expect(escapeLabelAtom("a-b")).toBe("a-b");
  });

  it("unquotes as QuotedStringTokenizer does", () => {
    expect(unquoteLabelString('"a b"')).toBe("a b");
    expect(unquoteLabelString("'a b'")).toBe("a b");
    expect(unquoteLabelString('"a\\tb\\u0041"')).toBe("a\tbA");
    expect(unquoteLabelString('"a\\qb"')).toBe("aqb");
    expect(unquoteLabelString('"mismatched\'')).toBe('"mismatched\'');
    expect(unquoteLabelString('"')).toBe('"');
  });
});

describe("parseLabelExpression: syntax errors", () => {
  it.each([
    ["foo bar", 4, "label `bar`"],
    ["foo (bar)", 4, "`(`"],
    ["a <- b", 2, "`<`"],
    ["a -< b", 2, "label `-`"],
    ["a - b", 2, "label `-`"],
    ["->", 0, "`->`"],
    ["-!", 1, "`!`"],
    ["!!a", 1, "`!`"],
    ["a->b->c", 4, "`->`"],
    ["", 0, "end of input"],
    ["   ", 3, "end of input"],
    ['"abc', 0, "end of input"],
    ['a&&"abc', 3, "end of input"],
    ['"ab\ncd"', 0, "a line break"],
    ['"bad\\xescape"', 4, "`\\x`"],
    ["(a", 2, "end of input"],
    ["((a)", 4, "end of input"],
    ["a)", 1, "`)`"],
    ["()", 1, "`)`"],
    ["a & b", 2, "`&`"],
    ["a | b", 2, "`|`"],
    ["a > b", 2, "`>`"],
    ["'a'", 0, "`'`"],
    ["a&&", 3, "end of input"],
    ["&&a", 0, "`&&`"],
    ["a!", 1, "`!`"],
  ])("%j fails at %i (found %s)", (text, position, found) => {
    const error = syntaxErrorOf(text);
    expect(error.code).toBe("QUIPU_LABEL_SYNTAX");
    expect(error.name).toBe("QuipuError");
    expect(error.details).toMatchObject({ expression: text, position, found });
    expect(Array.isArray(error.details.expected)).toBe(true);
    expect((error.details.expected as string[]).length).toBeGreaterThan(0);
    expect(error.message).toContain(`at position ${position}`);
  });

  it("names what would have fitted", () => {
    expect(syntaxErrorOf("a->b->c").details.expected).toEqual(["`&&`", "`||`", "`<->`", "end of input"]);
    expect(syntaxErrorOf("(a").details.expected).toEqual(["`&&`", "`||`", "`->`", "`<->`", "`)`"]);
    expect(syntaxErrorOf("!!a").details.expected).toEqual(["`(`", "a label", "a quoted label"]);
  });
});

describe("parseLabelExpression: hostile depth", () => {
  it("accepts ordinary nesting", () => {
    expect(parseLabelExpression(`${"(".repeat(100)}a${")".repeat(100)}`).matches(["a"])).toBe(true);
    expect(parseLabelExpression(Array.from({ length: 200 }, (_, index) => `l${index}`).join("&&")).atoms()).toHaveLength(200);
  });

  it.each([
    ["deep parentheses", `${"(".repeat(50_000)}a${")".repeat(50_000)}`],
    ["unclosed parentheses", "(".repeat(50_000)],
    ["deep negations", `${"!(".repeat(20_000)}a${")".repeat(20_000)}`],
    ["a long chain", Array.from({ length: 50_000 }, () => "a").join("&&")],
    ["a long mixed chain", Array.from({ length: 50_000 }, (_, index) => (index % 2 === 0 ? "a" : "b")).join("||")],
  ])("fails %s with a syntax error, not a stack overflow", (_name, text) => {
    const error = syntaxErrorOf(text);
    expect(error.code).toBe("QUIPU_LABEL_SYNTAX");
    expect(error.details.found).toBe("deeper nesting");
    expect(() => parseLabelLax(text)).not.toThrow();
  });
});

describe("parseLabelLax (Jenkins.getLabel)", () => {
  it("parses valid expressions strictly", () => {
    expect(parseLabelLax("linux&&docker").toString()).toBe("linux&&docker");
    expect(parseLabelLax('"a b"&&"c d"').atoms()).toEqual(["a b", "c d"]);
  });

  it("takes an unparseable text as one atom", () => {
    expect(parseLabelLax("linux docker").ast).toEqual(atom("linux docker"));
    expect(parseLabelLax("lucene.zones.apache.org (Solaris 10)").ast).toEqual(atom("lucene.zones.apache.org (Solaris 10)"));
    expect(parseLabelLax("a->b->c").ast).toEqual(atom("a->b->c"));
    expect(parseLabelLax("").ast).toEqual(atom(""));
  });

  it("unquotes first-and-last quotes like Jenkins, then parses again", () => {
    expect(parseLabelLax("'linux'").ast).toEqual(atom("linux"));
    expect(parseLabelLax("'a&&b'").toString()).toBe("a&&b");
    expect(parseLabelLax("'linux docker'").ast).toEqual(atom("linux docker"));
  });

  it("builds single atoms directly", () => {
    expect(labelAtomExpression("java:17").toString()).toBe('"java:17"');
  });
});

describe("explainLabelMismatch", () => {
  const explain = (text: string, labels: string[]) => explainLabelMismatch(parseLabelExpression(text).ast, labels);
  it("is null when the labels satisfy the expression", () => {
    expect(explain("a&&b", ["a", "b"])).toBeNull();
  });
  it("names only the responsible operands", () => {
    expect(explain("arm64", ["centos9"])).toBe("lacks label `arm64`");
    expect(explain("a&&b&&c", ["a", "c"])).toBe("lacks label `b`");
    expect(explain("a||b", [])).toBe("lacks label `a` and lacks label `b`");
    expect(explain("!a", ["a"])).toBe("has label `a`");
    expect(explain("!(a&&b)", ["a", "b"])).toBe("satisfies `(a&&b)`");
    expect(explain("a->b", ["a"])).toBe("satisfies `a` but lacks label `b`");
    expect(explain("a<->b", ["b"])).toBe("satisfies `b` but not `a`");
    expect(explain("a<->b", ["a"])).toBe("satisfies `a` but not `b`");
  });
});
