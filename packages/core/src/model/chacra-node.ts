import { z } from "zod";
import { HttpUrlSchema } from "./http-url.js";
import { EPOCH_TIMESTAMP, TimestampSchema } from "./timestamp.js";

const HOST_LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const HOST_PATTERN = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-f:.]+\\])(?::\\d{1,5})?$`);

/**
 * A chacra node's host as shaman keys it: an FQDN or IP literal without scheme or path, optionally
 * with a port (`2.chacra.ceph.com`, `127.0.0.1:8081`, `[::1]:8081`). Lowercased: DNS names are
 * case-insensitive and the host is a unique key.
 */
export const HostSchema = z
  .string()
  .max(260)
  .overwrite((value) => value.toLowerCase())
  .regex(HOST_PATTERN, "host must be a host name or IP address with an optional port, without scheme or path");

/**
 * A chacra node in shaman's pool (§2.2, §2.5). snake_case fields match shaman's node JSON.
 * `last_used` starts at the epoch so new nodes are picked first. quipu additions: `url`, an
 * explicit base URL for nodes not reachable at `{scheme}://{host}/`, and `drained`, set by an
 * operator to stop handing the node out while it keeps serving what it has.
 */
export const ChacraNodeSchema = z.object({
  host: HostSchema,
  url: HttpUrlSchema.nullable().default(null),
  last_used: TimestampSchema.default(EPOCH_TIMESTAMP),
  last_check: TimestampSchema.nullable().default(null),
  healthy: z.boolean().default(true),
  down_count: z.number().int().nonnegative().default(0),
  drained: z.boolean().default(false),
});
export type ChacraNode = z.infer<typeof ChacraNodeSchema>;

/** The base URL (with trailing slash) at which a node is reached: its `url`, else `{scheme}://{host}/`. */
export function chacraNodeBaseUrl(node: Pick<ChacraNode, "host" | "url">, scheme: "http" | "https" = "https"): string {
  if (node.url !== null) return node.url.endsWith("/") ? node.url : `${node.url}/`;
  return `${scheme}://${node.host}/`;
}
