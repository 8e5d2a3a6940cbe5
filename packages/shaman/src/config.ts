/**
 * shaman's configuration: the common daemon options plus shaman's own, with defaults. Every option
 * is a config-file key, an environment variable `QUIPU_SHAMAN_*` and a flag (CONTRIBUTING.md, the
 * daemon contract); `runDaemon` from @quipu/core does the layering. The original's keys map as:
 * `api_user`/`api_key` → apiUser/apiKey (plus `users`), `health_check_retries` →
 * healthCheckRetries, `fail_check_trigger_path` → maintenanceFile, `build_limit` → buildLimit.
 */
import { join } from "node:path";
import { z } from "zod";
import { daemonBaseOptionsShape, withDaemonCredentialChecks } from "@quipu/core";

export const SHAMAN_DEFAULT_PORT = 8081;

const ShamanOptionsSchema = z.object({
  ...daemonBaseOptionsShape("shaman", SHAMAN_DEFAULT_PORT),
  nodeScheme: z.enum(["http", "https"]).default("https").describe("How registered chacra hosts are reached: {scheme}://{host}/."),
  healthCheckRetries: z.number().int().min(1).default(3).describe("Consecutive failed health probes before a chacra node is marked down."),
  probeTimeoutSeconds: z.number().positive().default(10).describe("Seconds one probe of a node's /health/ may take before it counts as failed."),
  reprobeIntervalSeconds: z.number().positive().default(30).describe("Seconds between re-probes of down nodes (a recovered node returns on its own)."),
  probeCacheSeconds: z
    .number()
    .min(0)
    .default(2)
    .describe("A node that passed a probe less than this many seconds ago is handed out without a new probe (0 = probe on every hand-out, as the original)."),
  maintenanceFile: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "While this file exists /_health/ answers 500 (maintenance switch).", defaultHelp: "<dataDir>/maintenance" }),
  buildLimit: z.number().int().positive().default(1000).describe("Rows per page of the web UI's build lists."),
});

/** The options of `quipu-shaman serve`. */
export const ShamanConfigSchema = withDaemonCredentialChecks(ShamanOptionsSchema);

export type ShamanConfig = z.output<typeof ShamanConfigSchema>;
export type ShamanConfigInput = z.input<typeof ShamanConfigSchema>;

export interface ShamanFilePaths {
  /** SQLite database. */
  readonly database: string;
  /** The maintenance switch: `maintenanceFile`, else `<dataDir>/maintenance`. */
  readonly maintenanceFile: string;
}

/** Where shaman keeps its files under `dataDir`. */
export function resolveShamanPaths(config: Pick<ShamanConfig, "dataDir" | "maintenanceFile">): ShamanFilePaths {
  return {
    database: join(config.dataDir, "shaman.db"),
    maintenanceFile: config.maintenanceFile ?? join(config.dataDir, "maintenance"),
  };
}
