import type { ErrorCode } from "../errors/error-codes.js";
import { QuipuError } from "../errors/quipu-error.js";
import { systemClock, type Clock } from "../ports/clock.js";
import { filterMachinesByTags, type Machine, type MachineStatus } from "./machine.js";
import { validateMachineRequest, type MachineRequest } from "./machine-request.js";
import { ProviderCapabilitiesSchema, type ProviderCapabilities } from "./provider-capabilities.js";
import type {
  DestroyOutcome,
  ListMachinesOptions,
  ProviderCallOptions,
  ProvisioningProvider,
} from "./provisioning-provider.js";

export type ProviderOperation = "create" | "get" | "list" | "destroy";

export interface MemoryProviderOptions {
  /** Adapter name in errors (default `memory`). */
  name?: string;
  /** Drives `bootDelayMs` and `createdAt` (default the system clock). */
  clock?: Clock;
  /** Machine ids (default `mem-1`, `mem-2`, … per provider). */
  generateId?: () => string;
  /** Most live machines at once, `error` ones included as on Nova; more is QUIPU_PROVIDER_QUOTA_EXCEEDED. */
  quota?: number;
  /** Machines stay `building` (with no addresses) until this much clock time has passed (default 0). */
  bootDelayMs?: number;
  /** Overrides of the default capabilities (everything supported, `x86_64` and `aarch64`). */
  capabilities?: Partial<ProviderCapabilities>;
  /** When set, any other image is refused with QUIPU_PROVIDER_PERMANENT, as a cloud does. */
  images?: readonly string[];
  /** When set, any other size is refused with QUIPU_PROVIDER_PERMANENT. */
  sizes?: readonly string[];
  /** `machine.arch` when the request names none (default `x86_64`). */
  defaultArch?: string;
}

export interface FailNextOptions {
  /** Only this operation fails (default: whichever provider call comes next). */
  operation?: ProviderOperation;
  /** How many matching calls fail (default 1). */
  times?: number;
  message?: string;
}

/** The in-memory provider plus the knobs tests turn. */
export interface MemoryProvider extends ProvisioningProvider {
  /**
   * Makes the next matching call reject with `code`, like nodepool's `createServer_fails`.
   * Invalid create requests are refused before reaching the fault, as they never reach a provider.
   */
  failNext(code: ErrorCode, options?: FailNextOptions): void;
  /** Forces a live machine's status (`error` with a fault, `stopped`…), overriding the boot delay. */
  setStatus(id: string, status: MachineStatus, fault?: string): void;
  /** Number of live (not destroyed) machines. */
  readonly liveCount: number;
}

export const DEFAULT_MEMORY_CAPABILITIES: ProviderCapabilities = {
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

interface StoredMachine {
  readonly id: string;
  readonly request: MachineRequest;
  readonly sequence: number;
  readonly createdAtMs: number;
  readonly arch: string;
  destroyed: boolean;
  forcedStatus?: { status: MachineStatus; fault?: string };
}

interface PendingFault {
  code: ErrorCode;
  operation?: ProviderOperation;
  remaining: number;
  message?: string;
}

/**
 * A provisioning provider that keeps machines in a Map: the reference implementation of the port
 * (it passes the conformance suite) and the provider mita and duffy tests run against. Destroyed
 * machines are kept as tombstones forever, so a repeated destroy always answers `"already-gone"`.
 */
export function createMemoryProvider(options: MemoryProviderOptions = {}): MemoryProvider {
  const name = options.name ?? "memory";
  const clock = options.clock ?? systemClock;
  const bootDelayMs = options.bootDelayMs ?? 0;
  const quota = options.quota ?? Number.POSITIVE_INFINITY;
  const defaultArch = options.defaultArch ?? "x86_64";
  if (!(bootDelayMs >= 0)) throw new RangeError(`bootDelayMs must be >= 0, got ${bootDelayMs}`);
  if (!(quota >= 0)) throw new RangeError(`quota must be >= 0, got ${quota}`);
  const capabilities = ProviderCapabilitiesSchema.parse({ ...DEFAULT_MEMORY_CAPABILITIES, ...options.capabilities });
  let counter = 0;
  const generateId = options.generateId ?? (() => `mem-${++counter}`);
  const machines = new Map<string, StoredMachine>();
  let faults: PendingFault[] = [];
  let sequence = 0;

  const live = () => [...machines.values()].filter((stored) => !stored.destroyed);

  function enter(operation: ProviderOperation, signal: AbortSignal | undefined): void {
    signal?.throwIfAborted();
    const fault = faults.find((candidate) => candidate.operation === undefined || candidate.operation === operation);
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults = faults.filter((candidate) => candidate !== fault);
    throw new QuipuError(fault.code, fault.message ?? `${name} ${operation} failed: injected ${fault.code}`, {
      details: { provider: name, operation, injected: true },
    });
  }

  function notFound(id: string): QuipuError {
    return new QuipuError("QUIPU_PROVIDER_NOT_FOUND", `${name} has no machine with id ${id}`, {
      details: { provider: name, id },
    });
  }

  function liveMachine(id: string): StoredMachine {
    const stored = machines.get(id);
    if (!stored || stored.destroyed) throw notFound(id);
    return stored;
  }

  function toMachine(stored: StoredMachine): Machine {
    const { request } = stored;
    const booted = clock.now() - stored.createdAtMs >= bootDelayMs;
    const status = stored.forcedStatus?.status ?? (booted ? "active" : "building");
    const machine: Machine = {
      id: stored.id,
      name: request.name,
      status,
      // Like Nova: no addresses until the network is wired, which happens when the boot is done.
      addresses:
        status === "building"
          ? []
          : [{ address: privateAddress(stored.sequence), version: 4, network: request.network ?? "private", kind: "fixed" }],
      image: request.image,
      size: request.size,
      metadata: { ...request.metadata },
      createdAt: new Date(stored.createdAtMs).toISOString(),
      arch: stored.arch,
    };
    if (stored.forcedStatus?.fault !== undefined) machine.fault = stored.forcedStatus.fault;
    if (request.volume) {
      machine.volume = { id: `${stored.id}-volume`, sizeGb: request.volume.sizeGb, name: request.volume.name ?? request.name };
    }
    if (request.userData !== undefined && capabilities.userDataReadable) machine.userData = request.userData;
    return machine;
  }

  return {
    name,
    capabilities,

    async create(input, callOptions: ProviderCallOptions = {}) {
      callOptions.signal?.throwIfAborted();
      const request = validateMachineRequest(input, capabilities, name);
      enter("create", callOptions.signal);
      if (options.images && !options.images.includes(request.image)) {
        throw new QuipuError("QUIPU_PROVIDER_PERMANENT", `${name} has no image ${request.image}`, {
          details: { provider: name, image: request.image },
        });
      }
      if (options.sizes && !options.sizes.includes(request.size)) {
        throw new QuipuError("QUIPU_PROVIDER_PERMANENT", `${name} has no size ${request.size}`, {
          details: { provider: name, size: request.size },
        });
      }
      const used = live().length;
      if (used + 1 > quota) {
        throw new QuipuError(
          "QUIPU_PROVIDER_QUOTA_EXCEEDED",
          `${name}: quota exceeded for instances: requested 1, but already used ${used} of ${quota} instances`,
          { details: { provider: name, resource: "instances", used, quota } },
        );
      }
      if (capabilities.uniqueNames) {
        const existing = live().find((stored) => stored.request.name === request.name);
        if (existing) {
          throw new QuipuError("QUIPU_PROVIDER_ALREADY_EXISTS", `${name} already has a machine named ${request.name}`, {
            details: { provider: name, name: request.name, id: existing.id },
          });
        }
      }
      const id = generateId();
      if (machines.has(id)) throw new Error(`${name}: generateId returned an id already used: ${id}`);
      const stored: StoredMachine = {
        id,
        request,
        sequence: ++sequence,
        createdAtMs: clock.now(),
        arch: request.arch ?? defaultArch,
        destroyed: false,
      };
      machines.set(id, stored);
      return toMachine(stored);
    },

    async get(id, callOptions: ProviderCallOptions = {}) {
      enter("get", callOptions.signal);
      return toMachine(liveMachine(id));
    },

    async list(listOptions: ListMachinesOptions = {}) {
      enter("list", listOptions.signal);
      const tags = listOptions.tags ?? {};
      if (Object.keys(tags).length > 0 && !capabilities.metadataTags) {
        throw new QuipuError("QUIPU_PROVIDER_UNSUPPORTED", `${name} does not support listing by metadata tags`, {
          details: { provider: name, capability: "metadataTags" },
        });
      }
      return filterMachinesByTags(live().map(toMachine), tags);
    },

    async destroy(id, callOptions: ProviderCallOptions = {}): Promise<DestroyOutcome> {
      enter("destroy", callOptions.signal);
      const stored = machines.get(id);
      if (!stored) throw notFound(id);
      if (stored.destroyed) return "already-gone";
      stored.destroyed = true;
      return "destroyed";
    },

    failNext(code, failOptions = {}) {
      const times = failOptions.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a positive integer, got ${times}`);
      faults.push({ code, operation: failOptions.operation, remaining: times, message: failOptions.message });
    },

    setStatus(id, status, fault) {
      liveMachine(id).forcedStatus = fault === undefined ? { status } : { status, fault };
    },

    get liveCount() {
      return live().length;
    },
  };
}

/** 10.0.0.0/8 addresses from a sequence number: 1 → 10.0.0.1, 256 → 10.0.1.0. */
function privateAddress(sequence: number): string {
  return `10.${(sequence >> 16) & 255}.${(sequence >> 8) & 255}.${sequence & 255}`;
}
