/**
 * What `quipu-chacra upload` shows while a file travels: on a terminal, one self-rewriting line
 * (bar, percent, bytes, rate); elsewhere (CI logs), a plain line at each quarter of a large file,
 * so logs stay short but a stalled upload is still visible.
 */

export interface UploadProgressOptions {
  readonly write: (text: string) => void;
  /** Draw the rewriting bar (stderr is a terminal). */
  readonly tty: boolean;
  /** Milliseconds, monotonic; injectable so tests need no real time. */
  readonly now?: () => number;
  /** Minimum time between two redraws of the bar. */
  readonly redrawMs?: number;
}

export interface UploadProgress {
  start(name: string, total: number): void;
  update(sent: number): void;
  /** Ends the bar line (terminal) — call before printing anything else. */
  finish(): void;
}

const BAR_WIDTH = 24;
/** Below this, plain mode prints no intermediate lines: small files finish before anyone looks. */
const PLAIN_STEPS_FROM_BYTES = 64 * 1024 * 1024;

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** `1.50 GiB`, `812 KiB`, `17 B`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${UNITS[unit]}`;
}

/** `123.4 MB/s` (decimal megabytes, as disk and network tools quote throughput). */
export function formatRate(bytes: number, ms: number): string {
  if (ms <= 0) return "– MB/s";
  return `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
}

export function createUploadProgress(options: UploadProgressOptions): UploadProgress {
  const now = options.now ?? (() => performance.now());
  const redrawMs = options.redrawMs ?? 100;
  let name = "";
  let total = 0;
  let startedAt = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  let nextQuarter = 1;

  const bar = (sent: number): string => {
    const fraction = total === 0 ? 1 : Math.min(1, sent / total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const percent = `${Math.floor(fraction * 100)}`.padStart(3);
    return `\r\x1b[K${name} [${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${percent}% ${formatBytes(sent)}/${formatBytes(total)} ${formatRate(sent, now() - startedAt)}`;
  };

  return {
    start(fileName, size) {
      name = fileName;
      total = size;
      startedAt = now();
      lastDraw = startedAt;
      nextQuarter = 1;
      if (options.tty) {
        options.write(bar(0));
        drawn = true;
      }
    },
    update(sent) {
      if (options.tty) {
        const at = now();
        if (sent < total && at - lastDraw < redrawMs) return;
        lastDraw = at;
        options.write(bar(sent));
        drawn = true;
        return;
      }
      if (total < PLAIN_STEPS_FROM_BYTES) return;
      while (nextQuarter < 4 && sent >= (total * nextQuarter) / 4) {
        options.write(`${name}: ${nextQuarter * 25}% (${formatBytes(sent)} of ${formatBytes(total)}, ${formatRate(sent, now() - startedAt)})\n`);
        nextQuarter += 1;
      }
    },
    finish() {
      if (options.tty && drawn) options.write("\n");
      drawn = false;
    },
  };
}
