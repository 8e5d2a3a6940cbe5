import {
  MAX_METADATA_TAGS,
  MAX_USER_DATA_BYTES,
  MachineSchema,
  ProviderCapabilitiesSchema,
  destroyIfPresent,
  errorCodes,
  isQuipuError,
  scrubSecrets,
  type ErrorCode,
  type Machine,
  type MachineRequestInput,
  type ProviderCapabilities,
  type ProvisioningProvider,
  type QuipuError,
} from "@quipu/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectNoSecretLeaks } from "./secret-leaks.js";

/** Failures a harness can make its backend produce; the adapter must surface each with that code. */
export type ForcedProviderFailure =
  | "QUIPU_PROVIDER_AUTH_FAILED"
  | "QUIPU_PROVIDER_QUOTA_EXCEEDED"
  | "QUIPU_PROVIDER_TRANSIENT"
  | "QUIPU_PROVIDER_PERMANENT";

export const FORCED_PROVIDER_FAILURES: readonly ForcedProviderFailure[] = [
  "QUIPU_PROVIDER_AUTH_FAILED",
  "QUIPU_PROVIDER_QUOTA_EXCEEDED",
  "QUIPU_PROVIDER_TRANSIENT",
  "QUIPU_PROVIDER_PERMANENT",
];

/** One adapter under test, built fresh for every test. */
export interface ProviderContractHarness {
  provider: ProvisioningProvider;
  /** Credentials the adapter holds; no error (and no log record) may contain any of them. */
  secrets?: readonly string[];
  /**
   * Makes the backend fail the adapter's next request the way that should become `code` (a fake
   * server answering 401, 403 "Quota exceeded", 503, 400). Without it those cases are skipped.
   */
  failNext?: (code: ForcedProviderFailure) => void | Promise<void>;
  /** Log records the adapter emitted during the test, checked for secrets after each test. */
  logs?: () => readonly unknown[];
  /** Stops fake servers, closes clients. Machines the suite created are destroyed before this. */
  cleanup?: () => void | Promise<void>;
}

export interface ProviderContractOptions {
  /** Shown in the suite title. */
  name: string;
  create: () => ProviderContractHarness | Promise<ProviderContractHarness>;
  /**
   * The adapter's capabilities, when known before the provider is built: gated cases are then
   * skipped with `it.skipIf` and appear as skipped in the report. Flags left out are read from
   * `provider.capabilities` at run time. Declared flags must equal the provider's (a test checks).
   */
  capabilities?: Partial<ProviderCapabilities>;
  /** Image, size (and arch, network) valid on this provider (default `test-image` / `small`). */
  template?: Pick<MachineRequestInput, "image" | "size" | "arch" | "network">;
  /** An id of the provider's format that names no machine (default a random UUID). */
  unknownId?: string;
  /** Per-test timeout in ms, for adapters that reach a real cloud. */
  timeoutMs?: number;
  /** The adapter's own cases, registered inside the suite with access to its helpers. */
  extra?: (context: ProviderContractContext) => void;
}

/** Helpers for `extra` cases; valid inside `it` bodies (a fresh harness per test). */
export interface ProviderContractContext {
  readonly harness: ProviderContractHarness;
  readonly provider: ProvisioningProvider;
  /** The tag every machine of this run carries (`{}` when the provider has no metadata tags). */
  readonly runTags: Readonly<Record<string, string>>;
  /** A DNS-safe name unique to this run. */
  uniqueName(): string;
  /** A valid request: fresh name, the template, the run tags, then `overrides`. */
  request(overrides?: Partial<MachineRequestInput>): MachineRequestInput;
  /** Creates a machine from `request(overrides)` and destroys it after the test. */
  createMachine(overrides?: Partial<MachineRequestInput>): Promise<Machine>;
  /** Destroys `id` after the test (for machines created directly). */
  track(id: string): void;
  /** Awaits `promise`, expecting a QuipuError with `code` that leaks none of the harness's secrets. */
  expectProviderError(promise: Promise<unknown>, code: ErrorCode): Promise<QuipuError>;
}

type CapabilityFlag = keyof ProviderCapabilities;

const RUN_TAG_KEY = "quipu-contract-run";

/**
 * The conformance suite of the ProvisioningProvider port (unstorage's driver-suite idea): every
 * adapter's test file calls it with a harness factory, and the same cases run against the
 * in-memory provider, the OpenStack adapter over the fake, and any future cloud.
 */
export function describeProviderContract(options: ProviderContractOptions): void {
  const template = options.template ?? { image: "test-image", size: "small" };
  const runId = Math.random().toString(36).slice(2, 8).padEnd(6, "0");
  const timeout = options.timeoutMs;
  let nameCounter = 0;
  let current: { harness: ProviderContractHarness; created: string[] } | undefined;

  const active = () => {
    if (!current) throw new Error("provider contract helpers are only usable inside a test");
    return current;
  };
  const secrets = () => active().harness.secrets ?? [];

  const context: ProviderContractContext = {
    get harness() {
      return active().harness;
    },
    get provider() {
      return active().harness.provider;
    },
    get runTags(): Record<string, string> {
      return active().harness.provider.capabilities.metadataTags ? { [RUN_TAG_KEY]: runId } : {};
    },
    uniqueName: () => `qc-${runId}-${++nameCounter}`,
    request(overrides = {}) {
      const { metadata, ...rest } = overrides;
      const tags = { ...context.runTags, ...metadata };
      return {
        name: context.uniqueName(),
        ...template,
        ...(Object.keys(tags).length > 0 ? { metadata: tags } : {}),
        ...rest,
      };
    },
    async createMachine(overrides) {
      const machine = await context.provider.create(context.request(overrides));
      context.track(machine.id);
      return machine;
    },
    track(id) {
      active().created.push(id);
    },
    async expectProviderError(promise, code) {
      let outcome: { rejected: true; error: unknown } | { rejected: false; value: unknown };
      try {
        outcome = { rejected: false, value: await promise };
      } catch (error) {
        outcome = { rejected: true, error };
      }
      if (!outcome.rejected) {
        const id = (outcome.value as { id?: unknown } | undefined)?.id;
        if (typeof id === "string") context.track(id);
        expect.fail(`expected a rejection with ${code}, but the call succeeded`);
      }
      const { error } = outcome;
      // Leaks first: the assertion messages below quote the error.
      expectNoSecretLeaks(error, secrets(), `the error expected to be ${code}`);
      expect(isQuipuError(error), `expected a QuipuError with ${code}, got ${describeError(error, secrets())}`).toBe(true);
      expect((error as QuipuError).code, (error as QuipuError).message).toBe(code);
      return error as QuipuError;
    },
  };

  /** Runs only when `flag` is (`want`) or is not (`!want`) a capability of the provider. */
  function itWhen(flag: CapabilityFlag, want: boolean, title: string, body: () => Promise<void>) {
    const has = (capabilities: Partial<ProviderCapabilities>) =>
      flag === "architectures" ? capabilities.architectures !== undefined : capabilities[flag] === true;
    const declared = options.capabilities;
    const knownMismatch = declared !== undefined && flag in declared && has(declared) !== want;
    it.skipIf(knownMismatch)(
      title,
      async ({ skip }) => {
        if (has(context.provider.capabilities) !== want) skip(`capability ${flag} is ${want ? "absent" : "present"}`);
        await body();
      },
      timeout,
    );
  }

  const expectLiveMachine = (machine: Machine, request: MachineRequestInput) => {
    expect(MachineSchema.safeParse(machine).error?.issues ?? []).toEqual([]);
    expect(machine.name).toBe(request.name);
    expect(["building", "active"]).toContain(machine.status);
    expect(machine.metadata).toMatchObject(request.metadata ?? {});
  };

  describe(`ProvisioningProvider contract: ${options.name}`, () => {
    beforeEach(async () => {
      current = { harness: await options.create(), created: [] };
    });

    afterEach(async () => {
      const finished = current;
      current = undefined;
      if (!finished) return;
      const { harness, created } = finished;
      try {
        for (const id of created.reverse()) await destroyIfPresent(harness.provider, id).catch(() => undefined);
        if (harness.logs) expectNoSecretLeaks(harness.logs(), harness.secrets ?? [], "adapter logs");
      } finally {
        await harness.cleanup?.();
      }
    });

    it(
      "has a name and well-formed capabilities that match the declared ones",
      async () => {
        const { provider } = context;
        expect(provider.name).toMatch(/\S/);
        expect(ProviderCapabilitiesSchema.safeParse(provider.capabilities).error?.issues ?? []).toEqual([]);
        for (const [flag, value] of Object.entries(options.capabilities ?? {})) {
          expect(provider.capabilities[flag as CapabilityFlag], `capability ${flag}`).toEqual(value);
        }
      },
      timeout,
    );

    it(
      "create returns the requested machine, building or active",
      async () => {
        const request = context.request();
        const machine = await context.provider.create(request);
        context.track(machine.id);
        expectLiveMachine(machine, request);
        expect(Number.isNaN(Date.parse(machine.createdAt))).toBe(false);
      },
      timeout,
    );

    it(
      "a created machine appears in list exactly once, with its metadata tags",
      async () => {
        const request = context.request();
        const machine = await context.createMachine(request);
        const listed = await context.provider.list();
        for (const item of listed) expect(MachineSchema.safeParse(item).error?.issues ?? []).toEqual([]);
        const mine = listed.filter((item) => item.id === machine.id);
        expect(mine).toHaveLength(1);
        expectLiveMachine(mine[0] as Machine, request);
      },
      timeout,
    );

    it(
      "get returns the machine by id",
      async () => {
        const request = context.request();
        const machine = await context.createMachine(request);
        const fetched = await context.provider.get(machine.id);
        expect(fetched.id).toBe(machine.id);
        expectLiveMachine(fetched, request);
      },
      timeout,
    );

    itWhen("metadataTags", true, "list by tags returns only machines carrying all of them", async () => {
      const a = await context.createMachine({ metadata: { "quipu-contract-role": "a" } });
      const b = await context.createMachine({ metadata: { "quipu-contract-role": "b" } });
      const ids = async (tags: Record<string, string>) => {
        const listed = await context.provider.list({ tags });
        for (const item of listed) expect(item.metadata).toMatchObject(tags);
        return listed.map((item) => item.id);
      };
      const both = await ids(context.runTags);
      expect(both).toContain(a.id);
      expect(both).toContain(b.id);
      const onlyA = await ids({ ...context.runTags, "quipu-contract-role": "a" });
      expect(onlyA).toContain(a.id);
      expect(onlyA).not.toContain(b.id);
      expect(await ids({ ...context.runTags, "quipu-contract-role": "none" })).toEqual([]);
    });

    itWhen("metadataTags", false, "refuses metadata tags it cannot store with QUIPU_PROVIDER_UNSUPPORTED", async () => {
      await context.expectProviderError(
        context.provider.create(context.request({ metadata: { "quipu-contract-role": "a" } })),
        "QUIPU_PROVIDER_UNSUPPORTED",
      );
      await context.expectProviderError(
        context.provider.list({ tags: { "quipu-contract-role": "a" } }),
        "QUIPU_PROVIDER_UNSUPPORTED",
      );
    });

    it(
      "destroy removes the machine from get (QUIPU_PROVIDER_NOT_FOUND) and from list",
      async () => {
        const machine = await context.createMachine();
        expect(await context.provider.destroy(machine.id)).toBe("destroyed");
        await context.expectProviderError(context.provider.get(machine.id), "QUIPU_PROVIDER_NOT_FOUND");
        expect((await context.provider.list()).map((item) => item.id)).not.toContain(machine.id);
      },
      timeout,
    );

    it(
      "destroy is idempotent: destroying a destroyed machine resolves already-gone",
      async () => {
        const machine = await context.createMachine();
        expect(await context.provider.destroy(machine.id)).toBe("destroyed");
        expect(await context.provider.destroy(machine.id)).toBe("already-gone");
        expect(await context.provider.destroy(machine.id)).toBe("already-gone");
      },
      timeout,
    );

    it(
      "destroying an id the provider never knew fails with QUIPU_PROVIDER_NOT_FOUND",
      async () => {
        const error = await context.expectProviderError(
          context.provider.destroy(options.unknownId ?? crypto.randomUUID()),
          "QUIPU_PROVIDER_NOT_FOUND",
        );
        expect(error.transient).toBe(false);
      },
      timeout,
    );

    it(
      "get of an unknown id fails with QUIPU_PROVIDER_NOT_FOUND",
      async () => {
        await context.expectProviderError(
          context.provider.get(options.unknownId ?? crypto.randomUUID()),
          "QUIPU_PROVIDER_NOT_FOUND",
        );
      },
      timeout,
    );

    it(
      "invalid requests fail with QUIPU_PROVIDER_INVALID_REQUEST before reaching the provider",
      async () => {
        const tooManyTags = Object.fromEntries(
          Array.from({ length: MAX_METADATA_TAGS + 1 }, (_, index) => [`k${index}`, "v"]),
        );
        const named = () => context.request();
        const invalid: unknown[] = [
          null,
          "agent-1",
          { ...named(), name: "Upper_Case" },
          { ...named(), name: "" },
          { ...named(), name: "-leading-hyphen" },
          { ...named(), name: "x".repeat(64) },
          { ...named(), image: "" },
          { ...named(), image: undefined },
          { ...named(), size: "" },
          { ...named(), metadata: tooManyTags },
          { ...named(), metadata: { "bad key": "v" } },
          { ...named(), metadata: { key: 42 } },
          { ...named(), userData: "x".repeat(MAX_USER_DATA_BYTES + 1) },
          { ...named(), volume: { sizeGb: 0 } },
          { ...named(), arch: "X86 64" },
          { ...named(), flavor: "typo-for-size" },
        ];
        for (const request of invalid) {
          await context.expectProviderError(
            context.provider.create(request as MachineRequestInput),
            "QUIPU_PROVIDER_INVALID_REQUEST",
          );
        }
        const attemptedNames = new Set(
          invalid.map((request) => (request as { name?: unknown } | null)?.name).filter((name) => typeof name === "string"),
        );
        const reached = (await context.provider.list()).filter((machine) => attemptedNames.has(machine.name));
        expect(reached.map((machine) => machine.name)).toEqual([]);
      },
      timeout,
    );

    itWhen("uniqueNames", true, "a second live machine with the same name fails with QUIPU_PROVIDER_ALREADY_EXISTS", async () => {
      const machine = await context.createMachine();
      await context.expectProviderError(
        context.provider.create(context.request({ name: machine.name })),
        "QUIPU_PROVIDER_ALREADY_EXISTS",
      );
    });

    itWhen("volumes", true, "creates a machine with a volume and reports its size", async () => {
      const machine = await context.createMachine({ volume: { sizeGb: 1 } });
      expect(machine.volume?.sizeGb).toBe(1);
      expect((await context.provider.get(machine.id)).volume?.sizeGb).toBe(1);
    });

    itWhen("volumes", false, "refuses a volume with QUIPU_PROVIDER_UNSUPPORTED", async () => {
      await context.expectProviderError(
        context.provider.create(context.request({ volume: { sizeGb: 1 } })),
        "QUIPU_PROVIDER_UNSUPPORTED",
      );
    });

    itWhen("userData", false, "refuses user data with QUIPU_PROVIDER_UNSUPPORTED", async () => {
      await context.expectProviderError(
        context.provider.create(context.request({ userData: "#cloud-config\n" })),
        "QUIPU_PROVIDER_UNSUPPORTED",
      );
    });

    itWhen("userDataReadable", true, "user data round-trips unchanged", async () => {
      const userData = "#cloud-config\nruncmd:\n  - [sh, -c, 'echo \"héllo\" > /tmp/quipu']\n";
      const machine = await context.createMachine({ userData });
      expect((await context.provider.get(machine.id)).userData).toBe(userData);
    });

    itWhen("networks", false, "refuses a network choice with QUIPU_PROVIDER_UNSUPPORTED", async () => {
      await context.expectProviderError(
        context.provider.create(context.request({ network: "quipu-contract-net" })),
        "QUIPU_PROVIDER_UNSUPPORTED",
      );
    });

    itWhen("architectures", true, "creates a listed architecture and refuses an unlisted one", async () => {
      const architectures = context.provider.capabilities.architectures ?? [];
      const arch = template.arch ?? architectures[0];
      const machine = await context.createMachine({ arch });
      expect(machine.arch).toBe(arch);
      await context.expectProviderError(
        context.provider.create(context.request({ arch: "quipu_contract_arch" })),
        "QUIPU_PROVIDER_UNSUPPORTED",
      );
    });

    it(
      "an already-aborted create rejects and leaves no machine behind",
      async () => {
        const controller = new AbortController();
        controller.abort(new Error("quipu contract: aborted"));
        const request = context.request();
        const outcome = await context.provider.create(request, { signal: controller.signal }).then(
          (machine) => {
            context.track(machine.id);
            return "resolved";
          },
          () => "rejected",
        );
        expect(outcome).toBe("rejected");
        expect((await context.provider.list()).map((machine) => machine.name)).not.toContain(request.name);
      },
      timeout,
    );

    for (const code of FORCED_PROVIDER_FAILURES) {
      it(
        `a backend failure surfaces as ${code} (transient: ${errorCodes[code].transient}) without secrets, and the next call works`,
        async ({ skip }) => {
          const { failNext } = context.harness;
          if (!failNext) return skip("the harness cannot force failures");
          await failNext(code);
          const error = await context.expectProviderError(context.provider.create(context.request()), code);
          expect(error.transient).toBe(errorCodes[code].transient);
          await context.provider.list();
        },
        timeout,
      );
    }

    it(
      "a backend failure on list surfaces with its code",
      async ({ skip }) => {
        const { failNext } = context.harness;
        if (!failNext) return skip("the harness cannot force failures");
        await failNext("QUIPU_PROVIDER_TRANSIENT");
        await context.expectProviderError(context.provider.list(), "QUIPU_PROVIDER_TRANSIENT");
      },
      timeout,
    );

    options.extra?.(context);
  });
}

function describeError(error: unknown, secrets: readonly string[]): string {
  return scrubSecrets(error instanceof Error ? `${error.name}: ${error.message}` : String(error), secrets);
}
