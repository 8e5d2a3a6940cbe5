/**
 * Removes credentials from text that is about to enter an error message, error details or a log
 * line. Provider and SSH errors quote bodies and stderr written by other software, which sometimes
 * echoes the request back (a proxy's error page, a debug-mode API, a shell `set -x`), so every such
 * excerpt goes through here before it leaves an adapter.
 */

export const REDACTED = "[redacted]";

// Header-style credentials: `Authorization: Bearer …`, `X-Auth-Token: …`, `Cookie: …`.
const CREDENTIAL_HEADER =
  /\b(authorization|proxy-authorization|x-auth-token|x-subject-token|x-api-key|api-key|cookie|set-cookie)(["']?\s*[:=]\s*)(?!"?\[redacted\])("[^"\r\n]*"|[^\r\n,;]+)/gi;
// Scheme-prefixed tokens that appear without their header name.
const AUTH_SCHEME_TOKEN = /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]{6,}/g;
// `"password": "…"`, `secret=…`, `adminPass: …` in JSON, query strings, YAML and logs.
const CREDENTIAL_FIELD =
  /(["']?\b(?:password|passwd|passphrase|secret|client_secret|token|access_token|refresh_token|auth_token|api_?key|access_?key(?:_id)?|secret_?access_?key|private_?key|adminPass|credentials?)["']?\s*[:=]\s*)(?!"?\[redacted\])("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,&;}\]]+)/gi;
// Legacy duffy and some CI APIs pass the key as `?key=`.
const KEY_QUERY_PARAMETER = /([?&]key=)[^&\s#"']+/gi;
// `https://user:password@host/` — keep the scheme and host, drop the userinfo.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/**
 * Returns `text` with every configured secret (and its URL-encoded and JSON-escaped forms) replaced
 * by `[redacted]`, and with credential-looking headers, fields, URL userinfo and PEM private keys
 * redacted even when they were not configured. Empty secrets are ignored.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text;
  // Longest first, so a secret that contains another one is removed whole.
  const variants = secretVariants(secrets).sort((a, b) => b.length - a.length);
  for (const variant of variants) scrubbed = scrubbed.split(variant).join(REDACTED);
  return scrubbed
    .replace(PEM_PRIVATE_KEY, `${REDACTED} private key`)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(CREDENTIAL_HEADER, `$1$2${REDACTED}`)
    .replace(AUTH_SCHEME_TOKEN, `$1 ${REDACTED}`)
    .replace(CREDENTIAL_FIELD, `$1"${REDACTED}"`)
    .replace(KEY_QUERY_PARAMETER, `$1${REDACTED}`);
}

/** The forms a secret takes when it is embedded in a URL or a JSON string. */
export function secretVariants(secrets: readonly string[]): string[] {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...variants];
}

/** Shortens `text` to `maxLength` characters, marking the cut; scrub before cutting, never after. */
export function truncateText(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, Math.max(0, maxLength - 1))}…`;
}

/** Keeps the last `maxLength` characters (stderr tails), marking the cut. */
export function tailText(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `…${text.slice(text.length - Math.max(0, maxLength - 1))}`;
}
