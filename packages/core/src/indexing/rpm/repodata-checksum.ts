import { createHash } from "node:crypto";
import type { RepodataChecksumType } from "./package-facts.js";

/** Hex digest of `bytes` (node:crypto, compute only). */
export function repodataChecksum(bytes: Uint8Array, type: RepodataChecksumType = "sha256"): string {
  return createHash(type).update(bytes).digest("hex");
}
