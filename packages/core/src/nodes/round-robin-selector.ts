import { z } from "zod";
import { QuipuError } from "../errors/quipu-error.js";
import { parseOrThrow } from "../errors/zod-errors.js";
import { systemClock, type Clock } from "../ports/clock.js";
import { silentLogger, type Logger } from "../ports/logger.js";
import type { NodeSelectorEvent } from "./node-events.js";
import { runProbe, type NodeProber, type ProbeOutcome } from "./node-prober.js";
import { HostSchema } from "../model/chacra-node.js";
import {
  compareForSelection,
  hostKey,
  isEligible,
  NodeRegistrationSchema,
  snapshotOf,
  type NodeRecord,
  type NodeRegistration,
  type NodeSnapshot,
} from "./node-state.js";

export interface NodeSelectorOptions {
  /** Checks a node's health before it is handed out and while it is down. */
  prober: NodeProber;
  clock?: Clock;
  logger?: Logger;
  /** Consecutive failed probes that mark a node down (shaman's `health_check_retries`). Default 3. */
  retries?: number;
  /** How long one probe may take before it counts as failed. Default 10 000 ms (shaman: 60 s). */
  probeTimeoutMs?: number;
  /** How often `runReprobeLoop` re-probes down nodes. Default 30 000 ms. */
  reprobeIntervalMs?: number;
  /** Called for every event; a throwing listener is logged and otherwise ignored. */
  onEvent?: (event: NodeSelectorEvent) => void;
}

export interface ReprobeReport {
  /** Down nodes probed in this pass. */
  readonly probed: string[];
  /** Those that answered healthy and are back in rotation. */
  readonly recovered: string[];
  /** Those still down (failed, timed out, or the pass was aborted). */
  readonly stillDown: string[];
}

export interface ReprobeLoopOptions {
  /** Stops the loop; a pass in progress has its probes aborted, which records nothing. */
  signal: AbortSignal;
  intervalMs?: number;
}

export interface NodeSelector {
  /**
   * Adds a node, or refreshes one already known (idempotent). With state fields (`lastUsed`,
   * `lastCheck`, `downCount`, `healthy`, `drained`) it restores a persisted row. A plain
   * re-registration of a down node — the node saying "I am back", as chacra does at startup —
   * puts it back in rotation on probation: `next()` probes it before handing it out, as always,
   * and a single failed probe sends it down again.
   */
  register(host: string, info?: NodeRegistration): NodeSnapshot;
  /** Forgets a node. Callers waiting on its probe move on to other nodes. */
  remove(host: string): NodeSnapshot;
  /** Takes a node out of rotation for maintenance; it stays listed. Idempotent. */
  drain(host: string): NodeSnapshot;
  undrain(host: string): NodeSnapshot;
  has(host: string): boolean;
  /** Throws `QUIPU_NODE_NOT_FOUND` for an unknown host. */
  get(host: string): NodeSnapshot;
  /** Every node, in registration order. */
  list(): NodeSnapshot[];
  /**
   * Hands out the least recently used healthy, undrained node that passes a probe, failing over
   * to the next one within the same call. Throws `QUIPU_NODE_NONE_AVAILABLE` when none is left.
   */
  next(): Promise<NodeSnapshot>;
  /** Probes one node now (shaman's register-or-ping) and returns its row afterwards. */
  check(host: string, options?: { signal?: AbortSignal }): Promise<NodeSnapshot>;
  /** One pass: probes every down node at once; a success brings it back with `downCount` 0. */
  reprobeDown(options?: { signal?: AbortSignal }): Promise<ReprobeReport>;
  /** Calls `reprobeDown` every `intervalMs` on the injected clock until `signal` aborts. */
  runReprobeLoop(options: ReprobeLoopOptions): Promise<void>;
}

const selectorSettingsSchema = z.object({
  retries: z.number().int().min(1).default(3),
  probeTimeoutMs: z.number().int().min(1).default(10_000),
  reprobeIntervalMs: z.number().int().min(1).default(30_000),
});

const stateFields = ["lastUsed", "lastCheck", "downCount", "healthy", "drained"] as const;

/**
 * Shaman's `/api/nodes/next/` round-robin, with its defects fixed (reference §2.5):
 * - probes have a timeout on the injected clock, and a failing node is failed over within the
 *   same call, so a dead node costs one probe timeout, not a failed request;
 * - down nodes are re-probed on a schedule (`reprobeDown`, `runReprobeLoop`) and come back on
 *   their own, instead of waiting for the node to re-register;
 * - selection is race-free: a caller reserves its candidate synchronously, before awaiting the
 *   probe, so concurrent callers pick different nodes;
 * - a node goes down when `downCount` reaches `retries` (not only when it equals it), and every
 *   probe updates `lastCheck`.
 *
 * Concurrency: each node has at most one probe in flight, shared by everyone who needs its answer.
 * `next()` prefers idle nodes and skips those already being probed, so concurrent callers never
 * queue behind one probe (and never all wait on the same dead node) while another node is idle.
 * When every candidate is busy it joins the busy node with the fewest waiters, least recently used
 * first, rather than failing; a node is then handed out twice, but only because none was idle.
 * One probe counts as one failure however many callers waited on it.
 */
export function createNodeSelector(options: NodeSelectorOptions): NodeSelector {
  const { prober, clock = systemClock, logger = silentLogger, onEvent } = options;
  if (typeof prober !== "function") {
    throw new QuipuError("QUIPU_VALIDATION_FAILED", "invalid node selector options: prober: expected a function", {
      details: { what: "node selector options", issues: ["prober: expected a function"] },
    });
  }
  const { retries, probeTimeoutMs, reprobeIntervalMs } = parseOrThrow(
    selectorSettingsSchema,
    { retries: options.retries, probeTimeoutMs: options.probeTimeoutMs, reprobeIntervalMs: options.reprobeIntervalMs },
    "node selector options",
  );

  const nodes = new Map<string, NodeRecord>();
  let registrations = 0;
  let picks = 0;

  function emit(event: NodeSelectorEvent): void {
    const { node, ...fields } = event;
    const logFields = { ...fields, downCount: node.downCount };
    switch (event.type) {
      case "node-selected":
        logger.debug(logFields, "node selected");
        break;
      case "node-probe-failed":
      case "node-down":
        logger.warn(logFields, event.type === "node-down" ? "node marked down" : "node probe failed");
        break;
      default:
        logger.info(logFields, event.type.replaceAll("-", " "));
    }
    if (!onEvent) return;
    try {
      onEvent(event);
    } catch (error) {
      logger.error({ event: event.type, host: event.host, err: error }, "node event listener threw");
    }
  }

  function isRegistered(node: NodeRecord): boolean {
    return nodes.get(node.host) === node;
  }

  function requireNode(host: string): NodeRecord {
    const node = nodes.get(hostKey(host));
    if (!node) throw new QuipuError("QUIPU_NODE_NOT_FOUND", `no node is registered as ${host}`, { details: { host } });
    return node;
  }

  /** Applies a finished probe to the node's row, once per probe whoever waited on it. */
  function recordOutcome(node: NodeRecord, outcome: ProbeOutcome): void {
    if (outcome.status === "aborted" || !isRegistered(node)) return;
    node.lastCheck = clock.now();
    if (outcome.status === "healthy") {
      node.downCount = 0;
      if (!node.healthy) {
        node.healthy = true;
        emit({ type: "node-recovered", host: node.host, node: snapshotOf(node) });
      }
      return;
    }
    node.downCount += 1;
    emit({ type: "node-probe-failed", host: node.host, node: snapshotOf(node), detail: outcome.detail });
    if (node.healthy && node.downCount >= retries) {
      node.healthy = false;
      emit({ type: "node-down", host: node.host, node: snapshotOf(node) });
    }
  }

  /**
   * Starts a probe of `node`, or joins the one in flight. The prober is called synchronously, so
   * by the time this returns the node counts as busy for every other caller. A joined probe keeps
   * the signal of whoever started it: if that caller aborts, joiners see `aborted` and move on.
   */
  function probeShared(node: NodeRecord, signal?: AbortSignal): Promise<ProbeOutcome> {
    if (node.probe) return node.probe;
    const probe = runProbe(prober, snapshotOf(node), { clock, timeoutMs: probeTimeoutMs, signal }).then((outcome) => {
      if (node.probe === probe) node.probe = undefined;
      recordOutcome(node, outcome);
      return outcome;
    });
    node.probe = probe;
    return probe;
  }

  function pickCandidate(alreadyTried: ReadonlySet<NodeRecord>): NodeRecord | undefined {
    let best: NodeRecord | undefined;
    for (const node of nodes.values()) {
      if (!isEligible(node) || alreadyTried.has(node)) continue;
      if (!best || compareForSelection(node, best) < 0) best = node;
    }
    return best;
  }

  function noneAvailable(tried: { host: string; detail: string }[]): QuipuError {
    const all = [...nodes.values()];
    return new QuipuError("QUIPU_NODE_NONE_AVAILABLE", "there are no healthy nodes available", {
      details: {
        registered: all.length,
        down: all.filter((node) => !node.healthy).map((node) => node.host),
        drained: all.filter((node) => node.drained).map((node) => node.host),
        tried,
      },
    });
  }

  /** Why a node that was probed for a `next()` call cannot be handed out; undefined = it can. */
  function refusal(node: NodeRecord, outcome: ProbeOutcome): string | undefined {
    if (!isRegistered(node)) return "removed while being probed";
    if (outcome.status === "aborted") return "probe aborted";
    if (outcome.status === "unhealthy") return outcome.detail;
    if (node.drained) return "drained while being probed";
    if (!node.healthy) return "down";
    return undefined;
  }

  async function reprobeDown({ signal }: { signal?: AbortSignal } = {}): Promise<ReprobeReport> {
    const down = [...nodes.values()].filter((node) => !node.healthy);
    await Promise.all(down.map((node) => probeShared(node, signal)));
    const isBack = (node: NodeRecord) => isRegistered(node) && node.healthy;
    return {
      probed: down.map((node) => node.host),
      recovered: down.filter(isBack).map((node) => node.host),
      stillDown: down.filter((node) => !isBack(node)).map((node) => node.host),
    };
  }

  return {
    register(host, info = {}) {
      const validHost = parseOrThrow(HostSchema, host, "node host");
      const registration = parseOrThrow(NodeRegistrationSchema, info, `registration of node ${validHost}`);
      const restored = stateFields.some((field) => registration[field] !== undefined);
      let node = nodes.get(validHost);
      if (!node) {
        node = {
          host: validHost,
          url: undefined,
          lastUsed: 0,
          lastCheck: null,
          downCount: 0,
          healthy: true,
          drained: false,
          inFlight: 0,
          useSeq: 0,
          registrationSeq: registrations++,
          probe: undefined,
        };
        nodes.set(validHost, node);
      } else if (!restored && !node.healthy) {
        // Probation: eligible again, and one more failed probe reaches `retries`.
        node.healthy = true;
        node.downCount = retries - 1;
      }
      if (registration.url !== undefined) node.url = registration.url;
      if (registration.lastUsed !== undefined) node.lastUsed = registration.lastUsed;
      if (registration.lastCheck !== undefined) node.lastCheck = registration.lastCheck;
      if (registration.downCount !== undefined) node.downCount = registration.downCount;
      if (registration.healthy !== undefined) node.healthy = registration.healthy;
      if (registration.drained !== undefined) node.drained = registration.drained;
      const snapshot = snapshotOf(node);
      emit({ type: "node-registered", host: node.host, node: snapshot, restored });
      return snapshot;
    },

    remove(host) {
      const node = requireNode(host);
      nodes.delete(node.host);
      const snapshot = snapshotOf(node);
      emit({ type: "node-removed", host: node.host, node: snapshot });
      return snapshot;
    },

    drain(host) {
      const node = requireNode(host);
      if (!node.drained) {
        node.drained = true;
        emit({ type: "node-drained", host: node.host, node: snapshotOf(node) });
      }
      return snapshotOf(node);
    },

    undrain(host) {
      const node = requireNode(host);
      if (node.drained) {
        node.drained = false;
        emit({ type: "node-undrained", host: node.host, node: snapshotOf(node) });
      }
      return snapshotOf(node);
    },

    has: (host) => nodes.has(hostKey(host)),

    get: (host) => snapshotOf(requireNode(host)),

    list: () => [...nodes.values()].map(snapshotOf),

    async next() {
      const alreadyTried = new Set<NodeRecord>();
      const tried: { host: string; detail: string }[] = [];
      for (;;) {
        // Everything up to the `await` runs synchronously: the reservation (inFlight, and the
        // probe now in flight) is visible to the next caller before this one yields.
        const node = pickCandidate(alreadyTried);
        if (!node) throw noneAvailable(tried);
        alreadyTried.add(node);
        node.inFlight += 1;
        const pickedAt = clock.now();
        const pickSeq = ++picks;
        let outcome: ProbeOutcome;
        try {
          outcome = await probeShared(node);
        } finally {
          node.inFlight -= 1;
        }
        const reason = refusal(node, outcome);
        if (reason !== undefined) {
          tried.push({ host: node.host, detail: reason });
          continue;
        }
        // Use is dated when the node was picked, not when its probe answered: otherwise a node
        // handed to several waiting callers could end up "fresher" than one handed out once,
        // and the rotation would drift out of balance. Callers that joined one probe apply in
        // pick order; the latest pick wins.
        if (pickSeq > node.useSeq) {
          node.lastUsed = pickedAt;
          node.useSeq = pickSeq;
        }
        node.downCount = 0;
        const snapshot = snapshotOf(node);
        emit({ type: "node-selected", host: node.host, node: snapshot });
        return snapshot;
      }
    },

    async check(host, { signal } = {}) {
      const node = requireNode(host);
      await probeShared(node, signal);
      return snapshotOf(node);
    },

    reprobeDown,

    async runReprobeLoop({ signal, intervalMs = reprobeIntervalMs }) {
      while (!signal.aborted) {
        try {
          await clock.sleep(intervalMs, signal);
        } catch (error) {
          if (signal.aborted) return;
          throw error;
        }
        try {
          await reprobeDown({ signal });
        } catch (error) {
          // A listener or logger bug must not stop the loop that brings nodes back.
          logger.error({ err: error }, "node re-probe pass failed");
        }
      }
    },
  };
}
