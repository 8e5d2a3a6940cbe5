/**
 * Self-registration with shaman (reference §1.8): `POST {shamanUrl}api/nodes/{hostname}/` with
 * body `{}` and the Basic credentials of the shaman URL. shaman then probes this node's
 * `/health/` and marks it healthy or down.
 *
 * The original registered once, at startup, and only when healthy; shaman never re-probed a node
 * it had marked down (§4.2), so a node that was briefly unhealthy stayed out of rotation until
 * restarted. Here registration repeats every interval while the node is healthy, which doubles
 * as a heartbeat that puts a recovered node back. Start the loop once the HTTP server listens:
 * shaman probes us during the request.
 */
import { z } from "zod";
import { QuipuError, parseOrThrow, silentLogger, type Clock, type Logger } from "@quipu/core";
import { runPeriodically } from "./periodic.js";
import { parseShamanUrl, postJsonToShaman, withoutCredentials } from "./shaman-request.js";

export interface RegisterWithShamanOptions {
  /** shaman's base URL, possibly with `user:key@` for Basic auth. */
  readonly shamanUrl: string | URL;
  /** How shaman names and reaches this node (`1.chacra.example`, `127.0.0.1:8080`). */
  readonly hostname: string;
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly logger?: Logger | undefined;
  /** Per request. Default 90 s: shaman answers only after probing our `/health/` (the original waited up to 60 s). */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

// A host name, IPv4 or [IPv6] literal, with an optional port: one safe path segment, and what
// shaman puts in `https://{host}/`. `next` is refused: shaman's `/api/nodes/next/` shadows it (§2.3).
export const NodeHostnameSchema = z
  .string()
  .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, "must be a host name or IP address, optionally with :port")
  .refine((host) => host !== "next", "`next` cannot be addressed in shaman's node API");

const RegistrationSettingsSchema = z.object({
  hostname: NodeHostnameSchema,
  timeoutMs: z.number().int().positive().default(90_000),
});

/** Registers (or re-registers) this node. Throws QUIPU_CHACRA_REGISTRATION_FAILED, never with credentials. */
export async function registerWithShaman(options: RegisterWithShamanOptions): Promise<void> {
  const settings = parseOrThrow(RegistrationSettingsSchema, { hostname: options.hostname, timeoutMs: options.timeoutMs }, "registration options");
  const endpoint = parseShamanUrl(options.shamanUrl);
  const logger = options.logger ?? silentLogger;
  // ":" is legal in a path segment; left as is, shaman sees `127.0.0.1:8080` whether it decodes or not.
  const path = `api/nodes/${encodeURIComponent(settings.hostname).replace(/%3A/gi, ":")}/`;
  const url = withoutCredentials(new URL(path, endpoint.base));
  const result = await postJsonToShaman({
    endpoint,
    path,
    body: {},
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: settings.timeoutMs,
    signal: options.signal,
  });
  if (result.ok) {
    logger.debug({ event: "node-registered", host: settings.hostname, url }, "registered with shaman");
    return;
  }
  const details = { url, host: settings.hostname };
  switch (result.kind) {
    case "http":
      throw new QuipuError("QUIPU_CHACRA_REGISTRATION_FAILED", `shaman answered ${result.status} to the registration of ${settings.hostname}${result.message === "" ? "" : `: ${result.message}`}`, {
        details: { ...details, status: result.status, reason: `HTTP ${result.status}`, message: result.message },
      });
    case "aborted":
      throw new QuipuError("QUIPU_CHACRA_REGISTRATION_FAILED", `registration of ${settings.hostname} was cancelled`, { details: { ...details, reason: "cancelled" } });
    default:
      throw new QuipuError("QUIPU_CHACRA_REGISTRATION_FAILED", `shaman could not be reached to register ${settings.hostname}: ${result.reason}`, {
        details: { ...details, reason: result.reason },
      });
  }
}

export interface RegistrationLoopOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly logger?: Logger | undefined;
}

export interface RegistrationLoopSteps {
  /** The node's own health (`checkChacraHealth(...).healthy`); a throw counts as unhealthy. */
  readonly isHealthy: () => boolean | Promise<boolean>;
  /** One registration (`() => registerWithShaman({...})`). */
  readonly register: (signal: AbortSignal) => Promise<void>;
}

/**
 * Registers at start and then every `intervalMs`, only while healthy (an unhealthy node would be
 * probed and marked down anyway). Logs a state change at info/warn and repeats at debug, so a
 * long outage does not flood the log. `intervalMs: Infinity` registers once at start, as the
 * original did. Resolves when `signal` aborts.
 */
export function runRegistrationLoop(options: RegistrationLoopOptions, steps: RegistrationLoopSteps): Promise<void> {
  const logger = options.logger ?? silentLogger;
  let last: "registered" | "unhealthy" | "failed" | undefined;
  const report = (state: "registered" | "unhealthy" | "failed", level: "info" | "warn", obj: object, msg: string) => {
    logger[state === last ? "debug" : level]({ event: `registration-${state}`, ...obj }, msg);
    last = state;
  };

  return runPeriodically({ signal: options.signal, clock: options.clock, intervalMs: options.intervalMs, logger, name: "registration" }, async (signal) => {
    let healthy: boolean;
    try {
      healthy = await steps.isHealthy();
    } catch (error) {
      healthy = false;
      logger.debug({ event: "registration-health-error", err: error }, "health check threw; treating the node as unhealthy");
    }
    if (!healthy) {
      report("unhealthy", "warn", {}, "node unhealthy; not registering with shaman");
      return;
    }
    try {
      await steps.register(signal);
      report("registered", "info", {}, "registered with shaman");
    } catch (error) {
      if (signal.aborted) return;
      report("failed", "warn", { err: error }, "registration with shaman failed; trying again at the next interval");
    }
  });
}
