import { z } from "zod";
import { safeSegmentSchema } from "./names.js";
import { TimestampSchema } from "./timestamp.js";

/*
 * An *agent* is quipu's record of a build machine it manages (mita's Jenkins builders, duffy's
 * pool nodes). It is not the provider's view of the server (`Machine` in `provisioning/`, with
 * the cloud's own status): an agent adds the lifecycle quipu drives, its template and labels.
 */

/**
 * `creating` (asked of the provider) → `ready` (up, not yet used) → `busy` ⇄ `idle` →
 * `deleting` → `deleted`; `error` when the provider or the agent failed, from which the only way
 * out is deletion. mita kept no state at all (only `idle_since`), which is how it leaked VMs.
 */
export const AgentStatusSchema = z.enum(["creating", "ready", "busy", "idle", "deleting", "deleted", "error"]);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

const AGENT_TRANSITIONS: Readonly<Record<AgentStatus, readonly AgentStatus[]>> = {
  creating: ["ready", "error", "deleting"],
  ready: ["busy", "idle", "error", "deleting"],
  busy: ["idle", "error", "deleting"],
  idle: ["busy", "error", "deleting"],
  // A failed delete is an error; the provider answering "already gone" finishes it.
  deleting: ["deleted", "error"],
  deleted: [],
  error: ["deleting", "deleted"],
};

/** Whether an agent may go from `from` to `to` (staying in the same status is not a transition). */
export function canTransitionAgent(from: AgentStatus, to: AgentStatus): boolean {
  return AGENT_TRANSITIONS[from].includes(to);
}

/** Whether the agent's machine still exists at the provider and so counts against quota. */
export function isAgentAlive(status: AgentStatus): boolean {
  return status !== "deleted";
}

/** A Jenkins label atom (`centos9`, `x86_64`, `huge`): no whitespace, at most 255 characters. */
export const AgentLabelSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s\u0000-\u001f\u007f]+$/, "label must not contain whitespace or control characters");

/**
 * An agent. snake_case like the originals' JSON (mita's `idle_since`, duffy's `created_at`).
 * `template` is the configured node type it was made from (mita's `name`, e.g. `centos9_huge`);
 * `name` is its name at the provider (mita used `<template>__<uuid>`); `provider_id` is the
 * provider's own server id, which mita never stored, so it could only find machines again by
 * listing and matching names. `metadata` holds the tags given to the provider.
 */
export const AgentSchema = z.object({
  id: safeSegmentSchema("agent id"),
  name: safeSegmentSchema("agent name"),
  template: safeSegmentSchema("agent template"),
  provider: safeSegmentSchema("provider"),
  provider_id: z.string().min(1).max(255).nullable().default(null),
  labels: z
    .array(AgentLabelSchema)
    .overwrite((labels) => [...new Set(labels)])
    .default([]),
  status: AgentStatusSchema,
  address: z.string().min(1).max(255).nullable().default(null),
  metadata: z.record(z.string().min(1).max(255), z.string().max(255)).default({}),
  error: z.string().nullable().default(null),
  created_at: TimestampSchema,
  last_busy_at: TimestampSchema.nullable().default(null),
  idle_since: TimestampSchema.nullable().default(null),
});
export type Agent = z.infer<typeof AgentSchema>;
