import { describe, expect, it } from "vitest";
import { AgentSchema, AgentStatusSchema, canTransitionAgent, isAgentAlive, type AgentStatus } from "./agent.js";

const good = {
  id: "540a47bf-c1cf-4852-a8e0-e841b5370ddd",
  name: "centos9_huge__540a47bf-c1cf-4852-a8e0-e841b5370ddd",
  template: "centos9_huge",
  provider: "ovh-bhs1",
  labels: ["centos9", "x86_64", "huge", "centos9"],
  status: "ready",
  address: "158.69.92.26",
  metadata: { "quipu:template": "centos9_huge" },
  created_at: "2026-08-20T10:00:00Z",
};

describe("AgentSchema", () => {
  it("accepts an agent, deduplicating labels and defaulting the rest", () => {
    expect(AgentSchema.parse(good)).toMatchObject({
      labels: ["centos9", "x86_64", "huge"],
      provider_id: null,
      last_busy_at: null,
      idle_since: null,
      error: null,
    });
  });

  it.each([
    ["a label with a space", { labels: ["centos 9"] }],
    ["an empty label", { labels: [""] }],
    ["an unknown status", { status: "running" }],
    ["an id with a slash", { id: "a/b" }],
    ["a non-string metadata value", { metadata: { a: 1 } }],
    ["a missing creation time", { created_at: undefined }],
  ])("rejects %s", (_name, override) => {
    expect(AgentSchema.safeParse({ ...good, ...override }).success).toBe(false);
  });
});

describe("agent lifecycle", () => {
  it("follows creating → ready → busy ⇄ idle → deleting → deleted", () => {
    const path: AgentStatus[] = ["creating", "ready", "busy", "idle", "busy", "idle", "deleting", "deleted"];
    for (let index = 1; index < path.length; index++) expect(canTransitionAgent(path[index - 1]!, path[index]!)).toBe(true);
  });

  it("never leaves deleted and only leaves error by deletion", () => {
    for (const to of AgentStatusSchema.options) {
      expect(canTransitionAgent("deleted", to)).toBe(false);
      expect(canTransitionAgent("error", to)).toBe(to === "deleting" || to === "deleted");
    }
    expect(canTransitionAgent("busy", "creating")).toBe(false);
    expect(canTransitionAgent("idle", "idle")).toBe(false);
  });

  it("counts every status but deleted as alive", () => {
    expect(AgentStatusSchema.options.filter((status) => !isAgentAlive(status))).toEqual(["deleted"]);
  });
});
