import { QuipuError } from "../../errors/quipu-error.js";

/**
 * The error for every unreadable .rpm: truncated, corrupt, or not an rpm at all. `details.file`
 * names the file (when the caller said), `details.reason` says what is wrong in words, and
 * `details.offset` is the byte offset in the file where the problem was found.
 */
export function rpmInvalid(reason: string, offset: number, fileName: string | undefined): QuipuError {
  const where = fileName === undefined ? "" : `${fileName}: `;
  return new QuipuError("QUIPU_RPM_INVALID", `${where}not a readable rpm package: ${reason} (at byte ${offset})`, {
    details: { file: fileName ?? null, reason, offset },
  });
}
