import { z } from "zod";
import { QuipuError } from "../errors/quipu-error.js";
import { parseOrThrow } from "../errors/zod-errors.js";
import type { ProviderCapabilities } from "./provider-capabilities.js";

/** One DNS label (RFC 1123): usable as a hostname, a Jenkins node name and a cloud server name. */
export const MACHINE_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const MAX_MACHINE_NAME_LENGTH = 63;

/**
 * Nova accepts at most 65 535 bytes of base64-encoded user data; 49 149 raw bytes is the largest
 * payload whose base64 form fits, so a request valid here is valid on every provider.
 */
export const MAX_USER_DATA_BYTES = 49_149;

/** Tags are bounded well below Nova's 128 metadata items so adapters can add their own keys. */
export const MAX_METADATA_TAGS = 32;
export const METADATA_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
export const MAX_METADATA_VALUE_LENGTH = 255;

export const MAX_VOLUME_SIZE_GB = 16_384;

const utf8 = new TextEncoder();
// Control characters break provider APIs and log lines; tabs and newlines are not needed in tags.
const hasControlCharacters = (value: string) => /[\u0000-\u001f\u007f]/.test(value);

const MachineNameSchema = z
  .string()
  .regex(MACHINE_NAME_PATTERN, {
    error: "must be one DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
  });

const CatalogueNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((value) => !hasControlCharacters(value), { error: "must not contain control characters" });

export const MachineMetadataSchema = z
  .record(
    z.string().regex(METADATA_KEY_PATTERN, {
      error: "tag keys are 1-128 characters of letters, digits and . _ : / -, starting with a letter or digit",
    }),
    z
      .string()
      .max(MAX_METADATA_VALUE_LENGTH)
      .refine((value) => !hasControlCharacters(value), { error: "must not contain control characters" }),
  )
  .refine((tags) => Object.keys(tags).length <= MAX_METADATA_TAGS, {
    error: `at most ${MAX_METADATA_TAGS} tags`,
  });

export const MachineVolumeRequestSchema = z.strictObject({
  sizeGb: z.number().int().min(1).max(MAX_VOLUME_SIZE_GB),
  name: MachineNameSchema.optional(),
});

/**
 * What mita and duffy ask a provider for. Strict: an unknown key (a typo such as `flavor` for
 * `size`) is an error rather than silently ignored.
 */
export const MachineRequestSchema = z.strictObject({
  name: MachineNameSchema,
  /** Image name or id, as the provider knows it. */
  image: CatalogueNameSchema,
  /** Flavor (OpenStack), instance type (EC2) or server type (Hetzner), by name or id. */
  size: CatalogueNameSchema,
  /** cloud-init user data, raw (adapters base64-encode it when the API wants that). */
  userData: z
    .string()
    .refine((value) => utf8.encode(value).length <= MAX_USER_DATA_BYTES, {
      error: `must be at most ${MAX_USER_DATA_BYTES} bytes (UTF-8)`,
    })
    .optional(),
  /** Ownership and bookkeeping tags (`quipu-owner`, `quipu-pool`), returned on every read. */
  metadata: MachineMetadataSchema.default({}),
  /** An extra data volume attached to the machine (mita's `storage`). */
  volume: MachineVolumeRequestSchema.optional(),
  /** CPU architecture as quipu names it (`x86_64`, `aarch64`, `ppc64le`, `s390x`). */
  arch: z.string().regex(/^[a-z0-9_]{1,32}$/, { error: "must be 1-32 lowercase letters, digits or '_'" }).optional(),
  /** Network name or id to attach the machine to; absent = the provider's default. */
  network: CatalogueNameSchema.optional(),
});

/** A validated request (defaults applied). */
export type MachineRequest = z.output<typeof MachineRequestSchema>;
/** What callers pass to `create` (defaults optional). */
export type MachineRequestInput = z.input<typeof MachineRequestSchema>;

/**
 * The first thing every adapter's `create` does: parse the request (QUIPU_PROVIDER_INVALID_REQUEST
 * listing every problem) and refuse what the provider cannot do (QUIPU_PROVIDER_UNSUPPORTED naming
 * the capability), so nothing invalid ever reaches the provider. Messages name fields, never values:
 * user data often carries a bootstrap token.
 */
export function validateMachineRequest(
  input: unknown,
  capabilities: ProviderCapabilities,
  providerName = "provider",
): MachineRequest {
  const request = parseOrThrow(MachineRequestSchema, input, "machine request", "QUIPU_PROVIDER_INVALID_REQUEST");
  const unsupported = (capability: string, what: string, extra: Record<string, unknown> = {}) =>
    new QuipuError("QUIPU_PROVIDER_UNSUPPORTED", `${providerName} does not support ${what}`, {
      details: { provider: providerName, capability, name: request.name, ...extra },
    });

  if (request.volume && !capabilities.volumes) throw unsupported("volumes", "volumes");
  if (request.userData !== undefined && !capabilities.userData) throw unsupported("userData", "user data");
  if (Object.keys(request.metadata).length > 0 && !capabilities.metadataTags) {
    throw unsupported("metadataTags", "metadata tags");
  }
  if (request.network !== undefined && !capabilities.networks) throw unsupported("networks", "choosing a network");
  if (request.arch !== undefined && capabilities.architectures && !capabilities.architectures.includes(request.arch)) {
    throw unsupported("architectures", `architecture ${request.arch}`, {
      arch: request.arch,
      architectures: capabilities.architectures,
    });
  }
  return request;
}
