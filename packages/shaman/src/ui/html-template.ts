/**
 * A tagged template for HTML that escapes every interpolated value unless it is already
 * `SafeHtml` (the result of another `html` template). Pages are built only from these, so a
 * hostile ref, sha1 or `extra` value can never become markup.
 */

/** HTML that has been produced by `html` (or `unsafeRaw`) and may be inserted as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text (escaped), SafeHtml (inserted), lists of either, or nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((item: HtmlValue) => render(item)).join("");
  // `false` and nothing render as nothing, so `cond && html\`…\`` works inside templates.
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let index = 0; index < values.length; index++) out += render(values[index]) + (strings[index + 1] ?? "");
  return new SafeHtml(out);
}

/** Markup written by us (constant CSS, SVG built from numbers); never pass record values. */
export function unsafeRaw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** `/builds/ceph/main/` from segments; each segment is percent-encoded so it stays one segment. */
export function pathHref(...segments: readonly (string | number)[]): string {
  return `/${segments.map((segment) => encodeURIComponent(String(segment))).join("/")}${segments.length > 0 ? "/" : ""}`;
}

/**
 * The URL when it is an absolute http(s) URL, else undefined: record URLs come from build
 * scripts, and a `javascript:` URL must never become a clickable link. Any `user:key@` is
 * dropped, because credentials must never appear on a page.
 */
export function externalHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
    parsed.username = "";
    parsed.password = "";
    return parsed.href;
  } catch {
    return undefined;
  }
}
