/**
 * Escaping for hand-built XML, byte-compatible with what createrepo_c gets from libxml2's
 * `xmlNodeDump` (no document, UTF-8 output):
 * - text: `&` `<` `>` become entities and CR becomes `&#13;`; everything else is written as is;
 * - attributes: also `"`, TAB, LF and CR as `&quot;` `&#9;` `&#10;` `&#13;`, and every non-ASCII
 *   character as an uppercase hexadecimal character reference (`é` → `&#xE9;`).
 *
 * Characters XML 1.0 forbids (C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF, unpaired
 * surrogates) are removed. createrepo_c instead refuses a package carrying them ("Forbidden control
 * chars found") and leaves it out of the repository; dropping the characters keeps the package.
 */

const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const TEXT_SPECIAL = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/;
const ATTR_SPECIAL = /[&<>"\u0000-\u001f\u007f-\uffff]/;

/** Removes characters that cannot appear in an XML 1.0 document. */
export function stripInvalidXmlChars(value: string): string {
  return value.replace(INVALID_XML, "");
}

/** Escapes character data (element content). */
export function escapeXmlText(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  const clean = stripInvalidXmlChars(value);
  let out = "";
  let last = 0;
  for (let i = 0; i < clean.length; i++) {
    let rep: string;
    switch (clean.charCodeAt(i)) {
      case 0x26:
        rep = "&amp;";
        break;
      case 0x3c:
        rep = "&lt;";
        break;
      case 0x3e:
        rep = "&gt;";
        break;
      case 0x0d:
        rep = "&#13;";
        break;
      default:
        continue;
    }
    out += clean.slice(last, i) + rep;
    last = i + 1;
  }
  return out + clean.slice(last);
}

/** Escapes an attribute value (to be written between double quotes). */
export function escapeXmlAttribute(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  const clean = stripInvalidXmlChars(value);
  let out = "";
  let last = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    let rep: string;
    if (c < 0x80) {
      switch (c) {
        case 0x26:
          rep = "&amp;";
          break;
        case 0x3c:
          rep = "&lt;";
          break;
        case 0x3e:
          rep = "&gt;";
          break;
        case 0x22:
          rep = "&quot;";
          break;
        case 0x09:
          rep = "&#9;";
          break;
        case 0x0a:
          rep = "&#10;";
          break;
        case 0x0d:
          rep = "&#13;";
          break;
        default:
          continue;
      }
      out += clean.slice(last, i) + rep;
      last = i + 1;
      continue;
    }
    const cp = clean.codePointAt(i)!;
    out += `${clean.slice(last, i)}&#x${cp.toString(16).toUpperCase()};`;
    if (cp > 0xffff) i++;
    last = i + 1;
  }
  return out + clean.slice(last);
}

/** The declaration createrepo_c writes at the top of every metadata file. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
