import type { z } from "zod";
import { QuipuError } from "./quipu-error.js";
import type { ErrorCode } from "./error-codes.js";

/** Formats zod issues as `path.to.field: message`, the form every quipu boundary reports. */
export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
}

/**
 * Parses `input` with `schema`, or throws one QuipuError listing every problem at once.
 * `what` names the input in the message ("chacra config", "queue item").
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  code: ErrorCode = "QUIPU_VALIDATION_FAILED",
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = formatZodIssues(result.error);
  throw new QuipuError(code, `invalid ${what}: ${issues.join("; ")}`, {
    details: { what, issues },
    cause: result.error,
  });
}
