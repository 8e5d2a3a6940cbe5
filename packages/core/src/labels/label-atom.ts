/**
 * Label atom names: when Jenkins writes them double-quoted inside an expression, and how its
 * `QuotedStringTokenizer` quotes and unquotes them. Mirrors `hudson.model.labels.LabelAtom.escape`
 * and `jenkins.model.Jenkins.checkGoodName`.
 */

// Characters `Jenkins.checkGoodName` refuses in any name.
const UNSAFE_NAME_CHARACTERS = "?*/\\%!@#$^&|<>[]:;";
// `LabelAtom.needsEscape` additionally quotes names containing these.
const LABEL_EXTRA_QUOTED_CHARACTERS = " ()\t\n";
// Characters the label lexer never accepts inside a bare atom. Jenkins does not quote atoms with `"`
// or `'`, so its canonical form of such an atom cannot be parsed back; quipu quotes them too so that
// every canonical form it prints parses again (a deliberate, documented deviation).
const NOT_BARE_ATOM_CHARACTERS = "&|!<>() \t\"'";

/** Java's `Character.isISOControl`: U+0000–U+001F and U+007F–U+009F. */
function isIsoControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/** Java's `String.trim`: strips every code unit ≤ U+0020 at both ends. */
function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

/**
 * True when `name` passes `Jenkins.checkGoodName` (current rules: non-empty, not `.` or `..`, no
 * control characters, none of `?*\/\\%!@#$^&|<>[]:;`, no trailing dot).
 */
export function isGoodJenkinsName(name: string): boolean {
  if (name.length === 0) return false;
  const trimmed = javaTrim(name);
  if (trimmed === "." || trimmed === "..") return false;
  for (let index = 0; index < name.length; index++) {
    if (isIsoControl(name.charCodeAt(index))) return false;
    if (UNSAFE_NAME_CHARACTERS.includes(name.charAt(index))) return false;
  }
  return !trimmed.endsWith(".");
}

/** True when an atom must be written double-quoted inside a label expression. */
export function labelAtomNeedsQuoting(name: string): boolean {
  if (!isGoodJenkinsName(name)) return true;
  for (let index = 0; index < name.length; index++) {
    const character = name.charAt(index);
    if (LABEL_EXTRA_QUOTED_CHARACTERS.includes(character)) return true;
    if (NOT_BARE_ATOM_CHARACTERS.includes(character)) return true;
  }
  return false;
}

/**
 * `QuotedStringTokenizer.quote`: wraps in double quotes and escapes `"`, `\`, newline, carriage
 * return, tab, form feed and backspace — exactly the escapes the label lexer accepts back.
 */
export function quoteLabelString(text: string): string {
  let quoted = '"';
  for (const character of text) {
    switch (character) {
      case '"': quoted += '\\"'; break;
      case "\\": quoted += "\\\\"; break;
      case "\n": quoted += "\\n"; break;
      case "\r": quoted += "\\r"; break;
      case "\t": quoted += "\\t"; break;
      case "\f": quoted += "\\f"; break;
      case "\b": quoted += "\\b"; break;
      default: quoted += character;
    }
  }
  return `${quoted}"`;
}

/** The canonical spelling of one atom inside an expression: bare when safe, else double-quoted. */
export function escapeLabelAtom(name: string): string {
  return labelAtomNeedsQuoting(name) ? quoteLabelString(name) : name;
}

/**
 * `QuotedStringTokenizer.unquote`: when `text` starts and ends with the same quote (`"` or `'`),
 * drops the quotes and resolves backslash escapes (`\n \r \t \f \b`, `\uXXXX`, any other character
 * stands for itself); otherwise returns `text` unchanged. Jenkins applies this before parsing a
 * label in `Jenkins.getLabel`.
 */
export function unquoteLabelString(text: string): string {
  if (text.length < 2) return text;
  const first = text.charAt(0);
  if (first !== text.charAt(text.length - 1) || (first !== '"' && first !== "'")) return text;
  let result = "";
  for (let index = 1; index < text.length - 1; index++) {
    const character = text.charAt(index);
    if (character !== "\\") {
      result += character;
      continue;
    }
    index++;
    // A trailing lone backslash sits just before the closing quote: Jenkins drops it.
    if (index >= text.length - 1) break;
    const escaped = text.charAt(index);
    switch (escaped) {
      case "n": result += "\n"; break;
      case "r": result += "\r"; break;
      case "t": result += "\t"; break;
      case "f": result += "\f"; break;
      case "b": result += "\b"; break;
      case "u": {
        const hex = text.slice(index + 1, index + 5);
        // Jenkins' own \u decoding is broken (wrong shifts, may read past the end); quipu decodes
        // a well-formed \uXXXX and keeps a malformed one as a literal "u".
        if (/^[0-9a-fA-F]{4}$/.test(hex) && index + 4 < text.length - 1) {
          result += String.fromCharCode(Number.parseInt(hex, 16));
          index += 4;
        } else {
          result += "u";
        }
        break;
      }
      default: result += escaped;
    }
  }
  return result;
}
