/**
 * How a status is coloured, as in the original templates: green for done (`completed`,
 * `ready`), red for `failed`, amber for in-progress states. Statuses are unvalidated strings
 * upstream, so anything else is shown neutral rather than guessed at.
 */
export type StatusTone = "ok" | "failed" | "pending" | "other";

const TONES: Readonly<Record<string, StatusTone>> = {
  completed: "ok",
  ready: "ok",
  failed: "failed",
  started: "pending",
  queued: "pending",
  building: "pending",
  requested: "pending",
};

export function statusTone(status: string): StatusTone {
  return Object.hasOwn(TONES, status) ? (TONES[status] as StatusTone) : "other";
}
