import { QuipuError } from "../../errors/quipu-error.js";

/** Why a signing key was refused (`details.reason` of `QUIPU_SIGNING_KEY_INVALID`). */
export type SigningKeyProblem =
  | "unreadable"
  | "several-keys"
  | "not-private"
  | "passphrase-required"
  | "wrong-passphrase"
  | "unsupported-key-version"
  | "revoked"
  | "expired"
  | "cannot-sign"
  | "weak-binding-hash"
  | "signing-failed";

/**
 * `QUIPU_SIGNING_KEY_INVALID`. `extra` may name public facts (fingerprint, hash algorithm); the
 * library's own message goes through `redact` first. Key text and passphrase never go in, and the
 * library error is not kept as `cause` (it may hold key objects).
 */
export function signingKeyInvalid(reason: SigningKeyProblem, message: string, extra: Record<string, unknown> = {}): QuipuError {
  return new QuipuError("QUIPU_SIGNING_KEY_INVALID", `repository signing key refused: ${message}`, {
    details: { reason, ...extra },
  });
}

/** `QUIPU_SIGNING_INPUT_INVALID`: the bytes or file list given to sign are unusable. */
export function signingInputInvalid(reason: string, extra: Record<string, unknown> = {}): QuipuError {
  return new QuipuError("QUIPU_SIGNING_INPUT_INVALID", `cannot sign: ${reason}`, { details: { reason, ...extra } });
}

/**
 * A library error message made safe to show: secrets removed, long base64-looking runs (armored
 * key or signature fragments) elided, length bounded.
 */
export function redact(message: string, secrets: readonly (string | undefined)[]): string {
  let text = message;
  for (const secret of secrets) if (secret !== undefined && secret !== "") text = text.split(secret).join("[redacted]");
  text = text.replace(/[A-Za-z0-9+/=]{24,}/g, "…");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
