/**
 * HTTP plumbing shared by the daemons' routes (fetch-API `Request`/`Response`, any router):
 * Basic auth against several users, path segments that are safe by construction, JSON bodies, and
 * errors as JSON whose status comes from the error-code registry. The error body is
 * `{"message": …, "error": {code, message, details}}`: quipu's error object, plus the top-level
 * `message` that the original chacra and shaman answered with and their clients print.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { errorCodes, isErrorCode } from "../../errors/error-codes.js";
import { QuipuError, isQuipuError } from "../../errors/quipu-error.js";
import { safeSegmentProblem } from "../../model/names.js";
import type { Logger } from "../../ports/logger.js";

/** One user allowed to write: a daemon's `apiUser`/`apiKey` or an entry of its `users`. */
export interface ApiUser {
  readonly user: string;
  readonly key: string;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** True when `authorization` carries Basic credentials of one of `users` (compared in constant time). */
export function isAuthorized(authorization: string | undefined | null, users: readonly ApiUser[]): boolean {
  if (!authorization || !/^basic /i.test(authorization)) return false;
  const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const user = digest(decoded.slice(0, colon));
  const key = digest(decoded.slice(colon + 1));
  let match = false;
  for (const candidate of users) {
    // Compare every user, so timing does not tell which user names exist.
    const sameUser = timingSafeEqual(user, digest(candidate.user));
    const sameKey = timingSafeEqual(key, digest(candidate.key));
    match = match || (sameUser && sameKey);
  }
  return match;
}

/** The 401 asking for Basic credentials in `realm` (each daemon keeps its original's realm). */
export function authRequired(realm: string): Response {
  return jsonError(new QuipuError("QUIPU_AUTH_REQUIRED", "authentication required: use HTTP Basic with an API user and key"), {
    "WWW-Authenticate": `Basic realm="${realm}"`,
  });
}

/**
 * The decoded segments of `pathname` after `prefix` (`/binaries/`), without the trailing empty
 * one. A segment that is empty, a dot segment, or otherwise unsafe is a 400, never a path on disk.
 */
export function pathSegments(pathname: string, prefix: string): string[] {
  const rest = pathname.slice(prefix.length);
  if (rest === "") return [];
  const raw = rest.endsWith("/") ? rest.slice(0, -1).split("/") : rest.split("/");
  return raw.map((part) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      throw new QuipuError("QUIPU_MODEL_INVALID_NAME", "invalid path segment: bad percent-encoding", {
        details: { what: "path segment", value: part.slice(0, 300), problem: "bad percent-encoding" },
      });
    }
    const problem = safeSegmentProblem(decoded);
    if (problem !== null) {
      throw new QuipuError("QUIPU_MODEL_INVALID_NAME", `invalid path segment: ${problem}`, {
        details: { what: "path segment", value: decoded.slice(0, 300), problem },
      });
    }
    return decoded;
  });
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

export function methodNotAllowed(method: string, path: string): Response {
  return jsonError(new QuipuError("QUIPU_HTTP_METHOD_NOT_ALLOWED", `method ${method} not allowed on ${path}`, { details: { method, path } }));
}

export function notFound(path: string, what = "resource"): Response {
  return jsonError(new QuipuError("QUIPU_HTTP_NOT_FOUND", `${what} not found`, { details: { path } }));
}

/** The HTTP status for an error code (from the registry), 500 for anything unknown. */
export function statusOf(error: unknown): number {
  if (isQuipuError(error) && isErrorCode(error.code)) return errorCodes[error.code].status;
  return 500;
}

/**
 * The JSON answer for `error`: a QuipuError with its registry status and details; anything else a
 * 500 that says nothing about it (it goes to `logger` instead).
 */
export function jsonError(error: unknown, headers: Record<string, string> = {}, logger?: Logger): Response {
  if (!isQuipuError(error)) {
    logger?.error({ event: "internal-error", err: error }, "unexpected error");
    return json({ message: "internal server error", error: { code: "QUIPU_INTERNAL", message: "internal server error", details: {} } }, 500, headers);
  }
  return json({ message: error.message, error: { code: error.code, message: error.message, details: error.details ?? {} } }, statusOf(error), headers);
}

export interface ReadJsonObjectOptions {
  /** Default 1 MiB; a larger body (declared or sent) is a 413. */
  readonly maxBytes?: number | undefined;
  /** An empty body reads as `{}` instead of a 400. */
  readonly allowEmpty?: boolean | undefined;
}

/** Reads a JSON object body; 400 on anything else, 413 above `maxBytes`. */
export async function readJsonObject(request: Request, options: ReadJsonObjectOptions = {}): Promise<Record<string, unknown>> {
  const maxBytes = options.maxBytes ?? 1 << 20;
  const tooLarge = () => new QuipuError("QUIPU_HTTP_BODY_TOO_LARGE", `JSON body larger than ${maxBytes} bytes`, { details: { limit: maxBytes } });
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge();
  const body = await request.text();
  if (Buffer.byteLength(body) > maxBytes) throw tooLarge();
  if (body.trim() === "" && options.allowEmpty) return {};
  let value: unknown;
  try {
    value = body.trim() === "" ? undefined : JSON.parse(body);
  } catch (error) {
    throw new QuipuError("QUIPU_HTTP_BODY_INVALID", `malformed JSON body: ${(error as Error).message}`, { details: { reason: "malformed JSON" } });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new QuipuError("QUIPU_HTTP_BODY_INVALID", "the body must be a JSON object", {
      details: { reason: value === undefined ? "empty body" : "not a JSON object" },
    });
  }
  return value as Record<string, unknown>;
}
