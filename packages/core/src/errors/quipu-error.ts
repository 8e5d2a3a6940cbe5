import { errorCodes, type ErrorCode } from "./error-codes.js";

export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface QuipuErrorOptions {
  details?: ErrorDetails;
  cause?: unknown;
}

/**
 * The one error type of quipu. Match on `code` (stable, documented in docs/errors.md), not on
 * `instanceof`: two copies of the package in one process would defeat `instanceof`.
 */
export class QuipuError extends Error {
  override readonly name = "QuipuError";
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: QuipuErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** HTTP status a daemon should answer with. */
  get status(): number {
    return errorCodes[this.code].status;
  }

  /** Whether retrying the same call later may succeed. */
  get transient(): boolean {
    return errorCodes[this.code].transient;
  }

  /** The wire shape `{ code, message, details }` used in HTTP error bodies. */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `error` is a QuipuError (optionally with the given code), across package copies. */
export function isQuipuError(error: unknown, code?: ErrorCode): error is QuipuError {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  if (candidate.name !== "QuipuError" || typeof candidate.code !== "string") return false;
  return code === undefined || candidate.code === code;
}
