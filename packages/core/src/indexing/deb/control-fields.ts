import { QuipuError } from "../../errors/quipu-error.js";

/** One field of a deb822 paragraph; `name` keeps the spelling it was written with. */
export interface ControlField {
  readonly name: string;
  /**
   * The value as dpkg stores it: the first line without its leading blanks, then every
   * continuation line verbatim (with its leading space or tab), joined by `\n`, trailing
   * whitespace removed. A value written on the lines after `Name:` starts with `\n`.
   */
  readonly value: string;
}

export interface ControlParseOptions {
  /** Names the source in errors (a .deb, a .dsc, an index). */
  readonly file?: string | undefined;
}

function controlInvalid(reason: string, details: { file?: string | undefined; line?: number; field?: string }): QuipuError {
  const where = [details.file, details.line === undefined ? undefined : `line ${details.line}`].filter((x) => x !== undefined).join(" ");
  return new QuipuError("QUIPU_DEB_CONTROL_INVALID", `invalid control data${where === "" ? "" : ` (${where})`}: ${reason}`, {
    details: { reason, ...details },
  });
}

/** dpkg's c_isspace: space, \t, \n, \v, \f, \r. */
function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

const INLINE_LEADING_BLANKS = /^[ \t\v\f\r]+/;
const TRAILING_SPACE = /[ \t\n\v\f\r]+$/;

function checkName(name: string, file: string | undefined): void {
  if (name === "") throw controlInvalid("empty field name", { file });
  if (name.startsWith("-")) throw controlInvalid(`field name '${name}' cannot start with a hyphen`, { file, field: name });
  if (/[:\x00-\x20\x7f]/.test(name)) throw controlInvalid(`field name '${JSON.stringify(name).slice(1, -1)}' contains a colon, whitespace or a control character`, { file, field: name });
}

/** Normalises a value the way a dpkg parse of its serialised form would, refusing lines that would break the paragraph. */
function normaliseValue(name: string, value: string, file: string | undefined): string {
  const normalised = value.replace(INLINE_LEADING_BLANKS, "").replace(TRAILING_SPACE, "");
  const lines = normalised.split("\n");
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    if (!isSpace(line[0]) || line[0] === "\n") {
      throw controlInvalid(`continuation line ${i} of field '${name}' does not start with a space or tab`, { file, field: name });
    }
    if (/^[ \t\v\f\r]*$/.test(line)) {
      throw controlInvalid(`blank line in value of field '${name}' (use ' .' for an empty line)`, { file, field: name });
    }
  }
  return normalised;
}

/**
 * An ordered deb822 paragraph (a control file, a Packages stanza, a .dsc). Field names match
 * case-insensitively and keep their original spelling; order is preserved. Instances are
 * immutable: `set` and `delete` return new paragraphs. Every value is normalised and checked at
 * construction, so serialising a paragraph always yields text that parses back to it.
 */
export class ControlParagraph implements Iterable<ControlField> {
  readonly fields: readonly ControlField[];
  readonly #index: ReadonlyMap<string, number>;

  private constructor(fields: readonly ControlField[], index: ReadonlyMap<string, number>) {
    this.fields = fields;
    this.#index = index;
  }

  /** Builds a paragraph from `[name, value]` pairs or a record; duplicate names (any case) are refused. */
  static from(input: Iterable<readonly [string, string]> | Readonly<Record<string, string>>, options: ControlParseOptions = {}): ControlParagraph {
    const pairs: Iterable<readonly [string, string]> = Symbol.iterator in input ? (input as Iterable<readonly [string, string]>) : Object.entries(input);
    const fields: ControlField[] = [];
    const index = new Map<string, number>();
    for (const [name, value] of pairs) {
      checkName(name, options.file);
      const key = name.toLowerCase();
      if (index.has(key)) throw controlInvalid(`duplicate field '${name}'`, { file: options.file, field: name });
      index.set(key, fields.length);
      fields.push(Object.freeze({ name, value: normaliseValue(name, value, options.file) }));
    }
    return new ControlParagraph(Object.freeze(fields), index);
  }

  static empty(): ControlParagraph {
    return ControlParagraph.from([]);
  }

  get size(): number {
    return this.fields.length;
  }

  /** The value of `name` (any case), or undefined. */
  get(name: string): string | undefined {
    const at = this.#index.get(name.toLowerCase());
    return at === undefined ? undefined : this.fields[at]?.value;
  }

  /** The field as written (original spelling of its name), or undefined. */
  field(name: string): ControlField | undefined {
    const at = this.#index.get(name.toLowerCase());
    return at === undefined ? undefined : this.fields[at];
  }

  has(name: string): boolean {
    return this.#index.has(name.toLowerCase());
  }

  /** Replaces the value in place (keeping the existing spelling and position) or appends the field. */
  set(name: string, value: string): ControlParagraph {
    const at = this.#index.get(name.toLowerCase());
    if (at === undefined) return ControlParagraph.from([...this.pairs(), [name, value]]);
    return ControlParagraph.from(this.pairs().map(([n, v], i): [string, string] => [n, i === at ? value : v]));
  }

  delete(...names: string[]): ControlParagraph {
    const drop = new Set(names.map((n) => n.toLowerCase()));
    return ControlParagraph.from(this.pairs().filter(([n]) => !drop.has(n.toLowerCase())));
  }

  /** `[name, value]` pairs in order. */
  pairs(): Array<[string, string]> {
    return this.fields.map((f) => [f.name, f.value]);
  }

  /** A plain object keyed by the original field names. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.pairs());
  }

  [Symbol.iterator](): Iterator<ControlField> {
    return this.fields[Symbol.iterator]();
  }

  /** The paragraph as deb822 text, each field ending in `\n`, no trailing blank line. */
  toString(): string {
    return formatControlParagraph(this);
  }
}

/** Serialises one paragraph: `Name: value` lines, continuation lines kept verbatim. */
export function formatControlParagraph(paragraph: ControlParagraph | Iterable<ControlField>): string {
  let text = "";
  for (const { name, value } of paragraph) {
    text += value === "" || value.startsWith("\n") ? `${name}:${value}\n` : `${name}: ${value}\n`;
  }
  return text;
}

/** Serialises paragraphs separated by one blank line, each followed by a blank line (the Packages style). */
export function formatControlParagraphs(paragraphs: Iterable<ControlParagraph>): string {
  let text = "";
  for (const paragraph of paragraphs) text += `${formatControlParagraph(paragraph)}\n`;
  return text;
}

/**
 * Parses deb822 text into paragraphs exactly as dpkg's parser does: paragraphs are separated by
 * empty lines; a field is `Name:` followed by a value whose continuation lines start with a
 * space or tab; whitespace after the colon and at the end of the value is dropped; a continuation
 * line made only of whitespace, a field name starting with `-`, a missing colon, a duplicate field
 * and a missing final newline are errors (`QUIPU_DEB_CONTROL_INVALID` with the line number).
 */
export function parseControlParagraphs(text: string, options: ControlParseOptions = {}): ControlParagraph[] {
  const file = options.file;
  const paragraphs: ControlParagraph[] = [];
  const n = text.length;
  let pos = 0;
  let line = 1;

  while (pos < n) {
    // Skip the empty lines between paragraphs.
    while (pos < n && text[pos] === "\n") {
      pos += 1;
      line += 1;
    }
    if (pos >= n) break;

    const pairs: Array<[string, string]> = [];
    const seen = new Set<string>();
    while (pos < n && text[pos] !== "\n") {
      const fieldLine = line;
      const nameStart = pos;
      while (pos < n && !isSpace(text[pos]) && text[pos] !== ":") pos += 1;
      const name = text.slice(nameStart, pos);
      if (name === "") throw controlInvalid("empty field name (a line starts with whitespace or a colon)", { file, line });
      if (name.startsWith("-")) throw controlInvalid(`field name '${name}' cannot start with a hyphen`, { file, line, field: name });
      while (pos < n && isSpace(text[pos])) {
        if (text[pos] === "\n") throw controlInvalid(`field name '${name}' must be followed by a colon`, { file, line, field: name });
        pos += 1;
      }
      if (pos >= n) throw controlInvalid(`end of data after field name '${name}'`, { file, line, field: name });
      if (text[pos] !== ":") throw controlInvalid(`field name '${name}' must be followed by a colon`, { file, line, field: name });
      pos += 1;
      while (pos < n && text[pos] !== "\n" && isSpace(text[pos])) pos += 1;
      if (pos >= n) throw controlInvalid(`end of data before the value of field '${name}' (missing final newline)`, { file, line, field: name });

      // The value runs to the first newline not followed by a space or tab.
      const valueStart = pos;
      for (;;) {
        const eol = text.indexOf("\n", pos);
        if (eol === -1) throw controlInvalid(`end of data in the value of field '${name}' (missing final newline)`, { file, line, field: name });
        line += 1;
        pos = eol + 1;
        if (pos >= n || !isSpace(text[pos]) || text[pos] === "\n") break;
        // A continuation line: it must hold something other than whitespace.
        const nextEol = text.indexOf("\n", pos);
        const continuation = text.slice(pos, nextEol === -1 ? n : nextEol);
        if (/^[ \t\v\f\r]*$/.test(continuation)) throw controlInvalid(`blank line in value of field '${name}'`, { file, line, field: name });
      }
      const value = text.slice(valueStart, pos).replace(TRAILING_SPACE, "");
      const key = name.toLowerCase();
      if (seen.has(key)) throw controlInvalid(`duplicate field '${name}'`, { file, line: fieldLine, field: name });
      seen.add(key);
      pairs.push([name, value]);
    }
    paragraphs.push(ControlParagraph.from(pairs, { file }));
  }
  return paragraphs;
}

/** Parses text that must hold exactly one paragraph. */
export function parseControlParagraph(text: string, options: ControlParseOptions = {}): ControlParagraph {
  const paragraphs = parseControlParagraphs(text, options);
  if (paragraphs.length !== 1) {
    throw controlInvalid(paragraphs.length === 0 ? "no paragraph found" : `expected one paragraph, found ${paragraphs.length}`, { file: options.file });
  }
  return paragraphs[0] as ControlParagraph;
}

/** Splits a multi-line value into its lines, without the leading space of continuation lines. */
export function controlValueLines(value: string): string[] {
  return value.split("\n").map((line, i) => (i === 0 ? line : line.slice(1)));
}
