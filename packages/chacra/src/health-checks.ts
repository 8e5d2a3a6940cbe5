/**
 * chacra's `/health/` checks (reference §1.8): the database answers, the build queue is not
 * stalled (quipu's stand-in for "RabbitMQ reachable, a Celery worker alive"), the maintenance
 * file is absent (PR ceph/chacra#202), and each storage directory's filesystem is at most
 * `diskUsageThresholdPercent` used (issue ceph/chacra#201, default 85 as the original). shaman
 * only hands out nodes whose health passes, and registration only happens when it does.
 */
import { existsSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { isQuipuError, parseOrThrow, redactUrlCredentials, truncateText } from "@quipu/core";

export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ChacraHealth {
  readonly healthy: boolean;
  readonly checks: readonly HealthCheck[];
}

export interface ChacraHealthOptions {
  /** Throws when the database cannot be queried. */
  readonly database: () => void;
  /** The build queue's state (`service.queueState`); omitted = not checked. */
  readonly queue?: (() => { stalled: boolean; detail: string }) | undefined;
  /** Storage directories (binary root, repos root) whose filesystems must have room. */
  readonly directories: readonly string[];
  /** Highest acceptable use, 0–100, like df's Use%. Default 85. */
  readonly diskUsageThresholdPercent?: number | undefined;
  /** When this file exists the node reports unhealthy (maintenance switch); null/undefined = no switch. */
  readonly maintenanceFile?: string | null | undefined;
}

const HealthSettingsSchema = z.object({
  directories: z.array(z.string().min(1)),
  diskUsageThresholdPercent: z.number().min(0).max(100).default(85),
  maintenanceFile: z.string().min(1).nullish(),
});

/** Runs every check (none stops the others) and reports each, in the original's order. */
export async function checkChacraHealth(options: ChacraHealthOptions): Promise<ChacraHealth> {
  const settings = parseOrThrow(
    HealthSettingsSchema,
    { directories: options.directories, diskUsageThresholdPercent: options.diskUsageThresholdPercent, maintenanceFile: options.maintenanceFile },
    "health check options",
  );
  const checks: HealthCheck[] = [];

  try {
    options.database();
    checks.push({ name: "database", ok: true, detail: "answers" });
  } catch (error) {
    checks.push({ name: "database", ok: false, detail: describeError(error) });
  }

  if (options.queue) {
    try {
      const state = options.queue();
      checks.push({ name: "queue", ok: !state.stalled, detail: state.stalled ? `stalled: ${state.detail}` : state.detail });
    } catch (error) {
      checks.push({ name: "queue", ok: false, detail: describeError(error) });
    }
  }

  if (settings.maintenanceFile) {
    const present = existsSync(settings.maintenanceFile);
    checks.push({
      name: "maintenance",
      ok: !present,
      detail: present ? `maintenance file ${settings.maintenanceFile} is present` : "no maintenance file",
    });
  }

  // The same filesystem is listed once per directory: operators look for the directory they configured.
  for (const directory of settings.directories) {
    checks.push(await diskCheck(directory, settings.diskUsageThresholdPercent));
  }

  return { healthy: checks.every((check) => check.ok), checks };
}

async function diskCheck(directory: string, thresholdPercent: number): Promise<HealthCheck> {
  const name = `disk ${directory}`;
  try {
    const { path, usedPercent } = await diskUsage(directory);
    const where = path === resolve(directory) ? "" : ` (not created yet; measured at ${path})`;
    const ok = usedPercent <= thresholdPercent;
    return { name, ok, detail: `${usedPercent}% used, limit ${thresholdPercent}%${where}` };
  } catch (error) {
    return { name, ok: false, detail: describeError(error) };
  }
}

/**
 * Use% as df computes it: used / (used + available to unprivileged users), rounded up, so the
 * root-reserved blocks count as unavailable. A directory that does not exist yet is measured at
 * its nearest existing ancestor: data directories are created on first use, and a missing one
 * says nothing about free space.
 */
export async function diskUsage(directory: string): Promise<{ path: string; usedPercent: number }> {
  let path = resolve(directory);
  for (;;) {
    try {
      const stats = await statfs(path);
      const used = (stats.blocks - stats.bfree) * stats.bsize;
      const available = stats.bavail * stats.bsize;
      const usedPercent = used + available === 0 ? 0 : Math.ceil((used / (used + available)) * 100);
      return { path, usedPercent };
    } catch (error) {
      const parent = dirname(path);
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || parent === path) throw error;
      path = parent;
    }
  }
}

/** A short reason for a failed check; health bodies are public, so no URL credentials. */
function describeError(error: unknown): string {
  const text = isQuipuError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return truncateText(redactUrlCredentials(text), 300);
}
