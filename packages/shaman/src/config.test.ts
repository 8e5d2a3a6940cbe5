import { describe, expect, it } from "vitest";
import { resolveDaemonConfig } from "@quipu/core";
import { ShamanConfigSchema, resolveShamanPaths } from "./config.js";

describe("ShamanConfigSchema", () => {
  it("has the documented defaults", () => {
    const config = resolveDaemonConfig("shaman", ShamanConfigSchema, { env: {}, flags: [] });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8081,
      dataDir: "./.quipu/shaman",
      nodeScheme: "https",
      healthCheckRetries: 3,
      probeTimeoutSeconds: 10,
      reprobeIntervalSeconds: 30,
      probeCacheSeconds: 2,
      buildLimit: 1000,
    });
    expect(resolveShamanPaths(config)).toEqual({ database: ".quipu/shaman/shaman.db", maintenanceFile: ".quipu/shaman/maintenance" });
  });

  it("layers file < environment < flags", () => {
    const config = resolveDaemonConfig("shaman", ShamanConfigSchema, {
      file: { name: "shaman.yaml", value: { nodeScheme: "http", healthCheckRetries: 5, users: [{ user: "a", key: "k" }] } },
      env: { QUIPU_SHAMAN_HEALTH_CHECK_RETRIES: "4", QUIPU_SHAMAN_API_USER: "ci", QUIPU_SHAMAN_API_KEY: "secret" },
      flags: ["--health-check-retries", "2"],
    });
    expect(config).toMatchObject({ nodeScheme: "http", healthCheckRetries: 2, apiUser: "ci", users: [{ user: "a", key: "k" }] });
  });

  it("reports every problem at once", () => {
    expect(() =>
      resolveDaemonConfig("shaman", ShamanConfigSchema, { env: { QUIPU_SHAMAN_NODE_SCHEME: "ftp", QUIPU_SHAMAN_API_USER: "ci" }, flags: ["--build-limit", "0"] }),
    ).toThrow(expect.objectContaining({ code: "QUIPU_CONFIG_INVALID", details: expect.objectContaining({ issues: expect.arrayContaining([expect.stringMatching(/^nodeScheme:/), expect.stringMatching(/^buildLimit:/), expect.stringMatching(/^apiKey:/)]) }) }));
  });
});
