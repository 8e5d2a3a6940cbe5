import { describe, expect, it } from "vitest";
import { isQuipuError } from "../errors/quipu-error.js";
import { MAX_METADATA_TAGS, MAX_USER_DATA_BYTES, MachineRequestSchema, validateMachineRequest } from "./machine-request.js";
import type { ProviderCapabilities } from "./provider-capabilities.js";

const everything: ProviderCapabilities = {
  volumes: true,
  userData: true,
  userDataReadable: true,
  metadataTags: true,
  listByTag: true,
  bareMetal: false,
  architectures: ["x86_64", "aarch64"],
  uniqueNames: true,
  networks: true,
};
const nothing: ProviderCapabilities = {
  volumes: false,
  userData: false,
  userDataReadable: false,
  metadataTags: false,
  listByTag: false,
  bareMetal: false,
  architectures: ["x86_64"],
  uniqueNames: false,
  networks: false,
};
const base = { name: "centos9-huge--1f2e", image: "centos-stream-9", size: "m1.large" };

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isQuipuError(error) ? error.code : "not a QuipuError";
  }
  return undefined;
}

describe("MachineRequestSchema", () => {
  it("accepts a full request and defaults metadata to {}", () => {
    expect(MachineRequestSchema.parse(base).metadata).toEqual({});
    const full = {
      ...base,
      userData: "#cloud-config\n",
      metadata: { "quipu-owner": "mita", "quipu-pool": "centos9" },
      volume: { sizeGb: 100, name: "scratch" },
      arch: "aarch64",
      network: "private",
    };
    expect(MachineRequestSchema.parse(full)).toEqual(full);
  });

  it.each([
    ["", "empty"],
    ["Agent", "uppercase"],
    ["centos7__uuid", "underscores (mita's legacy separator)"],
    ["-agent", "leading hyphen"],
    ["agent-", "trailing hyphen"],
    ["a.b", "a dot"],
    ["a".repeat(64), "64 characters"],
  ])("refuses the name %j (%s)", (name) => {
    expect(MachineRequestSchema.safeParse({ ...base, name }).success).toBe(false);
  });

  it("accepts a 63-character name", () => {
    expect(MachineRequestSchema.safeParse({ ...base, name: "a".repeat(63) }).success).toBe(true);
  });

  it("bounds tags, tag keys and values", () => {
    const many = Object.fromEntries(Array.from({ length: MAX_METADATA_TAGS + 1 }, (_, i) => [`k${i}`, "v"]));
    expect(MachineRequestSchema.safeParse({ ...base, metadata: many }).success).toBe(false);
    expect(MachineRequestSchema.safeParse({ ...base, metadata: { "bad key": "v" } }).success).toBe(false);
    expect(MachineRequestSchema.safeParse({ ...base, metadata: { k: "x".repeat(256) } }).success).toBe(false);
    expect(MachineRequestSchema.safeParse({ ...base, metadata: { k: "line\nbreak" } }).success).toBe(false);
    expect(MachineRequestSchema.safeParse({ ...base, metadata: { k: 1 } }).success).toBe(false);
  });

  it("bounds user data in UTF-8 bytes so its base64 form fits Nova's 65 535", () => {
    expect(Math.ceil(MAX_USER_DATA_BYTES / 3) * 4).toBeLessThanOrEqual(65_535);
    expect(MachineRequestSchema.safeParse({ ...base, userData: "x".repeat(MAX_USER_DATA_BYTES) }).success).toBe(true);
    const multiByte = "é".repeat(Math.floor(MAX_USER_DATA_BYTES / 2) + 1);
    expect(MachineRequestSchema.safeParse({ ...base, userData: multiByte }).success).toBe(false);
  });

  it("refuses unknown keys, so a typo cannot be silently ignored", () => {
    expect(MachineRequestSchema.safeParse({ ...base, flavor: "m1.large" }).success).toBe(false);
    expect(MachineRequestSchema.safeParse({ ...base, volume: { sizeGb: 1, type: "ssd" } }).success).toBe(false);
  });

  it("bounds volumes", () => {
    expect(MachineRequestSchema.safeParse({ ...base, volume: { sizeGb: 0 } }).success).toBe(false);
    expect(MachineRequestSchema.safeParse({ ...base, volume: { sizeGb: 1.5 } }).success).toBe(false);
  });
});

describe("validateMachineRequest", () => {
  it("reports every problem at once with QUIPU_PROVIDER_INVALID_REQUEST", () => {
    try {
      validateMachineRequest({ name: "Bad_Name", image: "", size: 3 }, everything);
      expect.unreachable();
    } catch (error) {
      expect(isQuipuError(error, "QUIPU_PROVIDER_INVALID_REQUEST")).toBe(true);
      const issues = (error as { details: { issues: string[] } }).details.issues;
      expect(issues.map((issue) => issue.split(":")[0])).toEqual(["name", "image", "size"]);
    }
  });

  it("never quotes user data in the error", () => {
    const token = "jenkins-api-token-0123456789";
    try {
      validateMachineRequest({ ...base, userData: token.repeat(5000) }, everything);
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain(token);
      expect(String((error as Error).message)).not.toContain(token);
    }
  });

  it("refuses what the provider cannot do with QUIPU_PROVIDER_UNSUPPORTED", () => {
    expect(codeOf(() => validateMachineRequest({ ...base, volume: { sizeGb: 1 } }, nothing))).toBe("QUIPU_PROVIDER_UNSUPPORTED");
    expect(codeOf(() => validateMachineRequest({ ...base, userData: "x" }, nothing))).toBe("QUIPU_PROVIDER_UNSUPPORTED");
    expect(codeOf(() => validateMachineRequest({ ...base, metadata: { a: "b" } }, nothing))).toBe("QUIPU_PROVIDER_UNSUPPORTED");
    expect(codeOf(() => validateMachineRequest({ ...base, network: "n" }, nothing))).toBe("QUIPU_PROVIDER_UNSUPPORTED");
    expect(codeOf(() => validateMachineRequest({ ...base, arch: "s390x" }, everything))).toBe("QUIPU_PROVIDER_UNSUPPORTED");
    expect(codeOf(() => validateMachineRequest(base, nothing))).toBeUndefined();
  });

  it("names the missing capability", () => {
    try {
      validateMachineRequest({ ...base, volume: { sizeGb: 1 } }, nothing, "static");
      expect.unreachable();
    } catch (error) {
      expect((error as { details: unknown }).details).toMatchObject({ provider: "static", capability: "volumes" });
    }
  });

  it("does not check the architecture when the provider lists none", () => {
    const { architectures: _ignored, ...withoutArchitectures } = everything;
    expect(validateMachineRequest({ ...base, arch: "riscv64" }, withoutArchitectures).arch).toBe("riscv64");
  });
});
