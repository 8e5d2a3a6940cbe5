/** A Debian version split as dpkg does: `[epoch:]upstream[-revision]`. */
export interface DebianVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

const VERSION_PATTERN = /^(?:(\d+):)?([A-Za-z0-9.+~:-]+?)(?:-([A-Za-z0-9.+~]+))?$/;

/** Splits a version string; undefined when dpkg would refuse it (bad epoch, illegal characters, empty parts). */
export function parseDebianVersion(version: string): DebianVersion | undefined {
  const match = VERSION_PATTERN.exec(version);
  if (!match) return undefined;
  const epochText = match[1];
  const upstream = match[2] ?? "";
  const epoch = epochText === undefined ? 0 : Number.parseInt(epochText, 10);
  if (!Number.isSafeInteger(epoch) || epoch > 0x7fffffff) return undefined;
  // Without an epoch the upstream part may not hold a colon; without a revision it may not hold a hyphen.
  if (epochText === undefined && upstream.includes(":")) return undefined;
  if (match[3] === undefined && upstream.includes("-")) return undefined;
  if (upstream === "") return undefined;
  return { epoch, upstream, revision: match[3] ?? "" };
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === "~") return -1;
  if (c >= "0" && c <= "9") return 0;
  if ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z")) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** dpkg's verrevcmp: alternating non-digit runs (with `~` sorting first) and numeric runs. */
function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i += 1;
      j += 1;
    }
    while (a[i] === "0") i += 1;
    while (b[j] === "0") j += 1;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i += 1;
      j += 1;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/**
 * Compares two Debian versions with dpkg's rules (epoch, then upstream, then revision; `~`
 * before anything, letters before other symbols). Returns <0, 0 or >0. Unparsable versions are
 * compared as whole upstream strings, so sorting never throws.
 */
export function compareDebianVersions(a: string, b: string): number {
  const va = parseDebianVersion(a) ?? { epoch: 0, upstream: a, revision: "" };
  const vb = parseDebianVersion(b) ?? { epoch: 0, upstream: b, revision: "" };
  if (va.epoch !== vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  const upstream = compareFragment(va.upstream, vb.upstream);
  if (upstream !== 0) return Math.sign(upstream);
  return Math.sign(compareFragment(va.revision, vb.revision));
}
