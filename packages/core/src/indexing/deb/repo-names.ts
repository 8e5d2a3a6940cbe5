/**
 * Name rules for the parts of an apt repository, so that no input can escape the tree, break a
 * stanza or a sources.list line.
 */

/** A relative path made of non-empty segments other than `.`/`..`, with no whitespace, control characters or backslashes. */
export function isSafeRelativePath(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.length > 4096) return false;
  if (/[\x00-\x20\x7f\\]/.test(path)) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/** Suites and codenames: one word, may contain slashes (`stable/updates`). */
export function isSuiteName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._+~-]*(\/[A-Za-z0-9][A-Za-z0-9._+~-]*)*$/.test(name) && name.length <= 200;
}

/** Components (`main`, `updates/main`). */
export function isComponentName(name: string): boolean {
  return isSuiteName(name);
}

/** Debian architecture names (`amd64`, `arm64`, `all`, `linux-any` is not a real one but passes). */
export function isArchitectureName(name: string): boolean {
  return /^[a-z0-9][a-z0-9-]*$/.test(name) && name.length <= 64;
}

/** The directory part of a relative path (`""` for a bare name). */
export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

/** The last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
