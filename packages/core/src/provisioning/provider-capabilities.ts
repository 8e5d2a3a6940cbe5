import { z } from "zod";

/**
 * What a provider can do. Flags that gate a request field are enforced by
 * `validateMachineRequest`: a request using a capability the provider lacks fails with
 * QUIPU_PROVIDER_UNSUPPORTED instead of being silently ignored. The conformance suite reads the
 * same flags to decide which cases to run.
 */
export const ProviderCapabilitiesSchema = z.strictObject({
  /** `request.volume` is honoured and reported back in `machine.volume`. */
  volumes: z.boolean(),
  /** `request.userData` reaches the machine (cloud-init). */
  userData: z.boolean(),
  /** `get`/`list` return the user data the machine was created with (Nova does not; EC2 can). */
  userDataReadable: z.boolean(),
  /** `request.metadata` is stored, returned on every read, and `list({ tags })` filters by it. */
  metadataTags: z.boolean(),
  /** `list({ tags })` is filtered by the provider itself, not client-side (cheap in a big tenant). */
  listByTag: z.boolean(),
  /** Machines are physical hosts (duffy's `metal` pools), not virtual machines. */
  bareMetal: z.boolean(),
  /**
   * Architectures `request.arch` may name (another one is QUIPU_PROVIDER_UNSUPPORTED). Absent = the
   * architecture follows from image and size (a Nova flavor), so `request.arch` is not checked.
   */
  architectures: z.array(z.string().min(1)).min(1).optional(),
  /** A second live machine with the same name is refused with QUIPU_PROVIDER_ALREADY_EXISTS. */
  uniqueNames: z.boolean(),
  /** `request.network` is honoured. */
  networks: z.boolean(),
});

export type ProviderCapabilities = z.output<typeof ProviderCapabilitiesSchema>;
