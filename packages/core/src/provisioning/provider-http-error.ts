import type { ErrorCode } from "../errors/error-codes.js";
import { QuipuError } from "../errors/quipu-error.js";
import { scrubSecrets, truncateText } from "./scrub-secrets.js";

export interface ProviderHttpErrorContext {
  /** Adapter name for the message (`openstack`). */
  provider?: string;
  /** What was being done (`create`, `GET /servers/detail`); never a full URL with credentials. */
  operation?: string;
  /** The machine id, reported in `details.id` on 404. */
  id?: string;
  /** Credential strings (passwords, tokens, API keys) to redact from the body excerpt. */
  secrets?: readonly string[];
}

/** The longest body excerpt kept in a message; enough for any provider's error sentence. */
export const MAX_PROVIDER_BODY_EXCERPT = 300;

const QUOTA_WORDING = /quota|limit exceeded|exceeds? (?:the )?(?:maximum|limit)|insufficient ?capacity|resource_limit_exceeded/i;
const ALREADY_EXISTS_WORDING = /already exists|already (?:in use|used|taken)|duplicate|uniqueness|not unique|name.{0,20}taken/i;
// Nova answers 409 while a server is busy (`Cannot 'delete' instance … while it is in task_state …`).
const BUSY_WORDING = /task_state|vm_state|locked|in progress|try again/i;

/**
 * Turns a failed provider HTTP response into the QuipuError the port promises:
 *
 * | status                         | code |
 * |--------------------------------|------|
 * | 401                            | QUIPU_PROVIDER_AUTH_FAILED |
 * | 403 mentioning a quota/limit   | QUIPU_PROVIDER_QUOTA_EXCEEDED (Nova: "Quota exceeded for instances…") |
 * | 403 otherwise                  | QUIPU_PROVIDER_AUTH_FAILED (policy refuses these credentials) |
 * | 404                            | QUIPU_PROVIDER_NOT_FOUND |
 * | 408, 425, 429                  | QUIPU_PROVIDER_TRANSIENT |
 * | 409 mentioning existence       | QUIPU_PROVIDER_ALREADY_EXISTS |
 * | 409 mentioning a quota         | QUIPU_PROVIDER_QUOTA_EXCEEDED |
 * | 409 while busy (task_state…)   | QUIPU_PROVIDER_TRANSIENT |
 * | 409 otherwise                  | QUIPU_PROVIDER_PERMANENT (Nova: "Multiple possible networks found") |
 * | 413                            | QUIPU_PROVIDER_QUOTA_EXCEEDED (Nova's legacy `overLimit`) |
 * | 501                            | QUIPU_PROVIDER_UNSUPPORTED |
 * | other 5xx                      | QUIPU_PROVIDER_TRANSIENT |
 * | other 4xx and anything else    | QUIPU_PROVIDER_PERMANENT (bad image, flavor, rejected request) |
 *
 * The message quotes the provider's own error sentence (from Nova/Keystone/Cinder-style JSON, a
 * generic `message`/`error` field, or the text of an HTML page), scrubbed of the configured
 * secrets and of anything credential-shaped, then cut to 300 characters. Request headers are never
 * an input, so an Authorization header cannot end up in the error.
 */
export function classifyProviderHttpError(
  status: number,
  bodyText: string,
  context: ProviderHttpErrorContext = {},
): QuipuError {
  const text = scrubSecrets(providerErrorText(bodyText), context.secrets);
  // Classified on the whole body too: some providers put the telling word only in a code field
  // (Hetzner `"code":"uniqueness_error"`). The raw body never reaches the error itself.
  const code = providerErrorCode(status, `${text}\n${bodyText}`);
  const excerpt = truncateText(text, MAX_PROVIDER_BODY_EXCERPT);
  const who = context.provider ?? "provider";
  const what = context.operation ? ` ${context.operation}` : "";
  const subject =
    code === "QUIPU_PROVIDER_NOT_FOUND" && context.id !== undefined ? `: no machine with id ${context.id}` : "";
  const message = `${who}${what} failed with HTTP ${status}${subject}${excerpt ? `: ${excerpt}` : ""}`;
  const details: Record<string, unknown> = { status, body: excerpt };
  if (context.provider !== undefined) details.provider = context.provider;
  if (context.operation !== undefined) details.operation = context.operation;
  if (context.id !== undefined) details.id = context.id;
  return new QuipuError(code, message, { details });
}

function providerErrorCode(status: number, text: string): ErrorCode {
  if (status === 401) return "QUIPU_PROVIDER_AUTH_FAILED";
  if (status === 403) return QUOTA_WORDING.test(text) ? "QUIPU_PROVIDER_QUOTA_EXCEEDED" : "QUIPU_PROVIDER_AUTH_FAILED";
  if (status === 404) return "QUIPU_PROVIDER_NOT_FOUND";
  if (status === 408 || status === 425 || status === 429) return "QUIPU_PROVIDER_TRANSIENT";
  if (status === 409) {
    if (ALREADY_EXISTS_WORDING.test(text)) return "QUIPU_PROVIDER_ALREADY_EXISTS";
    if (QUOTA_WORDING.test(text)) return "QUIPU_PROVIDER_QUOTA_EXCEEDED";
    if (BUSY_WORDING.test(text)) return "QUIPU_PROVIDER_TRANSIENT";
    return "QUIPU_PROVIDER_PERMANENT";
  }
  if (status === 413) return "QUIPU_PROVIDER_QUOTA_EXCEEDED";
  if (status === 501) return "QUIPU_PROVIDER_UNSUPPORTED";
  if (status >= 500 && status <= 599) return "QUIPU_PROVIDER_TRANSIENT";
  return "QUIPU_PROVIDER_PERMANENT";
}

/**
 * The provider's own error sentence from a response body: the `message` of Nova-style
 * `{"itemNotFound":{"code":404,"message":…}}`, Keystone/Hetzner `{"error":{"message":…}}`,
 * `{"error":"…"}`, `{"message":…}`, `{"errors":[…]}`, EC2 XML `<Message>`, else the body's text
 * with HTML tags dropped and whitespace collapsed.
 */
export function providerErrorText(bodyText: string): string {
  const trimmed = bodyText.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      const fromJson = messageFromJson(JSON.parse(trimmed) as unknown, 0);
      if (fromJson) return collapseWhitespace(fromJson);
    } catch {
      // Not JSON after all: fall through to plain text.
    }
  }
  const xmlMessage = /<Message>([\s\S]*?)<\/Message>/i.exec(trimmed);
  if (xmlMessage?.[1]) return collapseWhitespace(xmlMessage[1]);
  return collapseWhitespace(
    trimmed
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
      .replace(/<[^>]*>/g, " ")
      .replace(/&nbsp;/g, " ")
      .replace(/&amp;/g, "&")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">"),
  );
}

function messageFromJson(value: unknown, depth: number): string | undefined {
  if (depth > 3) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    const messages = value.map((item) => messageFromJson(item, depth + 1)).filter((m): m is string => !!m);
    return messages.length > 0 ? messages.join("; ") : undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of ["message", "error_description", "detail", "error", "errors", "description"]) {
    const found = messageFromJson(record[key], depth + 1);
    if (found) return found;
  }
  // Nova wraps the error in one key named after its kind (`badRequest`, `forbidden`, `itemNotFound`).
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] !== undefined) return messageFromJson(record[keys[0]], depth + 1);
  return undefined;
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
