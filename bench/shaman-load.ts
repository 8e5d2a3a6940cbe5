/**
 * Load generator of `bench/shaman.ts`, run as a separate process so that the load does not share
 * an event loop with the server or the orchestrating script. Prints one JSON line: counts,
 * achieved rate, and latency percentiles computed from every response's own duration.
 *
 * Two pacings of the same rate:
 * - `autocannon`: autocannon with `overallRate`. Its rate limit is a per-second quota: each of the
 *   `connections` sends requests back to back (closed loop) until it has sent its share of the
 *   second, then waits for the next second. So "500 req/s" arrives as a burst at the start of each
 *   second, `connections` requests in flight at a time, then silence. Durations are measured per
 *   request (autocannon's own histogram rounds to whole milliseconds; with a rate it also adds
 *   coordinated-omission samples at a 1 ms interval, which is turned off here).
 * - `steady`: open loop, one request every 1/rate s on a pool of keep-alive connections, whether
 *   or not earlier ones have answered; latency counts from the moment the request was issued,
 *   including any wait for a free connection, so a stalled server is charged for the requests that
 *   queue behind it. How late the sender itself issued them (timers are ~1 ms coarse) is reported
 *   apart, as `senderLagP99`.
 *
 *   node --import tsx bench/shaman-load.ts '{"url":…,"pacing":"autocannon","rate":500,"duration":20,"connections":4}'
 */
import { Agent, request as httpRequest } from "node:http";
import { createRequire } from "node:module";

/** The part of autocannon's programmatic API used here (it ships no types). */
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  overallRate: number;
  headers?: Record<string, string>;
  timeout: number;
  ignoreCoordinatedOmission: boolean;
}
interface AutocannonResult {
  requests: { total: number; sent: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number; max: number };
}
interface AutocannonInstance {
  on(event: "response", listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
  on(event: "reqError", listener: (error: Error) => void): void;
}
type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

export interface LoadRequest {
  readonly url: string;
  readonly pacing: "autocannon" | "steady";
  readonly rate: number;
  readonly duration: number;
  readonly connections: number;
  readonly headers?: Record<string, string>;
}

export interface LoadReport {
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly seconds: number;
  readonly statusCodes: Record<string, number>;
  /** Milliseconds, over every response (2xx or not). */
  readonly latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** autocannon's own figures (whole ms, coordinated-omission correction off), for cross-checking. */
  readonly autocannon?: { p50: number; p99: number; max: number };
  /** CPU time (user + system, ms) this load generator used. */
  readonly generatorCpuMs?: number;
  /** steady: how late the sender issued requests (ms, p99); large values mean the sender, not the server, fell behind. */
  readonly senderLagP99?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest rank.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function summary(durations: number[]): LoadReport["latency"] {
  durations.sort((a, b) => a - b);
  return {
    p50: percentile(durations, 50),
    p90: percentile(durations, 90),
    p99: percentile(durations, 99),
    max: durations.at(-1) ?? Number.NaN,
    mean: durations.reduce((sum, value) => sum + value, 0) / Math.max(1, durations.length),
  };
}

async function runAutocannon(load: LoadRequest): Promise<LoadReport> {
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
  const durations: number[] = [];
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.url,
        connections: load.connections,
        duration: load.duration,
        overallRate: load.rate,
        ...(load.headers === undefined ? {} : { headers: load.headers }),
        timeout: 10,
        ignoreCoordinatedOmission: true,
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => durations.push(responseTime));
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
    latency: summary(durations),
    autocannon: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}

async function runSteady(load: LoadRequest): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const url = new URL(load.url);
  const interval = 1e9 / load.rate;
  const total = Math.round(load.rate * load.duration);
  const durations: number[] = [];
  const lags: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let settled = 0;
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start);
  await new Promise<void>((resolve) => {
    const finish = () => {
      settled += 1;
      if (settled === total) resolve();
    };
    const send = (due: number) => {
      const issued = elapsed();
      lags.push((issued - due) / 1e6);
      const req = httpRequest(url, { agent, headers: load.headers ?? {}, timeout: 10_000 }, (res) => {
        res.resume();
        res.on("end", () => {
          durations.push((elapsed() - issued) / 1e6);
          statusCodes[String(res.statusCode)] = (statusCodes[String(res.statusCode)] ?? 0) + 1;
          finish();
        });
      });
      let timedOut = false;
      req.on("timeout", () => {
        timedOut = true;
        timeouts += 1;
        req.destroy(new Error("timeout"));
      });
      req.on("error", () => {
        if (!timedOut) errors += 1;
        finish();
      });
      req.end();
    };
    let sent = 0;
    // Sends every request that is due, then sleeps until the next one (timers are ~1 ms coarse,
    // so a late wake-up sends the overdue ones at once, each charged from its own due time).
    const tick = () => {
      const now = elapsed();
      while (sent < total && sent * interval <= now) {
        send(sent * interval);
        sent += 1;
      }
      if (sent < total) setTimeout(tick, Math.max(0, (sent * interval - elapsed()) / 1e6));
    };
    tick();
  });
  const seconds = elapsed() / 1e9;
  agent.destroy();
  const non2xx = Object.entries(statusCodes).reduce((sum, [code, count]) => sum + (code.startsWith("2") ? 0 : count), 0);
  return { requests: durations.length, non2xx, errors, timeouts, seconds, statusCodes, latency: summary(durations), senderLagP99: summary(lags).p99 };
}

const load = JSON.parse(process.argv[2] ?? "") as LoadRequest;
const report = load.pacing === "steady" ? await runSteady(load) : await runAutocannon(load);
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ...report, generatorCpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
