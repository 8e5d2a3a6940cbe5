import type { NodeSnapshot } from "./node-state.js";

interface NodeEventOf<Type extends string> {
  readonly type: Type;
  readonly host: string;
  /** The node's row right after the change, so a daemon can persist it from the event alone. */
  readonly node: NodeSnapshot;
}

/**
 * What the selector reports as it works: to `onEvent` (metrics, persistence) and to the logger.
 * `node-registered.restored` is true when the registration carried persisted state.
 */
export type NodeSelectorEvent =
  | (NodeEventOf<"node-registered"> & { readonly restored: boolean })
  | NodeEventOf<"node-removed">
  | NodeEventOf<"node-selected">
  | (NodeEventOf<"node-probe-failed"> & { readonly detail: string })
  | NodeEventOf<"node-down">
  | NodeEventOf<"node-recovered">
  | NodeEventOf<"node-drained">
  | NodeEventOf<"node-undrained">;

export type NodeSelectorEventType = NodeSelectorEvent["type"];
