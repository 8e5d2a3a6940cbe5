import { z } from "zod";

/**
 * The checksum chacra records for every binary: SHA-512 of the file as 128 hex characters.
 * chacractl compares it with its local digest after each upload, so the spelling is lowercase.
 */
export const Sha512HexSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{128}$/, "checksum must be a SHA-512 digest (128 hexadecimal characters)")
  .overwrite((value) => value.toLowerCase());
