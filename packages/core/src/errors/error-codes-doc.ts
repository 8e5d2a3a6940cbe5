import { errorCodes, type ErrorCodeInfo } from "./error-codes.js";

/**
 * Renders docs/errors.md from the registry, so the document can be regenerated
 * (`pnpm docs:errors`) and a test can check that it is in step.
 */
export function renderErrorCodesMarkdown(codes: Readonly<Record<string, ErrorCodeInfo>> = errorCodes): string {
  const byArea = new Map<string, [string, ErrorCodeInfo][]>();
  for (const [code, info] of Object.entries(codes)) {
    const list = byArea.get(info.area) ?? [];
    list.push([code, info]);
    byArea.set(info.area, list);
  }
  const lines = [
    "# Error codes",
    "",
    "Every error quipu raises is a `QuipuError` with one of these stable codes. Match on `code`, never on",
    "the message. Daemons answer with the HTTP status shown and the body",
    '`{ "error": { "code", "message", "details" } }` unless the original API\'s wire format says otherwise.',
    "A transient error may succeed when retried later; a permanent one will not.",
    "",
    "This file is generated from `packages/core/src/errors/error-codes.ts` by `pnpm docs:errors`;",
    "a test fails when the two differ.",
    "",
  ];
  for (const [area, entries] of byArea) {
    lines.push(`## ${area}`, "", "| code | HTTP | transient | meaning |", "|---|---|---|---|");
    for (const [code, info] of entries) {
      lines.push(`| \`${code}\` | ${info.status} | ${info.transient ? "yes" : "no"} | ${info.description.replaceAll("|", "\\|")} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
