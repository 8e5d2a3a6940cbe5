import { QuipuError, isQuipuError } from "../errors/quipu-error.js";
import type { Clock } from "../ports/clock.js";
import type { Machine } from "./machine.js";
import type { ProvisioningProvider } from "./provisioning-provider.js";

export interface WaitUntilActiveOptions {
  clock: Clock;
  /** Give up after this long (default 10 min; Nova builds take 1-5 min, bare metal longer). */
  timeoutMs?: number;
  /** Time between two `get` calls (default 5 s). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Polls `provider.get(id)` until the machine is `active`. A machine in `error` fails at once with
 * QUIPU_PROVIDER_PERMANENT carrying its `fault` (the caller should destroy it: error machines use
 * quota). Transient provider errors while polling are retried until the deadline, which fails with
 * QUIPU_PROVIDER_TRANSIENT: a new attempt may well succeed.
 */
export async function waitUntilActive(
  provider: ProvisioningProvider,
  id: string,
  options: WaitUntilActiveOptions,
): Promise<Machine> {
  const { clock, timeoutMs = 600_000, intervalMs = 5_000, signal } = options;
  const deadline = clock.now() + timeoutMs;
  let lastStatus = "unknown";
  for (;;) {
    signal?.throwIfAborted();
    try {
      const machine = await provider.get(id, { signal });
      if (machine.status === "active") return machine;
      if (machine.status === "error") {
        throw new QuipuError(
          "QUIPU_PROVIDER_PERMANENT",
          `${provider.name} machine ${id} failed to boot${machine.fault ? `: ${machine.fault}` : ""}`,
          { details: { provider: provider.name, id, name: machine.name, fault: machine.fault } },
        );
      }
      lastStatus = machine.status;
    } catch (error) {
      if (!isQuipuError(error, "QUIPU_PROVIDER_TRANSIENT")) throw error;
      lastStatus = "unreachable";
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new QuipuError(
        "QUIPU_PROVIDER_TRANSIENT",
        `${provider.name} machine ${id} is not active after ${timeoutMs} ms (last status: ${lastStatus})`,
        { details: { provider: provider.name, id, timeoutMs, lastStatus } },
      );
    }
    await clock.sleep(Math.min(intervalMs, remaining), signal);
  }
}
