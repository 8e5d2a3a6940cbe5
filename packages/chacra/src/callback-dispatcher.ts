/**
 * Durable, ordered delivery of repo status callbacks to shaman (reference §1.7, §2.4, fixing
 * §4.2's "callbacks can arrive out of order").
 *
 * The service writes each callback into an outbox in the same transaction as the status change;
 * this dispatcher sends them. Only the head of each repo's queue is ever offered, so one repo's
 * callbacks reach shaman strictly in order, while different repos are delivered concurrently
 * (bounded). A failure that may pass (no answer, 5xx, 408, 425, 429, and 401/403/404 — those point at
 * our shaman URL or credentials, which an operator fixes without the payload changing) keeps the
 * callback at the head and retries it after a deterministic, doubling backoff capped at
 * `retryMaxMs`. A 4xx that resending the same body cannot change (400 on a malformed payload,
 * 413, 422, …) is logged and the callback dropped, so it never blocks the repo's later callbacks.
 */
import { z } from "zod";
import {
  HttpUrlSchema,
  QuipuError,
  RepoStatusReportSchema,
  parseOrThrow,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type RepoStatus,
} from "@quipu/core";
import { runPeriodically } from "./periodic.js";
import { parseShamanUrl, postJsonToShaman, withoutCredentials, type ShamanPostResult } from "./shaman-request.js";

/** The outbox port (the lead's SQLite store implements it). */
export interface CallbackOutbox {
  /** Oldest undelivered callback per repo whose next attempt is due, at most `limit`. Only the head of each repo's queue is returned, so one repo's callbacks go out in order. */
  due(now: number, limit: number): PendingCallback[];
  delivered(id: number): void;
  retryLater(id: number, attempts: number, nextAttemptAt: number, lastError: string): void;
  /**
   * Gives up on a callback that can never be delivered: it must leave the queue (so the repo's
   * later callbacks go out) and may be kept for operators. When absent, `delivered` is called
   * instead, after the failure has been logged.
   */
  failedPermanently?(id: number, attempts: number, lastError: string): void;
}

export interface PendingCallback {
  id: number;
  repoId: number;
  project: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export interface CallbackDispatcherOptions {
  readonly outbox: CallbackOutbox;
  /** shaman's base URL, possibly with `user:key@` for Basic auth (`http://u:k@shaman/`). */
  readonly shamanUrl: string | URL;
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Wait after the first failure; doubles per attempt. Default 30 s (the original's retry delay). */
  readonly retryBaseMs?: number | undefined;
  /** Cap of the backoff. Default 15 min. */
  readonly retryMaxMs?: number | undefined;
  /** Per request. Default 30 s. */
  readonly timeoutMs?: number | undefined;
  /** Repos delivered at the same time. Default 4. */
  readonly concurrency?: number | undefined;
  /** Callbacks asked of the outbox at once. Default 100. */
  readonly batchSize?: number | undefined;
  /**
   * Attempts after which a callback that keeps failing transiently is given up. Default: never —
   * shaman being down for a day must not lose statuses; the capped backoff keeps retries cheap.
   */
  readonly maxAttempts?: number | undefined;
}

export interface DeliveryReport {
  /** Callbacks shaman accepted. */
  readonly delivered: number;
  /** Callbacks that failed in this pass (retried later, or dropped). */
  readonly failed: number;
  /** Of `failed`, those given up for good (rejected by shaman, or out of attempts). */
  readonly dropped: number;
}

export interface CallbackDispatcher {
  /** Sends every due callback (and each repo's following ones, in order) once; never throws for delivery failures. */
  deliverDue(signal?: AbortSignal): Promise<DeliveryReport>;
  /** `deliverDue` every `intervalMs` until `signal` aborts; an in-flight request is abandoned and its callback left queued. */
  run(options: { signal: AbortSignal; intervalMs: number }): Promise<void>;
}

const DispatcherSettingsSchema = z.object({
  retryBaseMs: z.number().int().positive().default(30_000),
  retryMaxMs: z.number().int().positive().default(900_000),
  timeoutMs: z.number().int().positive().default(30_000),
  concurrency: z.number().int().min(1).max(64).default(4),
  batchSize: z.number().int().min(1).default(100),
  maxAttempts: z.number().int().min(1).optional(),
});

// Statuses that say "not now" or "fix chacra's configuration", never "this body is wrong".
const TRANSIENT_CLIENT_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 408, 425, 429]);

/** Whether a failed delivery may succeed when the same callback is sent again. */
export function isRetryableCallbackFailure(result: Exclude<ShamanPostResult, { ok: true }>): boolean {
  if (result.kind !== "http") return true;
  return result.status >= 500 || result.status < 400 || TRANSIENT_CLIENT_STATUSES.has(result.status);
}

/** Deterministic backoff: `base · 2^(attempts-1)`, capped — `attempts` counts failures so far. */
export function callbackRetryDelay(attempts: number, retryBaseMs: number, retryMaxMs: number): number {
  const exponent = Math.max(0, attempts - 1);
  // Beyond 2^40 the cap has long been reached; avoid Infinity arithmetic.
  return exponent > 40 ? retryMaxMs : Math.min(retryMaxMs, retryBaseMs * 2 ** exponent);
}

export function createCallbackDispatcher(options: CallbackDispatcherOptions): CallbackDispatcher {
  const settings = parseOrThrow(
    DispatcherSettingsSchema,
    {
      retryBaseMs: options.retryBaseMs,
      retryMaxMs: options.retryMaxMs,
      timeoutMs: options.timeoutMs,
      concurrency: options.concurrency,
      batchSize: options.batchSize,
      maxAttempts: options.maxAttempts,
    },
    "callback dispatcher options",
  );
  const endpoint = parseShamanUrl(options.shamanUrl);
  const { outbox } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;

  type Outcome = "delivered" | "retry" | "dropped" | "aborted";

  async function deliverOne(callback: PendingCallback, signal: AbortSignal | undefined): Promise<Outcome> {
    const path = `api/repos/${encodeURIComponent(callback.project)}/`;
    const url = withoutCredentials(new URL(path, endpoint.base));
    const result = await postJsonToShaman({ endpoint, path, body: callback.payload, fetch: fetchImpl, timeoutMs: settings.timeoutMs, signal });
    const about = { callbackId: callback.id, repoId: callback.repoId, project: callback.project, status: callback.payload["status"] };
    if (result.ok) {
      outbox.delivered(callback.id);
      logger.debug({ event: "callback-delivered", ...about, attempts: callback.attempts + 1 }, "callback delivered to shaman");
      return "delivered";
    }
    // Shutdown: nothing is known about this attempt; the callback stays queued as it was.
    if (result.kind === "aborted") return "aborted";

    const attempts = callback.attempts + 1;
    const retryable = isRetryableCallbackFailure(result);
    const error = failureError(result, retryable, { url, project: callback.project, callbackId: callback.id });
    const lastError = `${error.code}: ${error.message}`;
    if (retryable && (settings.maxAttempts === undefined || attempts < settings.maxAttempts)) {
      const nextAttemptAt = clock.now() + callbackRetryDelay(attempts, settings.retryBaseMs, settings.retryMaxMs);
      outbox.retryLater(callback.id, attempts, nextAttemptAt, lastError);
      logger.warn({ event: "callback-retry", ...about, attempts, nextAttemptAt, err: error }, `callback to shaman failed; retrying at ${new Date(nextAttemptAt).toISOString()}`);
      return "retry";
    }
    if (outbox.failedPermanently) outbox.failedPermanently(callback.id, attempts, lastError);
    else outbox.delivered(callback.id);
    logger.error(
      { event: "callback-dropped", ...about, attempts, err: error },
      retryable ? `callback to shaman given up after ${attempts} attempts` : "shaman rejected a callback; dropping it so later callbacks of the repo go out",
    );
    return "dropped";
  }

  async function pass(signal: AbortSignal | undefined): Promise<DeliveryReport> {
    let delivered = 0;
    let failed = 0;
    let dropped = 0;
    const attempted = new Set<number>();
    // Repos with a request in flight: their next callback waits for the answer.
    const busy = new Set<number>();
    // A repo whose head failed in this pass waits for its backoff, even when that is already due.
    const stalled = new Set<number>();
    // Bounds one pass, so a producer that keeps enqueuing cannot keep it going forever.
    const budget = settings.batchSize * 10;

    // Asks the outbox again for each pick, so a repo's next callback goes out as soon as its
    // previous one is answered, without waiting for slower repos. Picking and marking happen in
    // one synchronous step, so two workers never take the same repo.
    const takeNext = (): PendingCallback | undefined => {
      if (signal?.aborted || attempted.size >= budget) return undefined;
      // Room for the heads of busy repos, which are offered again but skipped.
      for (const callback of outbox.due(clock.now(), settings.batchSize + settings.concurrency)) {
        if (attempted.has(callback.id) || busy.has(callback.repoId) || stalled.has(callback.repoId)) continue;
        attempted.add(callback.id);
        busy.add(callback.repoId);
        return callback;
      }
      return undefined;
    };

    const worker = async () => {
      for (let callback = takeNext(); callback !== undefined; callback = takeNext()) {
        try {
          const outcome = await deliverOne(callback, signal);
          if (outcome === "delivered") delivered += 1;
          if (outcome === "retry" || outcome === "dropped") failed += 1;
          if (outcome === "dropped") dropped += 1;
          if (outcome === "retry" || outcome === "aborted") stalled.add(callback.repoId);
        } finally {
          busy.delete(callback.repoId);
        }
      }
    };
    await Promise.all(Array.from({ length: settings.concurrency }, worker));
    return { delivered, failed, dropped };
  }

  // Passes never overlap: two at once could send the same head twice.
  let tail: Promise<unknown> = Promise.resolve();
  const dispatcher: CallbackDispatcher = {
    deliverDue(signal) {
      const next = tail.then(() => pass(signal));
      tail = next.catch(() => undefined);
      return next;
    },
    run({ signal, intervalMs }) {
      return runPeriodically({ signal, clock, intervalMs, logger, name: "callbacks" }, (loopSignal) => dispatcher.deliverDue(loopSignal));
    },
  };
  return dispatcher;
}

function failureError(
  result: Exclude<ShamanPostResult, { ok: true } | { kind: "aborted" }>,
  retryable: boolean,
  about: { url: string; project: string; callbackId: number },
): QuipuError {
  if (result.kind === "http") {
    const code = retryable ? "QUIPU_CHACRA_CALLBACK_FAILED" : "QUIPU_CHACRA_CALLBACK_REJECTED";
    const message = `shaman answered ${result.status} to the callback for ${about.project}${result.message === "" ? "" : `: ${result.message}`}`;
    return new QuipuError(code, message, { details: { ...about, status: result.status, reason: `HTTP ${result.status}`, message: result.message } });
  }
  return new QuipuError("QUIPU_CHACRA_CALLBACK_FAILED", `shaman could not be reached for the callback for ${about.project}: ${result.reason}`, {
    details: { ...about, reason: result.reason },
  });
}

// ------------------------------------------------------------------ payload

export interface RepoCallbackPayloadOptions {
  readonly status: RepoStatus;
  /** The repo's build cycle (shaman orders callbacks by it); null omits it, as the original did. */
  readonly generation: number | null | undefined;
  /** Where clients reach this node, e.g. `https://1.chacra.example/` (a missing trailing slash is added). */
  readonly publicUrl: string;
  /** The repo's path below `/repos/` and `/r/`: `{project}/{ref}/{sha1}/{distro}/{version}/flavors/{flavor}/`. */
  readonly uri: string;
}

const PayloadOptionsSchema = z.object({
  publicUrl: HttpUrlSchema.refine((value) => new URL(value).username === "", "must not carry credentials: it is published to shaman"),
  uri: z.string().min(1),
});

/**
 * The body chacra POSTs to shaman: the repo's JSON plus `status`, `chacra_url`
 * (`{publicUrl}repos/{uri}`), `url` (`{publicUrl}r/{uri}`) and quipu's `generation` (§1.7). It
 * is checked against what shaman requires (`RepoStatusReportSchema`), so a payload shaman would
 * reject with 400 fails here, at its source, instead of in the outbox.
 */
export function buildRepoCallbackPayload(repoJson: Record<string, unknown>, options: RepoCallbackPayloadOptions): Record<string, unknown> {
  const { publicUrl, uri } = parseOrThrow(PayloadOptionsSchema, { publicUrl: options.publicUrl, uri: options.uri }, "repo callback options");
  const base = publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`;
  const path = uri.replace(/^\/+/, "");
  const payload: Record<string, unknown> = {
    ...repoJson,
    status: options.status,
    chacra_url: `${base}repos/${path}`,
    url: `${base}r/${path}`,
  };
  if (typeof options.generation === "number") payload["generation"] = options.generation;
  else delete payload["generation"];
  parseOrThrow(RepoStatusReportSchema, payload, "repo status callback");
  return payload;
}
