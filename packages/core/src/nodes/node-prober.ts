import { z } from "zod";
import type { Clock } from "../ports/clock.js";
import type { NodeSnapshot } from "./node-state.js";

/** A prober's answer: a plain verdict, or a verdict with a reason worth logging. */
export type NodeProbeResult = boolean | { healthy: boolean; detail?: string };

export interface NodeProbeContext {
  /** Aborted when the selector stops waiting (timeout, shutdown); the prober should give up too. */
  readonly signal: AbortSignal;
}

/**
 * The port that checks one node's health. In the shaman daemon it is `GET {node}/health/`
 * answering 2xx. A throw, `false`, `{ healthy: false }`, a malformed answer or no answer within
 * the selector's timeout each count as one failed probe.
 */
export type NodeProber = (node: NodeSnapshot, context: NodeProbeContext) => Promise<NodeProbeResult>;

/** How one probe ended. `aborted` means the caller gave up, which says nothing about the node. */
export type ProbeOutcome =
  | { readonly status: "healthy"; readonly detail?: string }
  | { readonly status: "unhealthy"; readonly detail: string }
  | { readonly status: "aborted" };

export interface RunProbeOptions {
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Stops waiting early, e.g. when a daemon shuts down; the outcome is then `aborted`. */
  readonly signal?: AbortSignal;
}

const probeResultSchema = z.union([
  z.boolean(),
  z.object({ healthy: z.boolean(), detail: z.string().optional() }),
]);

/**
 * Runs `prober` once and never rejects. The timeout is a sleep on the injected clock raced
 * against the probe, so a prober that ignores its signal still cannot hold a caller longer than
 * `timeoutMs`; its late answer is dropped.
 */
export async function runProbe(
  prober: NodeProber,
  node: NodeSnapshot,
  { clock, timeoutMs, signal }: RunProbeOptions,
): Promise<ProbeOutcome> {
  if (signal?.aborted) return { status: "aborted" };
  const probeController = new AbortController();
  const timerController = new AbortController();
  let removeAbortListener = () => {};
  let proberSettled = false;

  const verdict = callProber(prober, node, probeController.signal).then(
    (result): ProbeOutcome => {
      proberSettled = true;
      return interpretResult(result);
    },
    (error: unknown): ProbeOutcome => {
      proberSettled = true;
      return { status: "unhealthy", detail: `probe failed: ${describeError(error)}` };
    },
  );
  const timedOut = new Promise<ProbeOutcome>((resolve) => {
    clock.sleep(timeoutMs, timerController.signal).then(
      () => resolve({ status: "unhealthy", detail: `no answer within ${timeoutMs} ms` }),
      () => {}, // cancelled because the probe settled first
    );
  });
  const callerAborted = new Promise<ProbeOutcome>((resolve) => {
    if (!signal) return;
    const onAbort = () => resolve({ status: "aborted" });
    signal.addEventListener("abort", onAbort, { once: true });
    removeAbortListener = () => signal.removeEventListener("abort", onAbort);
  });

  const outcome = await Promise.race([verdict, timedOut, callerAborted]);
  timerController.abort();
  removeAbortListener();
  if (!proberSettled) {
    // Tell the still-running prober to stop; its answer would be ignored anyway.
    probeController.abort(
      outcome.status === "aborted" ? signal?.reason : new DOMException("node probe timed out", "TimeoutError"),
    );
  }
  return outcome;
}

function callProber(prober: NodeProber, node: NodeSnapshot, signal: AbortSignal): Promise<unknown> {
  try {
    return Promise.resolve(prober(node, { signal }));
  } catch (error) {
    // A prober that throws synchronously is as unhealthy as one that rejects.
    return Promise.reject(error);
  }
}

function interpretResult(result: unknown): ProbeOutcome {
  const parsed = probeResultSchema.safeParse(result);
  if (!parsed.success) return { status: "unhealthy", detail: "probe returned neither a boolean nor { healthy }" };
  const { healthy, detail } =
    typeof parsed.data === "boolean" ? { healthy: parsed.data, detail: undefined } : parsed.data;
  if (healthy) return detail === undefined ? { status: "healthy" } : { status: "healthy", detail };
  return { status: "unhealthy", detail: detail ?? "probe reported unhealthy" };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
