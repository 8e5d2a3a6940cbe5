import { config, safeParse, type $ZodError, type $ZodType, type output } from "zod/v4/core";
import en from "zod/v4/locales/en.js";
import { QuipuError } from "./quipu-error.js";
import type { ErrorCode } from "./error-codes.js";

/** Formats zod issues as `path.to.field: message`, the form every quipu boundary reports. */
export function formatZodIssues(error: $ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
}

/*
 * English messages even when only `zod/mini` is loaded (the indexer's schemas use it so that a
 * command-line run does not load the whole of zod): the full `zod` sets this locale globally when
 * imported, `zod/mini` does not. A locale or error map the application configured wins.
 */
type ParseContext = { error: NonNullable<ReturnType<typeof en>["localeError"]> };
let english: ParseContext | undefined;
function parseContext(): ParseContext | undefined {
  const global = config();
  if (global.localeError !== undefined || global.customError !== undefined) return undefined;
  english ??= { error: en().localeError };
  return english;
}

/**
 * Parses `input` with `schema` (from `zod` or `zod/mini`), or throws one QuipuError listing every
 * problem at once. `what` names the input in the message ("chacra config", "queue item").
 */
export function parseOrThrow<S extends $ZodType>(
  schema: S,
  input: unknown,
  what: string,
  code: ErrorCode = "QUIPU_VALIDATION_FAILED",
): output<S> {
  const result = safeParse(schema, input, parseContext());
  if (result.success) return result.data;
  const issues = formatZodIssues(result.error);
  throw new QuipuError(code, `invalid ${what}: ${issues.join("; ")}`, {
    details: { what, issues },
    cause: result.error,
  });
}
