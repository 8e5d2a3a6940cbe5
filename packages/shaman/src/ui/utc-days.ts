/** Calendar-day helpers for the dashboard chart; days are UTC so every viewer sees the same bars. */

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of `date` in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The last `count` UTC days ending with the day of `now`, oldest first. */
export function lastUtcDays(now: Date, count: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: Math.max(0, count) }, (_, index) => utcDay(new Date(today - (count - 1 - index) * DAY_MS)));
}

/** Parses a record timestamp; one without a zone is UTC, as shaman stores it. Invalid → undefined. */
export function parseTimestamp(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const hasZone = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value);
  const date = new Date(hasZone ? value : `${value.replace(" ", "T")}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
