import { z } from "zod";
import { HostSchema } from "../model/chacra-node.js";
import { HttpUrlSchema } from "../model/http-url.js";
import type { ProbeOutcome } from "./node-prober.js";

/**
 * A read-only copy of one node's row, as `list()`, `get()` and `next()` hand it out. It carries
 * the fields of shaman's Node model (`host`, `last_used`, `last_check`, `healthy`, `down_count`)
 * plus quipu's maintenance switch and the number of callers waiting on the node right now.
 * Feeding a snapshot back to `register(snapshot.host, snapshot)` restores the row.
 */
export interface NodeSnapshot {
  /** Host name, optionally with `:port`, without scheme or path, lowercased (shaman's unique key). */
  readonly host: string;
  /** Where clients reach the node, when it told us; otherwise the daemon derives it from `host`. */
  readonly url?: string;
  /**
   * When the node was last picked for a caller that got it (before its probe), in ms since the
   * epoch; 0 = never, so it goes first.
   */
  readonly lastUsed: number;
  /** When a probe of the node last finished, in ms since the epoch; null = never probed. */
  readonly lastCheck: number | null;
  /** Consecutive failed probes; reset to 0 by any successful one. */
  readonly downCount: number;
  /** False once `downCount` reached the selector's `retries`; only a successful probe clears it. */
  readonly healthy: boolean;
  /** In maintenance: never handed out, still listed and still probed when down. */
  readonly drained: boolean;
  /** `next()` calls currently waiting on this node's probe. */
  readonly inFlight: number;
}

/** The registry key of a host: DNS names are case-insensitive, as `HostSchema` says. */
export function hostKey(host: string): string {
  return host.toLowerCase();
}

/**
 * What `register` accepts besides the host. A plain registration gives only `url` (or nothing);
 * a daemon restoring its persisted rows also gives the state fields. Unknown keys (a snapshot's
 * `host` and `inFlight`) are ignored so snapshots round-trip.
 */
export const NodeRegistrationSchema = z.object({
  url: HttpUrlSchema.optional(),
  lastUsed: z.number().int().nonnegative().optional(),
  lastCheck: z.number().int().nonnegative().nullable().optional(),
  downCount: z.number().int().nonnegative().optional(),
  healthy: z.boolean().optional(),
  drained: z.boolean().optional(),
});

export type NodeRegistration = z.input<typeof NodeRegistrationSchema>;

/** The selector's mutable row for one node; never leaves the selector (snapshots do). */
export interface NodeRecord {
  readonly host: string;
  url: string | undefined;
  lastUsed: number;
  lastCheck: number | null;
  downCount: number;
  healthy: boolean;
  drained: boolean;
  inFlight: number;
  /**
   * Sequence number of the pick behind the last handout. Many handouts can share one millisecond
   * (and a manual clock may not move at all), so this breaks `lastUsed` ties; 0 = never handed
   * out by this selector.
   */
  useSeq: number;
  /** Registration order: the final tie-breaker, so equal rows keep the order they arrived in. */
  readonly registrationSeq: number;
  /** The one probe in flight for this node, shared by everyone who needs its answer. */
  probe: Promise<ProbeOutcome> | undefined;
}

export function snapshotOf(node: NodeRecord): NodeSnapshot {
  return Object.freeze({
    host: node.host,
    ...(node.url === undefined ? {} : { url: node.url }),
    lastUsed: node.lastUsed,
    lastCheck: node.lastCheck,
    downCount: node.downCount,
    healthy: node.healthy,
    drained: node.drained,
    inFlight: node.inFlight,
  });
}

/** Whether `next()` may hand the node out at all (probe permitting). */
export function isEligible(node: NodeRecord): boolean {
  return node.healthy && !node.drained;
}

/**
 * The order `next()` tries eligible nodes in: idle nodes before nodes with a probe in flight
 * (so concurrent callers spread out instead of queueing behind one probe), fewer waiters first
 * among busy ones (so handouts stay balanced when every node is busy), then least recently used,
 * then handout order within one millisecond, then registration order.
 */
export function compareForSelection(a: NodeRecord, b: NodeRecord): number {
  return (
    Number(a.probe !== undefined) - Number(b.probe !== undefined) ||
    a.inFlight - b.inFlight ||
    a.lastUsed - b.lastUsed ||
    a.useSeq - b.useSeq ||
    a.registrationSeq - b.registrationSeq
  );
}
