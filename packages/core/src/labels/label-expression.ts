import { isQuipuError } from "../errors/quipu-error.js";
import { escapeLabelAtom, unquoteLabelString } from "./label-atom.js";
import {
  createLabelTokenizer,
  LABEL_TOKEN_NAMES,
  labelSyntaxError,
  type LabelToken,
  type LabelTokenizer,
  type LabelTokenKind,
} from "./label-tokenizer.js";

/**
 * Jenkins label expressions (`hudson.model.labels.LabelExpression`): the grammar of
 * `LabelExpressionParser.g4`, the canonical spelling Jenkins prints (and quotes in queue `why`
 * texts), and evaluation against a node's label set.
 */

export type LabelBinaryKind = "and" | "or" | "implies" | "iff";

/** The syntax tree. `paren` keeps parentheses the user wrote, as Jenkins' `Paren` node does. */
export type LabelNode =
  | { readonly kind: "atom"; readonly name: string }
  | { readonly kind: "not"; readonly operand: LabelNode }
  | { readonly kind: "paren"; readonly inner: LabelNode }
  | { readonly kind: LabelBinaryKind; readonly left: LabelNode; readonly right: LabelNode };

export type LabelBinaryNode = Extract<LabelNode, { kind: LabelBinaryKind }>;

export interface LabelExpression {
  readonly ast: LabelNode;
  /**
   * True when a node carrying `labels` satisfies the expression. Pass the node's full label set:
   * Jenkins gives every node its own name as a label (the "self-label").
   */
  matches(labels: Iterable<string> | ReadonlySet<string>): boolean;
  /** Distinct atom names, in order of first appearance. */
  atoms(): string[];
  /** Jenkins' canonical spelling, e.g. `(foo||bar)&&zot`; parses back to the same tree. */
  toString(): string;
  /**
   * Jenkins' `Label.getName()`, the text its queue `why` strings quote: the canonical spelling,
   * except that a lone atom is written raw (`java:17`, not `"java:17"`).
   */
  jenkinsName(): string;
  /** Serialises as the canonical spelling, so demands and plans log readably. */
  toJSON(): string;
}

// Jenkins' LabelOperatorPrecedence order, tightest first.
const PRECEDENCE: Readonly<Record<LabelNode["kind"], number>> = {
  atom: 0,
  paren: 0,
  not: 1,
  and: 2,
  or: 3,
  implies: 4,
  iff: 5,
};

const OPERATOR_TEXT: Readonly<Record<LabelBinaryKind, string>> = {
  and: "&&",
  or: "||",
  implies: "->",
  iff: "<->",
};

/**
 * Wraps `child` in parentheses when precedence demands it under `parent` (Jenkins'
 * `LabelExpression.paren`). Two cases the parser never produces are also wrapped so that any tree
 * prints as something that parses: a `!` directly under `!`, and `->` directly under `->`.
 */
function formatOperand(parent: LabelNode["kind"], child: LabelNode): string {
  const text = formatLabelNode(child);
  const looser = PRECEDENCE[child.kind] > PRECEDENCE[parent];
  const unchainable = child.kind === parent && (parent === "not" || parent === "implies");
  return looser || unchainable ? `(${text})` : text;
}

/** Jenkins' canonical spelling of a tree: no spaces, user parentheses kept, atoms quoted if needed. */
export function formatLabelNode(node: LabelNode): string {
  switch (node.kind) {
    case "atom":
      return escapeLabelAtom(node.name);
    case "paren":
      return `(${formatLabelNode(node.inner)})`;
    case "not":
      return `!${formatOperand("not", node.operand)}`;
    default:
      return formatOperand(node.kind, node.left) + OPERATOR_TEXT[node.kind] + formatOperand(node.kind, node.right);
  }
}

/** Evaluates a tree; `has` answers whether the node carries a label. */
export function evaluateLabelNode(node: LabelNode, has: (label: string) => boolean): boolean {
  switch (node.kind) {
    case "atom":
      return has(node.name);
    case "paren":
      return evaluateLabelNode(node.inner, has);
    case "not":
      return !evaluateLabelNode(node.operand, has);
    case "and":
      return evaluateLabelNode(node.left, has) && evaluateLabelNode(node.right, has);
    case "or":
      return evaluateLabelNode(node.left, has) || evaluateLabelNode(node.right, has);
    case "implies":
      return !evaluateLabelNode(node.left, has) || evaluateLabelNode(node.right, has);
    case "iff":
      return evaluateLabelNode(node.left, has) === evaluateLabelNode(node.right, has);
  }
}

function collectAtoms(node: LabelNode, into: Set<string>): void {
  switch (node.kind) {
    case "atom":
      into.add(node.name);
      return;
    case "paren":
      collectAtoms(node.inner, into);
      return;
    case "not":
      collectAtoms(node.operand, into);
      return;
    default:
      collectAtoms(node.left, into);
      collectAtoms(node.right, into);
  }
}

function toLabelSet(labels: Iterable<string> | ReadonlySet<string>): ReadonlySet<string> {
  return labels instanceof Set ? labels : new Set(labels);
}

/**
 * Wraps a tree (parsed or built by hand) as a LabelExpression. The parser bounds depth at
 * MAX_LABEL_EXPRESSION_DEPTH; a hand-built tree is the caller's to keep reasonable.
 */
export function createLabelExpression(ast: LabelNode): LabelExpression {
  let canonical: string | undefined;
  const text = (): string => (canonical ??= formatLabelNode(ast));
  return Object.freeze({
    ast,
    matches(labels: Iterable<string> | ReadonlySet<string>): boolean {
      const set = toLabelSet(labels);
      return evaluateLabelNode(ast, (label) => set.has(label));
    },
    atoms(): string[] {
      const names = new Set<string>();
      collectAtoms(ast, names);
      return [...names];
    },
    toString: text,
    jenkinsName: () => (ast.kind === "atom" ? ast.name : text()),
    toJSON: text,
  });
}

/** A single-atom expression, as `Jenkins.getLabelAtom` would give. */
export function labelAtomExpression(name: string): LabelExpression {
  return createLabelExpression({ kind: "atom", name });
}

/**
 * The deepest tree the parser builds. Real labels nest a few levels; the limit keeps recursion in
 * the parser, printer and evaluator far from the stack limit on hostile input (`((((…` or
 * `a&&a&&…` thousands long), which then fails as a syntax error instead of a RangeError.
 */
export const MAX_LABEL_EXPRESSION_DEPTH = 256;

/**
 * Recursive-descent parser over the grammar, loosest to tightest:
 * `term1 := term2 ('<->' term2)*`, `term2 := term3 ('->' term3)?`, `term3 := term4 ('||' term4)*`,
 * `term4 := term5 ('&&' term5)*`, `term5 := term6 | '!' term6`,
 * `term6 := '(' term1 ')' | ATOM | STRINGLITERAL`.
 */
class LabelParser {
  private readonly tokenizer: LabelTokenizer;
  private current: LabelToken;
  // Every token kind tested at the current position, so an error can list what would have fitted.
  private readonly expectedHere = new Set<LabelTokenKind>();
  private readonly depths = new WeakMap<LabelNode, number>();
  private parenNesting = 0;

  constructor(private readonly expression: string) {
    this.tokenizer = createLabelTokenizer(expression);
    this.current = this.tokenizer.next();
  }

  parse(): LabelNode {
    const node = this.parseIff();
    this.expect("end");
    return node;
  }

  private at(kind: LabelTokenKind): boolean {
    this.expectedHere.add(kind);
    return this.current.kind === kind;
  }

  private advance(): LabelToken {
    const consumed = this.current;
    this.expectedHere.clear();
    this.current = this.tokenizer.next();
    return consumed;
  }

  private expect(kind: LabelTokenKind): LabelToken {
    if (!this.at(kind)) throw this.error();
    return this.advance();
  }

  /** Records the depth of a new node, failing at `operator` when the tree grows too deep. */
  private build(node: LabelNode, operator: LabelToken): LabelNode {
    const children = node.kind === "atom" ? [] : node.kind === "not" ? [node.operand] : node.kind === "paren" ? [node.inner] : [node.left, node.right];
    const depth = 1 + Math.max(0, ...children.map((child) => this.depths.get(child) ?? 1));
    if (depth > MAX_LABEL_EXPRESSION_DEPTH) throw this.tooDeep(operator);
    this.depths.set(node, depth);
    return node;
  }

  private tooDeep(at: LabelToken): Error {
    return labelSyntaxError(this.expression, at.start, [`at most ${MAX_LABEL_EXPRESSION_DEPTH} levels of nesting`], "deeper nesting");
  }

  private error(): Error {
    const found = this.current;
    const foundText = found.kind === "atom"
      ? `label \`${found.value}\``
      : found.kind === "string"
        ? `quoted label ${JSON.stringify(found.value)}`
        : LABEL_TOKEN_NAMES[found.kind];
    const expected = [...this.expectedHere].map((kind) => LABEL_TOKEN_NAMES[kind]);
    return labelSyntaxError(this.expression, found.start, expected, foundText);
  }

  private parseIff(): LabelNode {
    let left = this.parseImplies();
    while (this.at("iff")) {
      const operator = this.advance();
      left = this.build({ kind: "iff", left, right: this.parseImplies() }, operator);
    }
    return left;
  }

  // `->` is deliberately not chainable: (a->b)->c and a->(b->c) differ, so Jenkins refuses both.
  private parseImplies(): LabelNode {
    const left = this.parseOr();
    if (!this.at("implies")) return left;
    const operator = this.advance();
    return this.build({ kind: "implies", left, right: this.parseOr() }, operator);
  }

  private parseOr(): LabelNode {
    let left = this.parseAnd();
    while (this.at("or")) {
      const operator = this.advance();
      left = this.build({ kind: "or", left, right: this.parseAnd() }, operator);
    }
    return left;
  }

  private parseAnd(): LabelNode {
    let left = this.parseNot();
    while (this.at("and")) {
      const operator = this.advance();
      left = this.build({ kind: "and", left, right: this.parseNot() }, operator);
    }
    return left;
  }

  // `!` takes a primary, not another `!`: `!!a` is an error, `!(!a)` is fine.
  private parseNot(): LabelNode {
    if (!this.at("not")) return this.parsePrimary();
    const operator = this.advance();
    return this.build({ kind: "not", operand: this.parsePrimary() }, operator);
  }

  private parsePrimary(): LabelNode {
    if (this.at("lparen")) {
      const open = this.advance();
      // Checked on the way in: the recursion itself is what must stay bounded.
      if (++this.parenNesting > MAX_LABEL_EXPRESSION_DEPTH) throw this.tooDeep(open);
      const inner = this.parseIff();
      this.expect("rparen");
      this.parenNesting--;
      return this.build({ kind: "paren", inner }, open);
    }
    if (this.at("atom") || this.at("string")) {
      return { kind: "atom", name: this.advance().value };
    }
    throw this.error();
  }
}

/**
 * Parses a label expression exactly as Jenkins' strict parser does (`Label.parseExpression`).
 * Throws QuipuError `QUIPU_LABEL_SYNTAX` with `details.expression`, `details.position` (0-based),
 * `details.expected` (list) and `details.found`; never any other exception for string input.
 */
export function parseLabelExpression(text: string): LabelExpression {
  return createLabelExpression(new LabelParser(text).parse());
}

/**
 * The lenient reading of `Jenkins.getLabel(text)`: whatever does not parse is one atom, so
 * `linux docker` is the single (unsatisfiable) atom `linux docker`, not a syntax error. Never throws.
 *
 * Order: the text as written, then Jenkins' unquoting (`"x"` / `'x'` with escapes) and a second
 * parse, then the unquoted text as one atom. Jenkins unquotes *first*, which garbles texts that
 * both start and end with a quoted atom (`"a b"&&"c d"`, which its own printer emits); trying the
 * text as written first keeps those intact and gives Jenkins' answer for everything else.
 */
export function parseLabelLax(text: string): LabelExpression {
  const attempt = (candidate: string): LabelExpression | undefined => {
    try {
      return parseLabelExpression(candidate);
    } catch (error) {
      if (isQuipuError(error, "QUIPU_LABEL_SYNTAX")) return undefined;
      throw error;
    }
  };
  const asWritten = attempt(text);
  if (asWritten) return asWritten;
  const unquoted = unquoteLabelString(text);
  return (unquoted !== text ? attempt(unquoted) : undefined) ?? labelAtomExpression(unquoted);
}

/** Canonical spelling of an operand for explanations (parentheses only when compound). */
function quoteForExplanation(node: LabelNode): string {
  return `\`${formatLabelNode(node)}\``;
}

/**
 * Why a label set does not satisfy `node`, in words ("lacks label `arm64`"), or `null` when it
 * does. Only the operands responsible for the failure are named.
 */
export function explainLabelMismatch(node: LabelNode, labels: Iterable<string> | ReadonlySet<string>): string | null {
  const set = toLabelSet(labels);
  const has = (label: string) => set.has(label);
  const explainFalse = (current: LabelNode): string => {
    switch (current.kind) {
      case "atom":
        return `lacks label ${quoteForExplanation(current)}`;
      case "paren":
        return explainFalse(current.inner);
      case "not":
        return current.operand.kind === "atom"
          ? `has label ${quoteForExplanation(current.operand)}`
          : `satisfies ${quoteForExplanation(current.operand)}`;
      case "and":
        return [current.left, current.right]
          .filter((operand) => !evaluateLabelNode(operand, has))
          .map(explainFalse)
          .join(" and ");
      case "or":
        return `${explainFalse(current.left)} and ${explainFalse(current.right)}`;
      case "implies":
        return `satisfies ${quoteForExplanation(current.left)} but ${explainFalse(current.right)}`;
      case "iff":
        return evaluateLabelNode(current.left, has)
          ? `satisfies ${quoteForExplanation(current.left)} but not ${quoteForExplanation(current.right)}`
          : `satisfies ${quoteForExplanation(current.right)} but not ${quoteForExplanation(current.left)}`;
    }
  };
  return evaluateLabelNode(node, has) ? null : explainFalse(node);
}
