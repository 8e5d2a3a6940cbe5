/**
 * How chacra talks to shaman (callbacks, self-registration): the shaman URL may carry Basic
 * credentials (`http://user:key@shaman/`, daemon contract §3). They are split off once, travel only
 * in the Authorization header, and are scrubbed from anything shaman echoes back, so no URL,
 * message or log line built here holds them.
 */
import { QuipuError, scrubSecrets, truncateText } from "@quipu/core";

export interface ShamanEndpoint {
  /** shaman's base URL without credentials, query or fragment, ending in `/`. */
  readonly base: URL;
  /** `Basic …` when the URL carried credentials. */
  readonly authorization: string | undefined;
  /** The forms the credentials may take in text (key, token), for scrubbing echoes. */
  readonly secrets: readonly string[];
}

/** Splits `user:key@` off shaman's URL. Throws QUIPU_VALIDATION_FAILED (without the URL) when it is not http(s). */
export function parseShamanUrl(url: string | URL): ShamanEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    // The message must not quote the input: it may hold the credentials.
    throw new QuipuError("QUIPU_VALIDATION_FAILED", "invalid shaman URL: not an absolute URL", {
      details: { what: "shaman URL", issues: ["shamanUrl: must be an absolute http(s) URL"] },
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new QuipuError("QUIPU_VALIDATION_FAILED", "invalid shaman URL: must be http or https", {
      details: { what: "shaman URL", issues: [`shamanUrl: protocol ${parsed.protocol} is not http(s)`] },
    });
  }
  const user = decodeURIComponent(parsed.username);
  const key = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  parsed.search = "";
  parsed.hash = "";
  if (!parsed.pathname.endsWith("/")) parsed.pathname = `${parsed.pathname}/`;
  if (user === "") return { base: parsed, authorization: undefined, secrets: [] };
  const token = Buffer.from(`${user}:${key}`, "utf8").toString("base64");
  return { base: parsed, authorization: `Basic ${token}`, secrets: [key, token].filter((secret) => secret !== "") };
}

export type ShamanPostResult =
  | { readonly ok: true; readonly status: number }
  /** shaman answered with an error status; `message` is its body's message, scrubbed and shortened. */
  | { readonly ok: false; readonly kind: "http"; readonly status: number; readonly message: string }
  /** No answer: connection refused or reset, DNS, TLS, or `timeoutMs` passed. */
  | { readonly ok: false; readonly kind: "unreachable" | "timeout"; readonly reason: string }
  /** The caller's signal aborted the request (shutdown): nothing is known about delivery. */
  | { readonly ok: false; readonly kind: "aborted" };

export interface ShamanPostOptions {
  readonly endpoint: ShamanEndpoint;
  /** Relative to the base URL (`api/repos/ceph/`). */
  readonly path: string;
  readonly body: unknown;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

const MESSAGE_LIMIT = 300;

/** POSTs `body` as JSON; never throws for network or HTTP failures — the caller decides what they mean. */
export async function postJsonToShaman(options: ShamanPostOptions): Promise<ShamanPostResult> {
  const { endpoint } = options;
  const target = new URL(options.path, endpoint.base);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await options.fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        "user-agent": "quipu-chacra",
        ...(endpoint.authorization === undefined ? {} : { authorization: endpoint.authorization }),
      },
      body: JSON.stringify(options.body),
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) return { ok: false, kind: "aborted" };
    if (timeout.aborted) return { ok: false, kind: "timeout", reason: `no answer within ${options.timeoutMs} ms` };
    return { ok: false, kind: "unreachable", reason: networkReason(error, endpoint.secrets) };
  }
  let text = "";
  try {
    text = await response.text();
  } catch {
    // The status is what matters; a body cut short by the peer changes nothing.
  }
  if (response.ok) return { ok: true, status: response.status };
  return { ok: false, kind: "http", status: response.status, message: bodyMessage(text, endpoint.secrets) };
}

/** The system error behind a failed fetch (`ECONNREFUSED`, `ENOTFOUND`, …), credentials removed. */
function networkReason(error: unknown, secrets: readonly string[]): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  const text = typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
  return truncateText(scrubSecrets(text, secrets), MESSAGE_LIMIT);
}

/** shaman's `{"message": …}` (or quipu's `{"error": {"message"}}`), else the start of the body. */
function bodyMessage(text: string, secrets: readonly string[]): string {
  let message = text.trim();
  try {
    const value = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } } | null;
    if (typeof value?.message === "string") message = value.message;
    else if (typeof value?.error?.message === "string") message = value.error.message;
  } catch {
    // not JSON: keep the text
  }
  return truncateText(scrubSecrets(message, secrets), MESSAGE_LIMIT);
}

/** `url` with any userinfo removed, for messages and logs. */
export function withoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}
