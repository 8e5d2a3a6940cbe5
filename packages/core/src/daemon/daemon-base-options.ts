/**
 * The options every quipu daemon has (the daemon contract: listen address, data directory,
 * write credentials, log level). Each daemon's config schema spreads `daemonBaseOptionsShape`.
 */
import { z } from "zod";

export const DAEMON_LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type DaemonLogLevel = (typeof DAEMON_LOG_LEVELS)[number];

export const DaemonUserSchema = z.strictObject({
  user: z.string().min(1),
  key: z.string().min(1),
});
export type DaemonUser = z.output<typeof DaemonUserSchema>;

/** The shape of the common options; spread it into a daemon's `z.object({...})`. */
export function daemonBaseOptionsShape(name: string, defaultPort: number) {
  return {
    host: z.string().min(1).default("127.0.0.1").describe("Address to listen on (0.0.0.0 or :: for every interface)."),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(defaultPort)
      .describe("TCP port to listen on; 0 picks a free port (the \"listening\" log line shows it)."),
    dataDir: z
      .string()
      .min(1)
      .default(`./.quipu/${name}`)
      .describe("Directory of the daemon's database and files; created when missing."),
    apiUser: z.string().min(1).optional().describe("User name for write access (HTTP Basic); goes with apiKey."),
    apiKey: z.string().min(1).optional().describe("Key (password) of apiUser; never logged."),
    users: z
      .array(DaemonUserSchema)
      .default([])
      .describe("More write users, as a list of { user, key }; usually given in the config file."),
    logLevel: z.enum(DAEMON_LOG_LEVELS).default("info").describe("Lowest level of the JSON log lines written to stdout."),
  };
}

interface CredentialFields {
  apiUser?: string | undefined;
  apiKey?: string | undefined;
  users?: readonly DaemonUser[] | undefined;
}

const CREDENTIAL_KEYS = new Set<PropertyKey>(["apiUser", "apiKey", "users"]);

/**
 * Adds the cross-field checks of the base options: `apiUser` and `apiKey` go together, and user
 * names are unique. The checks run even when other options have problems, so that every problem
 * is reported at once.
 */
export function withDaemonCredentialChecks<S extends z.ZodObject>(schema: S): S {
  const when = (payload: z.core.ParsePayload) => !payload.issues.some((issue) => CREDENTIAL_KEYS.has(issue.path?.[0] ?? ""));
  return schema.superRefine((value, context) => {
    // `when` below guarantees the credential fields parsed; the rest of the object may not have.
    const { apiUser, apiKey, users = [] } = value as CredentialFields;
    if (apiUser !== undefined && apiKey === undefined) {
      context.addIssue({ code: "custom", path: ["apiKey"], message: "apiUser is set, so apiKey is required" });
    }
    if (apiKey !== undefined && apiUser === undefined) {
      context.addIssue({ code: "custom", path: ["apiUser"], message: "apiKey is set, so apiUser is required" });
    }
    const seen = new Set<string>(apiUser === undefined ? [] : [apiUser]);
    users.forEach((entry, index) => {
      if (seen.has(entry.user)) {
        context.addIssue({ code: "custom", path: ["users", index, "user"], message: `user "${entry.user}" is listed twice` });
      }
      seen.add(entry.user);
    });
  }, { when });
}

/** Every user allowed to write: `apiUser`/`apiKey` first, then `users`. */
export function daemonUsers(config: CredentialFields): DaemonUser[] {
  const first = config.apiUser !== undefined && config.apiKey !== undefined ? [{ user: config.apiUser, key: config.apiKey }] : [];
  return [...first, ...(config.users ?? [])];
}
