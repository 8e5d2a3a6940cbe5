import { signingInputInvalid } from "./signing-errors.js";

const BEGIN_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----";
const BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";

/**
 * The text of a Release file as it goes into a clear signature: UTF-8, no carriage return or NUL
 * (the armor could not carry them faithfully), and without its final newline — in a clear
 * signature the line break before `-----BEGIN PGP SIGNATURE-----` belongs to the armor, so a file
 * ending in "\n" is written as its lines and nothing more (what `gpg --clearsign` does, and what
 * apt's `SplitClearSignedFile` reads back: the lines joined by "\n").
 */
export function clearSignableText(release: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(release);
  } catch {
    throw signingInputInvalid("the Release file is not UTF-8 text");
  }
  if (text.startsWith("\uFEFF")) throw signingInputInvalid("the Release file starts with a byte order mark");
  const bad = /[\r\0]/.exec(text);
  if (bad) {
    throw signingInputInvalid(`the Release file holds a ${bad[0] === "\r" ? "carriage return" : "NUL byte"}, which a clear signature cannot carry`, {
      offset: new TextEncoder().encode(text.slice(0, bad.index)).length,
    });
  }
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  if (body.trim() === "") throw signingInputInvalid("the Release file is empty");
  return body;
}

/** RFC 4880 §7.1 dash-escaping: every line that starts with "-" gets a "- " prefix. */
export function dashEscape(text: string): string {
  return text.replace(/^-/gm, "- -");
}

/**
 * A clear-signed message in the exact shape apt accepts: the `BEGIN PGP SIGNED MESSAGE` line
 * first, one `Hash:` header, a blank line, the dash-escaped text, then the armored signature
 * ending in `-----END PGP SIGNATURE-----\n` and nothing after it (apt warns about, and newer
 * versions refuse, unsigned lines around the signed block). Every line ends in "\n" (no CRLF).
 */
export function assembleClearSigned(text: string, hashHeader: string, armoredSignature: string): string {
  if (!/^[A-Z0-9]+(,[A-Z0-9]+)*$/.test(hashHeader)) throw new Error(`unexpected Hash armor header ${JSON.stringify(hashHeader)}`);
  const signature = armoredSignature.replace(/\r\n/g, "\n");
  if (!signature.startsWith(`${BEGIN_SIGNATURE}\n`) || !signature.endsWith("-----END PGP SIGNATURE-----\n")) {
    throw new Error("the detached signature is not an armored PGP SIGNATURE block");
  }
  return `${BEGIN_SIGNED}\nHash: ${hashHeader}\n\n${dashEscape(text)}\n${signature}`;
}
