/**
 * Which values are secrets, and how to keep them out of messages. Shared by config errors (core)
 * and daemon logs (the `@quipu/core/daemon` adapter), so both hide the same things. Unlike
 * `scrubSecrets` (provider and SSH text), URL credentials keep their user name: operators need it.
 */
import { REDACTED, secretVariants } from "../provisioning/scrub-secrets.js";

// Names that hold secrets. Names ending in File/Path/Dir/Url name where something is, not the
// secret itself (`signKeyFile`), so they stay readable in errors.
const SECRET_NAME = /key|passw(?:or)?d|token|secret|authorization|cookie|credential/i;
const PLACE_NAME = /(?:file|path|dir|url)$/i;

/** True when an option or field called `name` holds a secret (`apiKey`, `password`, `authorization`). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !PLACE_NAME.test(name);
}

// scheme://user:password@ — the password part up to the `@` (no slash, space or quote in between).
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s"'/@:]*:)[^\s"'/@]*@/gi;

/** Hides the password of every `scheme://user:password@host` in `text`, keeping the user. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}

/** The password of a URL with credentials, or undefined. */
function urlPassword(text: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:([^\s/@]*)@/i.exec(text);
  return match?.[1] === undefined || match[1] === "" ? undefined : match[1];
}

/**
 * Collects the secret strings inside `value`: strings under secret-named keys at any depth, and
 * passwords of URLs with credentials. Used to scrub messages that might echo them.
 */
export function collectSecrets(value: unknown, into: Set<string> = new Set(), underSecretName = false): Set<string> {
  if (typeof value === "string") {
    if (underSecretName && value !== "") into.add(value);
    const password = urlPassword(value);
    if (password !== undefined) {
      into.add(password);
      // The percent-decoded form may also show up once a URL has been parsed.
      try {
        into.add(decodeURIComponent(password));
      } catch {
        // not valid percent-encoding: the raw form is enough
      }
    }
    return into;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, into, underSecretName);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) collectSecrets(item, into, underSecretName || isSecretName(key));
  }
  return into;
}

// Very short secrets would turn ordinary words into "[redacted]"; the structural rules above
// already keep them out of the messages we write.
const MIN_HIDDEN_LENGTH = 4;

/**
 * Replaces every occurrence of the given secrets (and their URL-encoded and JSON-escaped forms) in
 * `text`, and URL passwords, with `[redacted]`.
 */
export function hideSecretValues(text: string, secrets: Iterable<string>): string {
  let result = redactUrlCredentials(text);
  const long = [...secrets].filter((secret) => secret.length >= MIN_HIDDEN_LENGTH);
  for (const variant of secretVariants(long).sort((a, b) => b.length - a.length)) result = result.split(variant).join(REDACTED);
  return result;
}
