import { z } from "zod";

/**
 * Timestamps in the model are ISO-8601 strings in UTC with millisecond precision
 * (`2026-08-20T10:11:12.345Z`): they sort as strings, survive JSON and SQLite unchanged, and come
 * from `Clock.now()` through `timestampFromMs`. Input is lenient because the originals emit
 * Python's `str(datetime)` (`2026-08-20 10:11:12.345678`, naive UTC): a space or `T` separator,
 * optional seconds and fraction (cut to milliseconds), and an optional zone (none = UTC).
 */
const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Timestamp of `last_used` for nodes never used, so they sort first (as in shaman). */
export const EPOCH_TIMESTAMP = "1970-01-01T00:00:00.000Z";

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The canonical form of a timestamp string, or null when it is not one. */
export function normalizeTimestamp(value: string): string | null {
  const match = TIMESTAMP_PATTERN.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = "00", fraction = "", zone = "Z"] = match;
  const y = Number(year);
  const mo = Number(month);
  // Date.parse rolls "02-30" over to March; reject impossible fields instead.
  if (mo < 1 || mo > 12) return null;
  if (Number(day) < 1 || Number(day) > daysInMonth(y, mo)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  const millis = fraction.padEnd(3, "0").slice(0, 3);
  const offset = zone.toUpperCase() === "Z" ? "Z" : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export const TimestampSchema = z
  .string()
  .refine((value) => normalizeTimestamp(value) !== null, "must be an ISO-8601 date and time")
  .overwrite((value) => normalizeTimestamp(value) ?? value);

/** The model timestamp for milliseconds since the epoch (what `Clock.now()` returns). */
export function timestampFromMs(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The original services' wire spelling of a timestamp: Python's `str(datetime)` of a naive UTC
 * value, `YYYY-MM-DD HH:MM:SS[.ffffff]` (fraction omitted when zero), for wire-compatible JSON.
 */
export function formatLegacyTimestamp(timestamp: string): string {
  const iso = normalizeTimestamp(timestamp) ?? timestamp;
  const [date = "", time = ""] = iso.replace(/Z$/, "").split("T");
  const [clock = "", millis = "000"] = time.split(".");
  return millis === "000" ? `${date} ${clock}` : `${date} ${clock}.${millis}000`;
}
