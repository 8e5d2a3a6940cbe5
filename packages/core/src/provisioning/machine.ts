import { z } from "zod";
import { parseOrThrow } from "../errors/zod-errors.js";

/**
 * The coarse life cycle quipu acts on. Machines being deleted or already deleted are not
 * represented: the port hides them (see `ProvisioningProvider.get` and `list`).
 * - `building`: accepted, not usable yet (Nova BUILD, EC2 pending);
 * - `active`: running; reachable once its bootstrap has run;
 * - `stopped`: exists but is powered off, suspended or shelved;
 * - `error`: failed; still counts against quota until destroyed (`fault` says why);
 * - `unknown`: the provider reports a state quipu does not model.
 */
export const MachineStatusSchema = z.enum(["building", "active", "stopped", "error", "unknown"]);
export type MachineStatus = z.output<typeof MachineStatusSchema>;

export const MachineAddressSchema = z.object({
  address: z.string().min(1),
  version: z.union([z.literal(4), z.literal(6)]),
  /** Network name as the provider reports it (`private`, `public`, a Nova network label). */
  network: z.string().optional(),
  /** `floating` for NAT-ed public addresses (Nova floating IPs, EC2 public IPs). */
  kind: z.enum(["fixed", "floating"]).optional(),
});
export type MachineAddress = z.output<typeof MachineAddressSchema>;

export const MachineVolumeSchema = z.object({
  id: z.string().min(1).optional(),
  sizeGb: z.number().int().positive(),
  name: z.string().optional(),
});

/**
 * A machine as a provider reports it. Adapters parse provider responses into this shape with
 * `parseProviderMachine`, so a provider that changes its wire format fails at the boundary.
 */
export const MachineSchema = z.object({
  /** Provider-assigned, opaque, stable for the machine's lifetime. */
  id: z.string().min(1).max(255),
  /** Machines created by others in the same tenant may have names quipu would not accept. */
  name: z.string().min(1).max(255),
  status: MachineStatusSchema,
  /** Why the machine is in `error` (Nova `fault.message`, "No valid host was found."). */
  fault: z.string().max(2000).optional(),
  /** Empty while building. */
  addresses: z.array(MachineAddressSchema),
  /** As the request named it when the provider can tell, else the provider's id ("" when booted from a volume). */
  image: z.string(),
  size: z.string(),
  metadata: z.record(z.string(), z.string()),
  /** ISO 8601 with an offset or `Z`. */
  createdAt: z.iso.datetime({ offset: true }),
  arch: z.string().min(1).optional(),
  volume: MachineVolumeSchema.optional(),
  /** Present only when the provider can read user data back (`capabilities.userDataReadable`). */
  userData: z.string().optional(),
});
export type Machine = z.output<typeof MachineSchema>;

/**
 * Validates one machine from a provider response. A mismatch is QUIPU_VALIDATION_FAILED (a remote
 * response failed its schema); the message lists paths only, never values, because raw provider
 * responses carry secrets such as Nova's `adminPass`.
 */
export function parseProviderMachine(input: unknown, providerName = "provider"): Machine {
  return parseOrThrow(MachineSchema, input, `${providerName} machine`);
}

/** Validates a list of machines from a provider response, like `parseProviderMachine`. */
export function parseProviderMachines(input: unknown, providerName = "provider"): Machine[] {
  return parseOrThrow(z.array(MachineSchema), input, `${providerName} machine list`);
}

/** True when `machine.metadata` holds every `tags` entry (AND of equalities; `{}` matches all). */
export function machineHasTags(machine: Pick<Machine, "metadata">, tags: Readonly<Record<string, string>>): boolean {
  return Object.entries(tags).every(([key, value]) => machine.metadata[key] === value);
}

/** Client-side `list({ tags })` for providers whose API cannot filter (`listByTag: false`). */
export function filterMachinesByTags<M extends Pick<Machine, "metadata">>(
  machines: readonly M[],
  tags: Readonly<Record<string, string>> = {},
): M[] {
  return machines.filter((machine) => machineHasTags(machine, tags));
}

/**
 * Maps a Nova server `status` (and `OS-EXT-STS:task_state`) to a MachineStatus, or to `"gone"` for
 * servers being deleted or deleted, which the port hides. Transitional states of a running server
 * (reboot, resize, migration) count as `active`: it still exists and comes back by itself.
 */
export function machineStatusFromNova(status: string, taskState?: string | null): MachineStatus | "gone" {
  if (taskState === "deleting") return "gone";
  switch (status.toUpperCase()) {
    case "BUILD":
    case "REBUILD":
      return "building";
    case "ACTIVE":
    case "REBOOT":
    case "HARD_REBOOT":
    case "PASSWORD":
    case "MIGRATING":
    case "RESIZE":
    case "VERIFY_RESIZE":
    case "REVERT_RESIZE":
      return "active";
    case "SHUTOFF":
    case "SUSPENDED":
    case "PAUSED":
    case "SHELVED":
    case "SHELVED_OFFLOADED":
      return "stopped";
    case "ERROR":
    case "RESCUE":
      return "error";
    case "DELETED":
    case "SOFT_DELETED":
      return "gone";
    default:
      return "unknown";
  }
}
