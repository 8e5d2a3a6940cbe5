import { z } from "zod";
import { describe, expect, it } from "vitest";
import { isQuipuError } from "../errors/quipu-error.js";
import {
  daemonConfigJsonSchema,
  daemonEnvName,
  describeDaemonOptions,
  kebabCase,
  parseDaemonCommandLine,
  parseDaemonFlags,
  renderDaemonHelp,
  resolveDaemonConfig,
} from "./daemon-config.js";
import { daemonBaseOptionsShape, daemonUsers, withDaemonCredentialChecks } from "./daemon-base-options.js";

const Schema = withDaemonCredentialChecks(
  z.object({
    ...daemonBaseOptionsShape("demo", 9000),
    pollIntervalSeconds: z.number().int().positive().default(5).describe("Seconds between polls."),
    delegateDownloads: z.boolean().default(false).describe("Let the proxy send files."),
    tags: z.array(z.string()).default([]).describe("Tags."),
    sizes: z.array(z.number()).optional(),
    peerUrl: z.url().optional().describe("Peer URL, may carry user:key@."),
    mode: z.enum(["fast", "safe"]).default("safe"),
    maintenanceFile: z.string().optional().meta({ description: "Maintenance switch.", defaultHelp: "<dataDir>/maintenance" }),
    purge: z
      .strictObject({
        enabled: z.boolean().default(false),
        days: z.number().int().positive().default(14),
        rotation: z.record(z.string(), z.strictObject({ keep: z.number().int().min(0) })).default({}),
      })
      .prefault({}),
  }),
);

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (isQuipuError(error, "QUIPU_CONFIG_INVALID")) return error.details["issues"] as string[];
    throw error;
  }
  throw new Error("expected QUIPU_CONFIG_INVALID");
}

describe("option names", () => {
  it("derives env names and flags from camelCase keys", () => {
    expect(kebabCase("dataDir")).toBe("data-dir");
    expect(kebabCase("s3Bucket")).toBe("s3-bucket");
    expect(kebabCase("apiURL")).toBe("api-url");
    expect(daemonEnvName("chacra", "diskUsageThresholdPercent")).toBe("QUIPU_CHACRA_DISK_USAGE_THRESHOLD_PERCENT");
    const options = describeDaemonOptions("demo", Schema);
    const dataDir = options.find((option) => option.key === "dataDir");
    expect(dataDir).toMatchObject({ flag: "--data-dir", env: "QUIPU_DEMO_DATA_DIR", kind: "string", defaultValue: "./.quipu/demo" });
    expect(options.find((option) => option.key === "apiKey")).toMatchObject({ secret: true, required: false });
    expect(options.find((option) => option.key === "users")).toMatchObject({ kind: "list", itemKind: "json" });
    expect(options.find((option) => option.key === "purge")).toMatchObject({ kind: "json" });
    expect(options.find((option) => option.key === "mode")).toMatchObject({ choices: ["fast", "safe"] });
  });
});

describe("resolveDaemonConfig", () => {
  it("applies the defaults with no sources", () => {
    const config = resolveDaemonConfig("demo", Schema);
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 9000,
      dataDir: "./.quipu/demo",
      users: [],
      logLevel: "info",
      pollIntervalSeconds: 5,
      delegateDownloads: false,
      purge: { enabled: false, days: 14, rotation: {} },
    });
    expect(config.apiKey).toBeUndefined();
  });

  it("layers defaults < file < environment < flags", () => {
    const config = resolveDaemonConfig("demo", Schema, {
      file: { name: "demo.yaml", value: { port: 1, host: "0.0.0.0", pollIntervalSeconds: 7, tags: ["file"] } },
      env: { QUIPU_DEMO_PORT: "2", QUIPU_DEMO_POLL_INTERVAL_SECONDS: "8", QUIPU_DEMO_DELEGATE_DOWNLOADS: "yes", OTHER: "x" },
      flags: ["--port", "3", "--tags", "a,b", "--tags=c", "--no-delegate-downloads", "--sizes=[1,2]"],
    });
    expect(config).toMatchObject({ port: 3, host: "0.0.0.0", pollIntervalSeconds: 8, tags: ["a", "b", "c"], delegateDownloads: false, sizes: [1, 2] });
  });

  it("takes nested options from the file, and as JSON from env and flags, merging objects", () => {
    const config = resolveDaemonConfig("demo", Schema, {
      file: { name: "demo.json", value: { purge: { days: 3, rotation: { ceph: { keep: 2 } } }, users: [{ user: "a", key: "k1" }] } },
      env: { QUIPU_DEMO_PURGE: '{"enabled":true}' },
      flags: ["--users", '[{"user":"b","key":"k2"}]', "--api-user", "c", "--api-key", "k3"],
    });
    expect(config.purge).toEqual({ enabled: true, days: 3, rotation: { ceph: { keep: 2 } } });
    expect(daemonUsers(config).map((entry) => entry.user)).toEqual(["c", "b"]);
  });

  it("reports every problem of every source at once, naming where each came from", () => {
    const problems = problemsOf(() =>
      resolveDaemonConfig("demo", Schema, {
        file: { name: "demo.yaml", value: { port: "high", purge: { days: 0, extra: 1 }, bogus: true } },
        env: { QUIPU_DEMO_MODE: "turbo", QUIPU_DEMO_POLL_INTERVAL_SECONDS: "soon", QUIPU_DEMO_TYPO: "1" },
        flags: ["--unknown", "--delegate-downloads=maybe", "stray", "--host"],
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "bogus: unknown option (from demo.yaml)",
        'pollIntervalSeconds: expected a number, got "soon" (from QUIPU_DEMO_POLL_INTERVAL_SECONDS)',
        "QUIPU_DEMO_TYPO: unknown environment variable",
        "--unknown: unknown option",
        'delegateDownloads: expected true or false, got "maybe" (from --delegate-downloads)',
        '"stray": unexpected argument',
        "host: --host needs a value",
      ]),
    );
    expect(problems.find((problem) => problem.startsWith("port: "))).toMatch(/\(from demo\.yaml\)$/);
    expect(problems.find((problem) => problem.startsWith("mode: "))).toMatch(/\(from QUIPU_DEMO_MODE\)$/);
    expect(problems.find((problem) => problem.startsWith("purge.days: "))).toMatch(/\(from demo\.yaml\)$/);
    expect(problems.some((problem) => problem.startsWith("purge: ") && problem.includes("extra"))).toBe(true);
    expect(problems).toHaveLength(11);
  });

  it("reports cross-field credential problems together with the others", () => {
    const problems = problemsOf(() =>
      resolveDaemonConfig("demo", Schema, {
        flags: ["--api-key", "s3cr3t-value", "--port", "-1"],
        file: { name: "f", value: { users: [{ user: "x", key: "k" }, { user: "x", key: "k" }] } },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^port: .*\(from --port\)$/),
        "apiUser: apiKey is set, so apiUser is required",
        'users.1.user: user "x" is listed twice (from f)',
      ]),
    );
  });

  it("asks for required options by every name they can be given as", () => {
    const Required = z.object({ token: z.string(), name: z.string() });
    expect(problemsOf(() => resolveDaemonConfig("demo", Required, { flags: ["--name", "n"] }))).toEqual([
      'token: required; set --token, QUIPU_DEMO_TOKEN or "token" in the config file',
    ]);
  });

  it("never shows secrets in problems", () => {
    let caught: unknown;
    try {
      resolveDaemonConfig("demo", z.object({ ...daemonBaseOptionsShape("demo", 1), apiKeyCount: z.number(), peerUrl: z.url().optional() }), {
        file: { name: "f.yaml", value: { users: [{ user: "u", key: "file-secret-1", extra: "x" }] } },
        env: { QUIPU_DEMO_API_KEY_COUNT: "env-secret-2" },
        flags: ["--peer-url", "http://u:url-secret-3@", "stray-http://u:url-secret-4@host/"],
      });
    } catch (error) {
      caught = error;
    }
    expect(isQuipuError(caught, "QUIPU_CONFIG_INVALID")).toBe(true);
    const text = JSON.stringify(caught) + String((caught as Error).message);
    for (const secret of ["file-secret-1", "env-secret-2", "url-secret-3", "url-secret-4"]) expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });

  it("rejects a config file that is not a mapping", () => {
    expect(problemsOf(() => resolveDaemonConfig("demo", Schema, { file: { name: "list.yaml", value: [1, 2] } }))).toEqual([
      "(root): expected a mapping of option names to values (from list.yaml)",
    ]);
    expect(resolveDaemonConfig("demo", Schema, { file: { name: "empty.yaml", value: null } }).port).toBe(9000);
  });

  it("reports malformed JSON without quoting it", () => {
    const problems = problemsOf(() => resolveDaemonConfig("demo", Schema, { env: { QUIPU_DEMO_USERS: '[{"user":"a","key":"hidden-value' } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^users: expected a JSON array or a comma-separated list: invalid JSON.*\(from QUIPU_DEMO_USERS\)$/);
    expect(problems[0]).not.toContain("hidden-value");
  });
});

describe("flags and command line", () => {
  it("parses booleans, lists and JSON", () => {
    const options = describeDaemonOptions("demo", Schema);
    expect(parseDaemonFlags(options, ["--delegate-downloads", "--purge", '{"enabled":true}', "--sizes", "1, 2,3"])).toEqual({
      values: { delegateDownloads: true, purge: { enabled: true }, sizes: [1, 2, 3] },
      problems: [],
    });
    expect(parseDaemonFlags(options, ["--no-delegate-downloads=1", "--no-port"]).problems).toEqual([
      "delegateDownloads: --no-delegate-downloads takes no value (from --no-delegate-downloads)",
      "--no-port: unknown option",
    ]);
  });

  it("finds serve, --help and --config, falling back to QUIPU_<NAME>_CONFIG", () => {
    expect(parseDaemonCommandLine("demo", ["serve", "--config", "a.yaml", "--port", "1"])).toEqual({
      help: false,
      configFile: "a.yaml",
      flags: ["--port", "1"],
      problems: [],
    });
    expect(parseDaemonCommandLine("demo", ["--port", "1", "-h"], { QUIPU_DEMO_CONFIG: "b.json" })).toEqual({
      help: true,
      configFile: "b.json",
      flags: ["--port", "1"],
      problems: [],
    });
    expect(parseDaemonCommandLine("demo", ["--config"]).problems).toEqual(["--config: needs a file name"]);
    // QUIPU_<NAME>_CONFIG is not reported as an unknown variable.
    expect(resolveDaemonConfig("demo", Schema, { env: { QUIPU_DEMO_CONFIG: "b.json" } }).port).toBe(9000);
  });
});

describe("help and JSON Schema", () => {
  it("lists every option with its flag, env name, default and description", () => {
    const help = renderDaemonHelp("demo", Schema);
    for (const option of describeDaemonOptions("demo", Schema)) {
      expect(help).toContain(option.flag);
      expect(help).toContain(option.env);
    }
    expect(help).toContain("key port, env QUIPU_DEMO_PORT, default 9000");
    expect(help).toContain("--delegate-downloads, --no-delegate-downloads");
    expect(help).toContain("key maintenanceFile, env QUIPU_DEMO_MAINTENANCE_FILE, default <dataDir>/maintenance");
    expect(help).toContain("Seconds between polls.");
    expect(help).toContain("--mode <fast|safe>");
    expect(help).toContain("QUIPU_DEMO_CONFIG");
  });

  it("generates a JSON Schema of the config file", () => {
    const schema = daemonConfigJsonSchema("demo", Schema) as {
      title: string;
      properties: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    expect(schema.title).toBe("quipu-demo configuration");
    expect(schema.properties["port"]).toMatchObject({ type: "integer", default: 9000 });
    expect(schema.properties["maintenanceFile"]).toEqual({ type: "string", description: "Maintenance switch." });
    expect(schema.required ?? []).toEqual([]);
  });
});
