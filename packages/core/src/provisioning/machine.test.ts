import { describe, expect, it } from "vitest";
import { isQuipuError } from "../errors/quipu-error.js";
import {
  filterMachinesByTags,
  machineStatusFromNova,
  parseProviderMachine,
  parseProviderMachines,
  type Machine,
} from "./machine.js";

const machine: Machine = {
  id: "6f1c",
  name: "agent-1",
  status: "active",
  addresses: [{ address: "10.0.0.5", version: 4, network: "private", kind: "fixed" }],
  image: "centos-stream-9",
  size: "m1.small",
  metadata: { "quipu-owner": "mita", "quipu-pool": "a" },
  createdAt: "2026-01-02T03:04:05Z",
};

describe("parseProviderMachine", () => {
  it("accepts a well-formed machine and ISO timestamps with offsets", () => {
    expect(parseProviderMachine(machine)).toEqual(machine);
    expect(parseProviderMachine({ ...machine, createdAt: "2026-01-02T03:04:05.000000+00:00" }).createdAt).toBe(
      "2026-01-02T03:04:05.000000+00:00",
    );
  });

  it("fails with QUIPU_VALIDATION_FAILED naming paths but not values", () => {
    const adminPass = "nova-admin-pass-xyz";
    try {
      parseProviderMachine({ ...machine, status: "RUNNING", adminPass, createdAt: adminPass }, "openstack");
      expect.unreachable();
    } catch (error) {
      expect(isQuipuError(error, "QUIPU_VALIDATION_FAILED")).toBe(true);
      expect((error as Error).message).toMatch(/openstack machine/);
      expect((error as Error).message).toMatch(/status/);
      expect(JSON.stringify(error)).not.toContain(adminPass);
      expect((error as Error).message).not.toContain(adminPass);
    }
  });
});

describe("parseProviderMachines", () => {
  it("validates every item and names the failing index", () => {
    expect(parseProviderMachines([machine, machine])).toHaveLength(2);
    expect(() => parseProviderMachines([machine, { ...machine, id: "" }], "acme")).toThrow(/acme machine list.*1\.id/);
    expect(() => parseProviderMachines({ servers: [] })).toThrow(/QUIPU|machine list/);
  });
});

describe("filterMachinesByTags", () => {
  const other = { ...machine, id: "7a2d", metadata: { "quipu-owner": "mita", "quipu-pool": "b" } };

  it("ANDs the tags; no tags keep everything", () => {
    expect(filterMachinesByTags([machine, other], { "quipu-owner": "mita" })).toHaveLength(2);
    expect(filterMachinesByTags([machine, other], { "quipu-owner": "mita", "quipu-pool": "b" })).toEqual([other]);
    expect(filterMachinesByTags([machine, other], { missing: "" })).toEqual([]);
    expect(filterMachinesByTags([machine, other])).toHaveLength(2);
  });
});

describe("machineStatusFromNova", () => {
  it.each([
    ["BUILD", null, "building"],
    ["ACTIVE", null, "active"],
    ["HARD_REBOOT", null, "active"],
    ["VERIFY_RESIZE", null, "active"],
    ["SHUTOFF", null, "stopped"],
    ["SHELVED_OFFLOADED", null, "stopped"],
    ["ERROR", null, "error"],
    ["DELETED", null, "gone"],
    ["SOFT_DELETED", null, "gone"],
    ["ACTIVE", "deleting", "gone"],
    ["UNKNOWN", null, "unknown"],
    ["active", undefined, "active"],
  ] as const)("%s (task %s) → %s", (status, taskState, expected) => {
    expect(machineStatusFromNova(status, taskState)).toBe(expected);
  });
});
