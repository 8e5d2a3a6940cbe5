import { z } from "zod";
import { QuipuError } from "../errors/quipu-error.js";
import { valueForDetails } from "./error-value.js";

/**
 * Words that may stand where a sha1 goes, depending on the endpoint:
 * - `head`: chacra's default sha1 when a binary is uploaded without one (it is stored as is);
 * - `latest`: shaman resolves it to the newest sha1 with a matching ready repo (queries only).
 * Full 40-character ids only: abbreviated ids are ambiguous and the originals never accept them.
 */
export const SHA1_ALIASES = ["head", "latest"] as const;
export type Sha1Alias = (typeof SHA1_ALIASES)[number];

const SHA1_PATTERN = /^[0-9a-fA-F]{40}$/;

/** True for a full 40-hex sha1 (any case). */
export function isSha1(value: unknown): value is string {
  return typeof value === "string" && SHA1_PATTERN.test(value);
}

/** A full commit sha1; uppercase input is lowercased so equal ids compare equal. */
export const Sha1Schema = z
  .string()
  .regex(SHA1_PATTERN, "sha1 must be 40 hexadecimal characters")
  .overwrite((value) => value.toLowerCase());

/** A sha1 or one of `allow` (any case, output lowercased). */
export function sha1Schema(allow: readonly Sha1Alias[] = []): z.ZodString {
  const message =
    allow.length === 0
      ? "sha1 must be 40 hexadecimal characters"
      : `sha1 must be 40 hexadecimal characters or one of: ${allow.join(", ")}`;
  return z
    .string()
    .overwrite((value) => value.toLowerCase())
    .refine((value) => SHA1_PATTERN.test(value) || (allow as readonly string[]).includes(value), message);
}

/** The sha1 of a stored binary or repo: a sha1 or chacra's default `head`. */
export const StoredSha1Schema = sha1Schema(["head"]);

/** A sha1 in a lookup path or search: a sha1, `head`, or `latest` (resolved by shaman). */
export const Sha1RefSchema = sha1Schema(["head", "latest"]);

export interface ParseSha1Options {
  /** Aliases accepted besides a full sha1 (none by default). */
  allow?: readonly Sha1Alias[];
}

/**
 * Returns `value` lowercased when it is a full sha1 or an allowed alias; otherwise throws
 * QUIPU_MODEL_INVALID_SHA1 with details `{ value, allowed }`.
 */
export function parseSha1(value: unknown, options: ParseSha1Options = {}): string {
  const allow = options.allow ?? [];
  if (typeof value === "string") {
    const lowered = value.toLowerCase();
    if (SHA1_PATTERN.test(lowered) || (allow as readonly string[]).includes(lowered)) return lowered;
  }
  const expected = allow.length === 0 ? "40 hexadecimal characters" : `40 hexadecimal characters or ${allow.join("/")}`;
  throw new QuipuError("QUIPU_MODEL_INVALID_SHA1", `invalid sha1: expected ${expected}`, {
    details: { value: valueForDetails(value), allowed: [...allow] },
  });
}
