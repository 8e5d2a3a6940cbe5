/**
 * chacra's configuration: the common daemon options plus chacra's own, with defaults. Every option
 * is a config-file key, an environment variable `QUIPU_CHACRA_*` and a flag (CONTRIBUTING.md, the
 * daemon contract); `resolveDaemonConfig` / `runDaemon` from @quipu/core do the layering.
 * `repos` and `purge.rotation` keep the original chacra's shapes (its `repos` and `purge_rotation`
 * settings; the rotation schema is the purge planner's, `purge-plan.ts`).
 */
import { join } from "node:path";
import { z } from "zod";
import { daemonBaseOptionsShape, withDaemonCredentialChecks } from "@quipu/core";
import { PurgeRotationSchema } from "./purge-plan.js";

export const CHACRA_DEFAULT_PORT = 8080;

const name = z.string().min(1);

/** `{ "<other project>": ["<ref>" | "all", …] }`: other projects' packages a repo pulls in. */
const ProjectRefsSchema = z.record(
  name,
  z.array(name, { error: 'expected a list of refs (or "all")' }),
  { error: "expected a mapping of project name to a list of refs" },
);

/**
 * One project's entry of `repos`. Besides the options, every other key names a ref whose repos
 * include other projects' packages (the original's extra repos, reference §1.6.5).
 */
export const ProjectReposOptionsSchema = z
  .object({
    automatic: z.boolean().default(true).describe("Uploads mark the project's repos for rebuilding; when false only POST …/update does."),
    disabled: z.boolean().default(false).describe("Never build repos of this project."),
    combined: z.array(name).optional().describe("Codenames whose deb repos are combined into one."),
    all: ProjectRefsSchema.optional().describe("Other projects (and their refs) pulled into repos of every ref; wins over a ref's own section."),
  })
  .catchall(
    z.record(name, z.array(name, { error: 'expected a list of refs (or "all")' }), {
      // A misspelt option lands here too, so say what other keys mean.
      error: "expected a mapping of project name to a list of refs (keys other than automatic, disabled, combined and all name refs)",
    }),
  );

const PurgeSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Delete old repos periodically."),
    intervalSeconds: z.number().int().positive().default(86_400).describe("Seconds between purge runs."),
    defaultDays: z.number().nonnegative().default(14).describe("Age in days (since last change) after which repos no rotation rule names are deleted."),
    defaultKeepMinimum: z.number().int().nonnegative().default(0).describe("Newest repos kept per project among those no rule names."),
    // The purge planner's own schema, so the config accepts exactly what the planner reads.
    rotation: PurgeRotationSchema.default({}).describe("Per project (or `all`): { ref: {<ref>: {days, keep_minimum}}, flavor: {...}, days, keep_minimum }."),
  })
  // prefault: an absent `purge` is parsed as {}, so the inner defaults apply.
  .prefault({});

const httpUrl = () => z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" });

const ChacraOptionsSchema = z.object({
  ...daemonBaseOptionsShape("chacra", CHACRA_DEFAULT_PORT),
  publicUrl: httpUrl()
    .optional()
    .meta({ description: "Where clients reach this node; used in callbacks and repo files.", defaultHelp: "the URL it listens on" }),
  shamanUrl: httpUrl()
    .optional()
    .describe("shaman's base URL for callbacks and self-registration, may carry Basic credentials (http://user:key@host/); absent = standalone."),
  pollIntervalSeconds: z.number().positive().default(5).describe("Seconds between scans for repos that need building."),
  quietTimeSeconds: z.number().min(0).default(10).describe("Seconds without uploads before a dirty repo is built, so many uploads make one build."),
  buildRetryBaseSeconds: z.number().positive().default(30).describe("First delay before retrying a failed repo build; doubles each attempt."),
  buildRetryMaxSeconds: z.number().positive().default(3600).describe("Longest delay between repo build retries."),
  buildMaxAttempts: z
    .number()
    .int()
    .positive()
    .default(10)
    .describe("Build attempts before a repo stays failed until POST …/update."),
  maxUploadBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 ** 3)
    .describe("Largest accepted upload, in bytes (default 16 GiB)."),
  diskUsageThresholdPercent: z
    .number()
    .min(1)
    .max(100)
    .default(85)
    .describe("The health check fails when the data directory's disk is fuller than this."),
  maintenanceFile: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "While this file exists the health check fails (maintenance switch).", defaultHelp: "<dataDir>/maintenance" }),
  registerIntervalSeconds: z
    .number()
    .min(0)
    .default(300)
    .describe("Seconds between registrations with shaman (0 = only at start)."),
  callbackRetryBaseSeconds: z.number().positive().default(5).describe("First delay before retrying a callback to shaman; doubles each attempt."),
  callbackRetryMaxSeconds: z.number().positive().default(600).describe("Longest delay between callback retries."),
  delegateDownloads: z.boolean().default(false).describe("Answer downloads with X-Accel-Redirect to /b/… so a front proxy sends the file."),
  signKeyFile: z.string().min(1).optional().describe("Armored OpenPGP private key file used to sign built repos."),
  disableUnconfiguredRepos: z.boolean().default(false).describe("Build repos only for projects listed in repos."),
  repos: z
    .record(name, ProjectReposOptionsSchema)
    .default({})
    .describe("Per project: { automatic, disabled, combined: [codenames], all: {project: [refs]}, <ref>: {project: [refs]} }."),
  purge: PurgeSchema.describe("Retention: { enabled, intervalSeconds, defaultDays, defaultKeepMinimum, rotation: {project: {ref, flavor, days, keep_minimum}} }."),
});

type RetryFields = { buildRetryBaseSeconds?: unknown; buildRetryMaxSeconds?: unknown; callbackRetryBaseSeconds?: unknown; callbackRetryMaxSeconds?: unknown };

/** The options of `quipu-chacra serve`. */
export const ChacraConfigSchema = withDaemonCredentialChecks(ChacraOptionsSchema).superRefine(
  (value, context) => {
    const config = value as RetryFields;
    for (const [base, max] of [
      ["buildRetryBaseSeconds", "buildRetryMaxSeconds"],
      ["callbackRetryBaseSeconds", "callbackRetryMaxSeconds"],
    ] as const) {
      const low = config[base];
      const high = config[max];
      if (typeof low === "number" && typeof high === "number" && high < low) {
        context.addIssue({ code: "custom", path: [max], message: `must be at least ${base} (${low})` });
      }
    }
  },
  // Runs even when other options have problems, so that every problem is reported at once.
  { when: () => true },
);

export type ChacraConfig = z.output<typeof ChacraConfigSchema>;
export type ChacraConfigInput = z.input<typeof ChacraConfigSchema>;
export type ProjectReposOptions = z.output<typeof ProjectReposOptionsSchema>;

export interface ChacraFilePaths {
  /** SQLite database. */
  readonly database: string;
  /** Uploaded binaries. */
  readonly binaryRoot: string;
  /** Built repositories (served at /r/). */
  readonly reposRoot: string;
  /** The maintenance switch: `maintenanceFile`, else `<dataDir>/maintenance`. */
  readonly maintenanceFile: string;
}

/** Where chacra keeps its files under `dataDir`. */
export function resolveChacraPaths(config: Pick<ChacraConfig, "dataDir" | "maintenanceFile">): ChacraFilePaths {
  return {
    database: join(config.dataDir, "chacra.db"),
    binaryRoot: join(config.dataDir, "binaries"),
    reposRoot: join(config.dataDir, "repos"),
    maintenanceFile: config.maintenanceFile ?? join(config.dataDir, "maintenance"),
  };
}

/**
 * Where clients reach this node, always with a trailing slash: `publicUrl` when set, else the URL
 * it listens on (pass the one `runDaemon` gives `start`, which has the real port when port is 0),
 * else `http://<host>:<port>/`.
 */
export function chacraPublicUrl(config: Pick<ChacraConfig, "publicUrl" | "host" | "port">, listeningUrl?: string): string {
  const url = config.publicUrl ?? listeningUrl ?? `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}/`;
  return url.endsWith("/") ? url : `${url}/`;
}
