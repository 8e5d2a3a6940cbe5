/** "3 days, 4 hours ago": the two largest non-zero units, like the original's `last_seen` but shorter. */
import { parseTimestamp } from "./utc-days.js";

const UNITS = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
] as const;

export function timeAgo(then: Date, now: Date): string {
  let seconds = Math.floor((now.getTime() - then.getTime()) / 1000);
  // A timestamp slightly ahead of our clock (another host's skew) is still "now", not an error.
  if (seconds < 1) return "just now";
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    const amount = Math.floor(seconds / size);
    seconds -= amount * size;
    if (amount > 0 && parts.length < 2) parts.push(`${amount} ${name}${amount === 1 ? "" : "s"}`);
    else if (parts.length > 0) break;
  }
  return `${parts.join(", ")} ago`;
}

/** `timeAgo` for a record timestamp; "—" when it is missing or unparseable. */
export function timestampAgo(value: string | null | undefined, now: Date): string {
  const then = parseTimestamp(value);
  return then ? timeAgo(then, now) : "—";
}
