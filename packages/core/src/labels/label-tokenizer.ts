import { QuipuError } from "../errors/quipu-error.js";

/**
 * The lexer of Jenkins' label expressions (`LabelExpressionLexer.g4`). Tokens are produced on
 * demand so that the first error in reading order is the one reported, whether it is a lexical or
 * a grammatical one.
 */
export type LabelTokenKind =
  | "and"
  | "or"
  | "not"
  | "implies"
  | "iff"
  | "lparen"
  | "rparen"
  | "atom"
  | "string"
  | "end";

export interface LabelToken {
  readonly kind: LabelTokenKind;
  /** 0-based offset of the first character in the expression. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
  /** For `atom` the atom's text, for `string` the decoded literal; empty otherwise. */
  readonly value: string;
}

/** How each token kind is named in error messages and `details.expected`. */
export const LABEL_TOKEN_NAMES: Readonly<Record<LabelTokenKind, string>> = {
  and: "`&&`",
  or: "`||`",
  not: "`!`",
  implies: "`->`",
  iff: "`<->`",
  lparen: "`(`",
  rparen: "`)`",
  atom: "a label",
  string: "a quoted label",
  end: "end of input",
};

// Characters that end a bare atom (`IDENTIFIER_PART` excludes them); `-` is handled separately.
const ATOM_TERMINATORS = "&|!<>() \t\"'";
// Escapes allowed inside a STRINGLITERAL and what they stand for.
const STRING_ESCAPES: Readonly<Record<string, string>> = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  '"': '"',
  "'": "'",
  "\\": "\\",
};

/** The one error every label-syntax problem becomes. */
export function labelSyntaxError(
  expression: string,
  position: number,
  expected: readonly string[],
  found: string,
): QuipuError {
  const expectedText = expected.length <= 1
    ? (expected[0] ?? "nothing")
    : `${expected.slice(0, -1).join(", ")} or ${expected[expected.length - 1]}`;
  return new QuipuError(
    "QUIPU_LABEL_SYNTAX",
    `invalid label expression ${JSON.stringify(expression)}: expected ${expectedText} but found ${found} at position ${position}`,
    { details: { expression, position, expected: [...expected], found } },
  );
}

/** Describes the character at `position` for an error message. */
function describeCharacter(text: string, position: number): string {
  if (position >= text.length) return "end of input";
  return `\`${text.charAt(position)}\``;
}

export interface LabelTokenizer {
  /** Reads the next token; throws QUIPU_LABEL_SYNTAX on a character no token can start with. */
  next(): LabelToken;
}

export function createLabelTokenizer(expression: string): LabelTokenizer {
  let offset = 0;

  const token = (kind: LabelTokenKind, start: number, end: number, value = ""): LabelToken => {
    offset = end;
    return { kind, start, end, value };
  };

  const readString = (start: number): LabelToken => {
    let value = "";
    let index = start + 1;
    while (index < expression.length) {
      const character = expression.charAt(index);
      if (character === '"') return token("string", start, index + 1, value);
      if (character === "\\") {
        const escaped = STRING_ESCAPES[expression.charAt(index + 1)];
        if (escaped === undefined) {
          throw labelSyntaxError(
            expression,
            index,
            ['an escape (`\\"`, `\\\\`, `\\\'`, `\\b`, `\\t`, `\\n`, `\\f`, `\\r`)'],
            index + 1 < expression.length ? `\`\\${expression.charAt(index + 1)}\`` : "end of input",
          );
        }
        value += escaped;
        index += 2;
        continue;
      }
      // The lexer refuses raw line breaks inside a literal, so such a string never terminates.
      if (character === "\n" || character === "\r") break;
      value += character;
      index++;
    }
    throw labelSyntaxError(
      expression,
      start,
      ["a closing `\"` for the quoted label started here"],
      index < expression.length ? "a line break" : "end of input",
    );
  };

  const readAtom = (start: number): LabelToken => {
    let index = start;
    while (index < expression.length) {
      const character = expression.charAt(index);
      if (ATOM_TERMINATORS.includes(character)) break;
      // A `-` belongs to the atom unless it starts `->`: `a-->b` is `a-` implies `b`.
      if (character === "-" && expression.charAt(index + 1) === ">") break;
      index++;
    }
    return token("atom", start, index, expression.slice(start, index));
  };

  return {
    next(): LabelToken {
      while (offset < expression.length && (expression.charAt(offset) === " " || expression.charAt(offset) === "\t")) {
        offset++;
      }
      const start = offset;
      if (start >= expression.length) return token("end", start, start);
      const character = expression.charAt(start);
      const following = expression.charAt(start + 1);
      switch (character) {
        case "&":
          if (following === "&") return token("and", start, start + 2);
          throw labelSyntaxError(expression, start, [LABEL_TOKEN_NAMES.and], describeCharacter(expression, start));
        case "|":
          if (following === "|") return token("or", start, start + 2);
          throw labelSyntaxError(expression, start, [LABEL_TOKEN_NAMES.or], describeCharacter(expression, start));
        case "!":
          return token("not", start, start + 1);
        case "<":
          if (expression.startsWith("<->", start)) return token("iff", start, start + 3);
          throw labelSyntaxError(expression, start, [LABEL_TOKEN_NAMES.iff], describeCharacter(expression, start));
        case ">":
          throw labelSyntaxError(
            expression,
            start,
            [LABEL_TOKEN_NAMES.implies, LABEL_TOKEN_NAMES.iff],
            describeCharacter(expression, start),
          );
        case "'":
          throw labelSyntaxError(expression, start, ['a label (quote labels with `"`)'], describeCharacter(expression, start));
        case "(":
          return token("lparen", start, start + 1);
        case ")":
          return token("rparen", start, start + 1);
        case '"':
          return readString(start);
        case "-":
          if (following === ">") return token("implies", start, start + 2);
          return readAtom(start);
        default:
          return readAtom(start);
      }
    },
  };
}
