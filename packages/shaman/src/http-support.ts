/**
 * HTTP plumbing of shaman's routes: Basic auth against several users, path segments that are safe
 * by construction, and errors as JSON `{"message": …, "error": {code, message, details}}` —
 * except where the original answered text (`/api/nodes/next/` 404, the 504 of redirects).
 * (chacra has the same helpers; daemon packages do not depend on each other.)
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { QuipuError, errorCodes, isErrorCode, isQuipuError, safeSegmentProblem, type Logger } from "@quipu/core";

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

export function authRequired(realm: string): Response {
  return jsonError(new QuipuError("QUIPU_AUTH_REQUIRED", "authentication required: use HTTP Basic with an API user and key"), {
    "WWW-Authenticate": `Basic realm="${realm}"`,
  });
}

/**
 * The decoded segments of `pathname` after `prefix` (`/api/repos/`), without the trailing empty
 * one. An empty, dot or otherwise unsafe segment is a 400.
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

export function jsonError(error: unknown, headers: Record<string, string> = {}, logger?: Logger): Response {
  if (!isQuipuError(error)) {
    logger?.error({ event: "internal-error", err: error }, "unexpected error");
    return json({ message: "internal server error", error: { code: "QUIPU_INTERNAL", message: "internal server error", details: {} } }, 500, headers);
  }
  return json({ message: error.message, error: { code: error.code, message: error.message, details: error.details ?? {} } }, statusOf(error), headers);
}

/**
 * Reads a JSON object body; 400 on anything else, 413 above `maxBytes`. With `allowEmpty` an
 * empty body is `{}` (chacra registers with `{}`, curl users often with nothing).
 */
export async function readJsonObject(request: Request, options: { maxBytes?: number; allowEmpty?: boolean } = {}): Promise<Record<string, unknown>> {
  const maxBytes = options.maxBytes ?? 1 << 20;
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    throw new QuipuError("QUIPU_HTTP_BODY_TOO_LARGE", `JSON body larger than ${maxBytes} bytes`, { details: { limit: maxBytes } });
  }
  const body = await request.text();
  if (Buffer.byteLength(body) > maxBytes) {
    throw new QuipuError("QUIPU_HTTP_BODY_TOO_LARGE", `JSON body larger than ${maxBytes} bytes`, { details: { limit: maxBytes } });
  }
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
