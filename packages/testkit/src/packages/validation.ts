import { QuipuError } from "@quipu/core";

/**
 * Collects every problem with an input before failing, so a caller sees them all at once
 * (`QUIPU_VALIDATION_FAILED`, `details.issues` as `path: message`).
 */
export class IssueCollector {
  readonly issues: string[] = [];

  add(path: string, message: string): void {
    this.issues.push(`${path}: ${message}`);
  }

  check(condition: boolean, path: string, message: string): void {
    if (!condition) this.add(path, message);
  }

  throwIfAny(subject: string): void {
    if (this.issues.length === 0) return;
    throw new QuipuError("QUIPU_VALIDATION_FAILED", `invalid ${subject}: ${this.issues.join("; ")}`, {
      details: { subject, issues: [...this.issues] },
    });
  }
}

/** Throws `QUIPU_VALIDATION_FAILED` for a single problem. */
export function invalid(subject: string, path: string, message: string): never {
  const issues = new IssueCollector();
  issues.add(path, message);
  issues.throwIfAny(subject);
  throw new Error("unreachable");
}
