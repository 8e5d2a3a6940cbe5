/** Longest string kept verbatim in error details; longer input is cut so errors stay loggable. */
const MAX_DETAIL_STRING = 200;

/**
 * A JSON-safe, bounded rendering of a rejected input for `QuipuError.details`: short strings and
 * primitives as they are, long strings cut, objects named by their kind. Rejected input may be
 * anything a client sent, so it must never make the error itself huge or unserialisable.
 */
export function valueForDetails(value: unknown): unknown {
  if (typeof value === "string") {
    return value.length <= MAX_DETAIL_STRING ? value : `${value.slice(0, MAX_DETAIL_STRING)}…`;
  }
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value === undefined) return "(undefined)";
  if (typeof value === "bigint" || typeof value === "symbol") return String(value);
  if (Array.isArray(value)) return "(array)";
  return `(${typeof value})`;
}
