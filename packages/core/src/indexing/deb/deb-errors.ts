import { QuipuError } from "../../errors/quipu-error.js";

/**
 * Where in a .deb something went wrong. `offset` is a byte offset into the whole file, or into the
 * decompressed member when `member` is set.
 */
export interface DebProblem {
  readonly file?: string | undefined;
  readonly reason: string;
  readonly offset?: number | undefined;
  readonly member?: string | undefined;
}

/** A `QUIPU_DEB_INVALID` error naming the file, the reason and (when known) the byte offset. */
export function debInvalid(problem: DebProblem, cause?: unknown): QuipuError {
  const where = problem.file === undefined ? "" : ` ${problem.file}`;
  const at = problem.offset === undefined ? "" : ` at byte ${problem.offset}`;
  const member = problem.member === undefined ? "" : ` (member ${problem.member})`;
  return new QuipuError("QUIPU_DEB_INVALID", `invalid .deb${where}${member}: ${problem.reason}${at}`, {
    details: {
      file: problem.file,
      reason: problem.reason,
      ...(problem.offset === undefined ? {} : { offset: problem.offset }),
      ...(problem.member === undefined ? {} : { member: problem.member }),
    },
    cause,
  });
}

/** `QUIPU_DEB_REPO_INVALID`: the input of an index or repository build is inconsistent. */
export function repoInvalid(reason: string, details: Record<string, unknown> = {}): QuipuError {
  return new QuipuError("QUIPU_DEB_REPO_INVALID", `invalid apt repository input: ${reason}`, {
    details: { reason, ...details },
  });
}
