import { isQuipuError } from "../errors/quipu-error.js";
import type { Machine } from "./machine.js";
import type { MachineRequestInput } from "./machine-request.js";
import type { ProviderCapabilities } from "./provider-capabilities.js";

export interface ProviderCallOptions {
  /** Aborting rejects the call with the signal's reason; a create may still have reached the provider. */
  signal?: AbortSignal;
}

export interface ListMachinesOptions extends ProviderCallOptions {
  /** Only machines whose metadata holds every one of these tags. Needs `capabilities.metadataTags`. */
  tags?: Readonly<Record<string, string>>;
}

/**
 * What `destroy` did:
 * - `"destroyed"`: the machine existed and its deletion was accepted by this call;
 * - `"already-gone"`: the machine had already been destroyed (by an earlier call or by someone
 *   else) and the provider still remembers it (a tombstone: Nova `DELETED`/`SOFT_DELETED` or a
 *   delete in progress, EC2 `terminated`, or an id this adapter instance destroyed itself).
 */
export type DestroyOutcome = "destroyed" | "already-gone";

/**
 * The provisioning port mita and duffy create and destroy machines through. One adapter per cloud
 * (memory, OpenStack, EC2, static pool…), each passing `describeProviderContract` from
 * `@quipu/testkit`. Every method rejects with a QuipuError whose code says what happened:
 *
 * | method  | success                                           | error codes |
 * |---------|---------------------------------------------------|-------------|
 * | create  | the machine, `building` or `active`               | INVALID_REQUEST, UNSUPPORTED, ALREADY_EXISTS, QUOTA_EXCEEDED, AUTH_FAILED, TRANSIENT, PERMANENT |
 * | get     | the machine                                       | NOT_FOUND (never existed, or destroyed), AUTH_FAILED, TRANSIENT, PERMANENT |
 * | list    | live machines (not being deleted), tags ANDed     | UNSUPPORTED (tags without `metadataTags`), AUTH_FAILED, TRANSIENT, PERMANENT |
 * | destroy | `"destroyed"` or `"already-gone"`                  | NOT_FOUND (the provider has no record of the id), AUTH_FAILED, TRANSIENT, PERMANENT |
 *
 * (codes abbreviated: `QUIPU_PROVIDER_*`; a malformed provider response is QUIPU_VALIDATION_FAILED.)
 *
 * Destroy idempotency vs not-found: a repeated destroy of a machine the provider remembers as
 * destroyed resolves `"already-gone"`; an id the provider has no record of at all rejects with
 * QUIPU_PROVIDER_NOT_FOUND. Providers forget deleted machines after a while (Nova purges them), so
 * an adapter keeps a bounded set of ids it destroyed (`createDestroyedIdSet`) to stay idempotent
 * for its own deletions. Callers that only need "make sure it is gone" (idle deletion, orphan
 * sweeps) use `destroyIfPresent`, which turns NOT_FOUND into `"not-found"`.
 *
 * Errors never contain credentials: adapters build them with `classifyProviderHttpError` or
 * scrub provider text with `scrubSecrets`, and never attach request headers or bodies.
 */
export interface ProvisioningProvider {
  /** Short adapter name used in errors and logs (`memory`, `openstack`). */
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /**
   * Validates the request (`validateMachineRequest`) before any provider call, then asks for the
   * machine. Resolves once the provider accepted it, usually still `building`; poll with
   * `waitUntilActive`.
   */
  create(request: MachineRequestInput, options?: ProviderCallOptions): Promise<Machine>;
  /** The machine with that id; QUIPU_PROVIDER_NOT_FOUND when unknown or destroyed. */
  get(id: string, options?: ProviderCallOptions): Promise<Machine>;
  /** Live machines, in no particular order; machines being deleted or deleted are left out. */
  list(options?: ListMachinesOptions): Promise<Machine[]>;
  /**
   * Destroys the machine and its volume. Once it resolves, `get` rejects with NOT_FOUND and `list`
   * leaves the machine out, even if the provider is still tearing it down.
   */
  destroy(id: string, options?: ProviderCallOptions): Promise<DestroyOutcome>;
}

/**
 * Destroys `id` if the provider knows it. For sweeps and idle deletion, where "it was never there"
 * and "it is gone" both mean the job is done; the distinct outcome lets mita drop its database row
 * only once the provider confirms the machine is unknown.
 */
export async function destroyIfPresent(
  provider: ProvisioningProvider,
  id: string,
  options: ProviderCallOptions = {},
): Promise<DestroyOutcome | "not-found"> {
  try {
    return await provider.destroy(id, options);
  } catch (error) {
    if (isQuipuError(error, "QUIPU_PROVIDER_NOT_FOUND")) return "not-found";
    throw error;
  }
}

/** Ids an adapter destroyed, remembered so a repeated destroy answers `"already-gone"`. */
export interface DestroyedIdSet {
  add(id: string): void;
  has(id: string): boolean;
  readonly size: number;
}

/**
 * A bounded, insertion-ordered memory of destroyed ids: once `limit` is reached the oldest id is
 * forgotten, so a daemon running for months does not grow without bound. Repeated destroys come
 * within minutes of the first, so the newest ids are the ones worth keeping.
 */
export function createDestroyedIdSet(limit = 10_000): DestroyedIdSet {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const ids = new Set<string>();
  return {
    add(id) {
      ids.delete(id);
      ids.add(id);
      if (ids.size > limit) {
        const oldest = ids.values().next().value;
        if (oldest !== undefined) ids.delete(oldest);
      }
    },
    has: (id) => ids.has(id),
    get size() {
      return ids.size;
    },
  };
}
