import { secretVariants } from "@quipu/core";
import { expect } from "vitest";

const MAX_DEPTH = 8;

/**
 * Where `value` contains one of `secrets` (raw, URL-encoded or JSON-escaped): its own properties
 * including an Error's non-enumerable `message` and `stack`, its `cause` chain, nested details,
 * arrays, and its JSON and string forms. Returns paths like `details.body: secret #2`, never the
 * secret itself, so a failing assertion does not leak it into CI logs. Empty secrets are ignored.
 */
export function collectSecretsLeaks(value: unknown, secrets: readonly string[]): string[] {
  const variantsBySecret = secrets
    .map((secret, index) => ({ label: `secret #${index + 1}`, variants: secretVariants([secret]) }))
    .filter((entry) => entry.variants.length > 0);
  if (variantsBySecret.length === 0) return [];
  const leaks = new Set<string>();
  const seen = new WeakSet<object>();

  const check = (text: string, path: string) => {
    for (const { label, variants } of variantsBySecret) {
      if (variants.some((variant) => text.includes(variant))) leaks.add(`${path || "(value)"}: ${label}`);
    }
  };

  const visit = (current: unknown, path: string, depth: number): void => {
    if (typeof current === "string") return check(current, path);
    if (typeof current !== "object" || current === null || depth > MAX_DEPTH) return;
    if (seen.has(current)) return;
    seen.add(current);
    const join = (key: string) => (path ? `${path}.${key}` : key);
    if (current instanceof Map) {
      for (const [key, item] of current) {
        visit(key, join("<key>"), depth + 1);
        visit(item, join(String(key)), depth + 1);
      }
      return;
    }
    if (current instanceof Set || Array.isArray(current)) {
      [...current].forEach((item, index) => visit(item, join(String(index)), depth + 1));
      return;
    }
    // getOwnPropertyNames also lists an Error's non-enumerable `message` and `stack`.
    const keys = new Set([...Object.getOwnPropertyNames(current), "cause"]);
    for (const key of keys) {
      check(key, join(key));
      let property: unknown;
      try {
        property = (current as Record<string, unknown>)[key];
      } catch {
        continue; // A throwing getter cannot leak through serialization either.
      }
      visit(property, join(key), depth + 1);
    }
  };

  visit(value, "", 0);
  if (typeof value === "object" && value !== null) {
    try {
      check(JSON.stringify(value) ?? "", "JSON");
    } catch {
      // Circular or BigInt: the walk above covered the contents.
    }
    check(String(value), "String()");
  }
  return [...leaks];
}

/** Asserts that `value` (an error, log records, a response body) contains none of `secrets`. */
export function expectNoSecretLeaks(value: unknown, secrets: readonly string[], what = "value"): void {
  const leaks = collectSecretsLeaks(value, secrets);
  expect(leaks, `${what} leaks configured secrets at: ${leaks.join(", ")}`).toEqual([]);
}
