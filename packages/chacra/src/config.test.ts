import { describe, expect, it } from "vitest";
import { daemonConfigJsonSchema, isQuipuError, renderDaemonHelp, resolveDaemonConfig } from "@quipu/core";
import { ChacraConfigSchema, chacraPublicUrl, resolveChacraPaths, type ChacraConfig } from "./config.js";
import type { ProjectReposConfig } from "./project-options.js";

function resolve(sources: Parameters<typeof resolveDaemonConfig>[2] = {}): ChacraConfig {
  return resolveDaemonConfig("chacra", ChacraConfigSchema, sources);
}

function problems(sources: Parameters<typeof resolveDaemonConfig>[2]): string[] {
  try {
    resolve(sources);
  } catch (error) {
    if (isQuipuError(error, "QUIPU_CONFIG_INVALID")) return error.details["issues"] as string[];
    throw error;
  }
  throw new Error("expected QUIPU_CONFIG_INVALID");
}

describe("chacra config", () => {
  it("runs on defaults alone", () => {
    const config = resolve();
    expect(config).toEqual({
      host: "127.0.0.1",
      port: 8080,
      dataDir: "./.quipu/chacra",
      users: [],
      logLevel: "info",
      pollIntervalSeconds: 5,
      quietTimeSeconds: 10,
      buildRetryBaseSeconds: 30,
      buildRetryMaxSeconds: 3600,
      buildMaxAttempts: 10,
      maxUploadBytes: 16 * 1024 ** 3,
      diskUsageThresholdPercent: 85,
      registerIntervalSeconds: 300,
      callbackRetryBaseSeconds: 5,
      callbackRetryMaxSeconds: 600,
      delegateDownloads: false,
      disableUnconfiguredRepos: false,
      repos: {},
      purge: { enabled: false, intervalSeconds: 86_400, defaultDays: 14, defaultKeepMinimum: 0, rotation: {} },
    });
    expect(resolveChacraPaths(config)).toEqual({
      database: ".quipu/chacra/chacra.db",
      binaryRoot: ".quipu/chacra/binaries",
      reposRoot: ".quipu/chacra/repos",
      maintenanceFile: ".quipu/chacra/maintenance",
    });
    expect(chacraPublicUrl(config)).toBe("http://127.0.0.1:8080/");
  });

  it("derives the public URL from what it listens on unless set", () => {
    expect(chacraPublicUrl(resolve({ flags: ["--port", "0"] }), "http://127.0.0.1:41234/")).toBe("http://127.0.0.1:41234/");
    expect(chacraPublicUrl(resolve({ flags: ["--host", "::1", "--port", "9"] }))).toBe("http://[::1]:9/");
    const config = resolve({ env: { QUIPU_CHACRA_PUBLIC_URL: "https://1.chacra.example" } });
    expect(chacraPublicUrl(config, "http://127.0.0.1:41234/")).toBe("https://1.chacra.example/");
    expect(resolveChacraPaths(resolve({ flags: ["--maintenance-file", "/run/chacra-off"] })).maintenanceFile).toBe("/run/chacra-off");
  });

  it("layers file < environment < flags, the contract's flags included", () => {
    const config = resolve({
      file: { name: "chacra.yaml", value: { port: 1, pollIntervalSeconds: 60, shamanUrl: "http://file/", delegateDownloads: true } },
      env: { QUIPU_CHACRA_PORT: "2", QUIPU_CHACRA_SHAMAN_URL: "http://ci:key@shaman:8000/api/", QUIPU_CHACRA_MAX_UPLOAD_BYTES: "1024" },
      flags: ["--port", "3", "--public-url", "http://chacra.example/", "--no-delegate-downloads", "--api-user", "ci", "--api-key", "k"],
    });
    expect(config).toMatchObject({
      port: 3,
      pollIntervalSeconds: 60,
      shamanUrl: "http://ci:key@shaman:8000/api/",
      maxUploadBytes: 1024,
      publicUrl: "http://chacra.example/",
      delegateDownloads: false,
      apiUser: "ci",
      apiKey: "k",
    });
  });

  it("accepts the original repos shape: options plus per-ref extra projects", () => {
    const repos = {
      ceph: {
        automatic: false,
        combined: ["jammy", "noble"],
        all: { "ceph-medic": ["main"] },
        squid: { "ceph-release": ["squid"], "ceph-deploy": ["all"] },
      },
      cephmetrics: { main: { "cephmetrics-deps": ["main"] } },
      "nfs-ganesha": { disabled: true },
    };
    const config = resolve({ file: { name: "chacra.yaml", value: { repos } } });
    expect(config.repos).toEqual({
      ceph: { ...repos.ceph, disabled: false },
      cephmetrics: { automatic: true, disabled: false, main: { "cephmetrics-deps": ["main"] } },
      "nfs-ganesha": { automatic: true, disabled: true },
    });
    // It is what the service's project options read.
    const forService: ProjectReposConfig = config.repos;
    expect(Object.keys(forService)).toEqual(["ceph", "cephmetrics", "nfs-ganesha"]);
    // From the environment, as JSON.
    expect(resolve({ env: { QUIPU_CHACRA_REPOS: '{"ceph":{"automatic":false}}' } }).repos).toEqual({ ceph: { automatic: false, disabled: false } });
  });

  it("explains malformed repos entries", () => {
    const issues = problems({
      file: {
        name: "chacra.yaml",
        value: { repos: { ceph: { automatic: "no", automatc: false, combined: "jammy", squid: { "ceph-release": "squid" } }, bad: [] } },
      },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^repos\.ceph\.automatic: .*boolean.* \(from chacra\.yaml\)$/),
        expect.stringMatching(/^repos\.ceph\.automatc: expected a mapping of project name to a list of refs \(keys other than automatic.*\(from chacra\.yaml\)$/),
        expect.stringMatching(/^repos\.ceph\.combined: .*array.* \(from chacra\.yaml\)$/),
        'repos.ceph.squid.ceph-release: expected a list of refs (or "all") (from chacra.yaml)',
        expect.stringMatching(/^repos\.bad: .*object.* \(from chacra\.yaml\)$/),
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it("accepts the purge rotation shape and fills its defaults", () => {
    const config = resolve({
      file: {
        name: "chacra.yaml",
        value: {
          purge: {
            enabled: true,
            rotation: {
              ceph: { ref: { squid: { days: 14, keep_minimum: 10 }, main: { keep_minimum: 5 } } },
              "nfs-ganesha": { flavor: { ceph_main: { keep_minimum: 2 } } },
            },
          },
        },
      },
      env: { QUIPU_CHACRA_PURGE: '{"defaultDays":30}' },
    });
    expect(config.purge).toEqual({
      enabled: true,
      intervalSeconds: 86_400,
      defaultDays: 30,
      defaultKeepMinimum: 0,
      rotation: {
        ceph: { ref: { squid: { days: 14, keep_minimum: 10 }, main: { keep_minimum: 5 } } },
        "nfs-ganesha": { flavor: { ceph_main: { keep_minimum: 2 } } },
      },
    });
    const issues = problems({
      file: { name: "p.yaml", value: { purge: { enabled: "yes", rotation: { ceph: { refs: {}, ref: { main: { days: -1, keep: 1 } } } } } } },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^purge\.enabled: /),
        expect.stringMatching(/^purge\.rotation\.ceph: Unrecognized key: "refs"/),
        expect.stringMatching(/^purge\.rotation\.ceph\.ref\.main\.days: /),
        expect.stringMatching(/^purge\.rotation\.ceph\.ref\.main: Unrecognized key: "keep"/),
      ]),
    );
    expect(issues).toHaveLength(4);
  });

  it("reports every problem at once, secrets hidden", () => {
    const issues = problems({
      file: { name: "chacra.yaml", value: { buildRetryBaseSeconds: 100, buildRetryMaxSeconds: 50, diskUsageThresholdPercent: 101 } },
      env: { QUIPU_CHACRA_SHAMAN_URL: "ftp://ci:shaman-secret@shaman/", QUIPU_CHACRA_QUIET_TIME_SECONDS: "-1" },
      flags: ["--api-key", "flag-secret-key", "--max-upload-bytes", "lots", "--public-url", "not a url"],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        "buildRetryMaxSeconds: must be at least buildRetryBaseSeconds (100) (from chacra.yaml)",
        expect.stringMatching(/^diskUsageThresholdPercent: .* \(from chacra\.yaml\)$/),
        "shamanUrl: expected an http:// or https:// URL (from QUIPU_CHACRA_SHAMAN_URL)",
        expect.stringMatching(/^quietTimeSeconds: .* \(from QUIPU_CHACRA_QUIET_TIME_SECONDS\)$/),
        'maxUploadBytes: expected a number, got "lots" (from --max-upload-bytes)',
        "publicUrl: expected an http:// or https:// URL (from --public-url)",
        "apiUser: apiKey is set, so apiUser is required",
      ]),
    );
    expect(issues).toHaveLength(7);
    expect(issues.join("\n")).not.toMatch(/shaman-secret|flag-secret-key/);
  });

  it("has help and a JSON Schema covering every option", () => {
    const help = renderDaemonHelp("chacra", ChacraConfigSchema);
    for (const text of [
      "--public-url <string>",
      "env QUIPU_CHACRA_SHAMAN_URL",
      "key maintenanceFile, env QUIPU_CHACRA_MAINTENANCE_FILE, default <dataDir>/maintenance",
      "key publicUrl, env QUIPU_CHACRA_PUBLIC_URL, default the URL it listens on",
      "key maxUploadBytes, env QUIPU_CHACRA_MAX_UPLOAD_BYTES, default 17179869184",
      "--delegate-downloads, --no-delegate-downloads",
      "key repos, env QUIPU_CHACRA_REPOS, default {}",
    ]) {
      expect(help).toContain(text);
    }
    const schema = daemonConfigJsonSchema("chacra", ChacraConfigSchema) as { properties: Record<string, unknown>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(Object.keys(ChacraConfigSchema.shape));
    expect(schema.required ?? []).toEqual([]);
  });
});
