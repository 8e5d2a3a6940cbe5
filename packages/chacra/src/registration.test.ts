import { createManualClock, isQuipuError } from "@quipu/core";
import { createRecordingLogger, expectNoSecretLeaks } from "@quipu/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { probeSleeps } from "../test/sleep-probe.js";
import { closedPort, startTestShamanEndpoint, type TestShamanEndpoint } from "../test/test-shaman-endpoint.js";
import { registerWithShaman, runRegistrationLoop } from "./registration.js";

const USER = "chacra";
const KEY = "reg-Key:with/odd@chars";
const SECRETS = [KEY, Buffer.from(`${USER}:${KEY}`).toString("base64")];

const withCredentials = (url: string) => url.replace("http://", `http://${USER}:${encodeURIComponent(KEY)}@`);

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("registerWithShaman", () => {
  let shaman: TestShamanEndpoint;
  beforeEach(async () => {
    shaman = await startTestShamanEndpoint();
  });
  afterEach(async () => {
    await shaman.close();
  });

  it("POSTs {} to {shamanUrl}api/nodes/{hostname}/ with Basic auth from the URL", async () => {
    const logger = createRecordingLogger();
    await registerWithShaman({ shamanUrl: withCredentials(shaman.url), hostname: "1.chacra.example", logger });
    expect(shaman.requests).toHaveLength(1);
    const [request] = shaman.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/api/nodes/1.chacra.example/");
    expect(request?.json).toEqual({});
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${KEY}`).toString("base64")}`);
    expectNoSecretLeaks(logger.records, SECRETS, "logs");
  });

  it("accepts host:port names, as a local shaman reaches nodes", async () => {
    await registerWithShaman({ shamanUrl: shaman.url, hostname: "127.0.0.1:8080" });
    expect(shaman.requests[0]?.url).toBe("/api/nodes/127.0.0.1:8080/");
  });

  it("turns an error status into QUIPU_CHACRA_REGISTRATION_FAILED without echoing credentials", async () => {
    shaman.reply((request) => ({ status: 401, body: JSON.stringify({ message: `bad credentials ${request.headers.authorization ?? ""}` }) }));
    const error = await failureOf(registerWithShaman({ shamanUrl: withCredentials(shaman.url), hostname: "node1" }));
    expect(isQuipuError(error, "QUIPU_CHACRA_REGISTRATION_FAILED")).toBe(true);
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({ status: 401, host: "node1", url: `${shaman.url}api/nodes/node1/` });
    expectNoSecretLeaks(error, SECRETS, "error");
  });

  it("turns connection refused into QUIPU_CHACRA_REGISTRATION_FAILED", async () => {
    const port = await closedPort();
    const error = await failureOf(registerWithShaman({ shamanUrl: `http://${USER}:${encodeURIComponent(KEY)}@127.0.0.1:${port}/`, hostname: "node1" }));
    expect(isQuipuError(error, "QUIPU_CHACRA_REGISTRATION_FAILED")).toBe(true);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as { details: { url: string } }).details.url).toBe(`http://127.0.0.1:${port}/api/nodes/node1/`);
    expectNoSecretLeaks(error, SECRETS, "error");
  });

  it.each(["", "next", "a/b", "host name", "../x"])("refuses the host name %j", async (hostname) => {
    const error = await failureOf(registerWithShaman({ shamanUrl: shaman.url, hostname }));
    expect(isQuipuError(error, "QUIPU_VALIDATION_FAILED")).toBe(true);
    expect(shaman.requests).toEqual([]);
  });
});

describe("runRegistrationLoop", () => {
  let shaman: TestShamanEndpoint;
  beforeEach(async () => {
    shaman = await startTestShamanEndpoint();
  });
  afterEach(async () => {
    await shaman.close();
  });

  it("registers at start and every interval while healthy, and not while unhealthy", async () => {
    const manual = createManualClock(0);
    const probe = probeSleeps(manual);
    const logger = createRecordingLogger();
    const controller = new AbortController();
    let healthy = true;
    const loop = runRegistrationLoop(
      { signal: controller.signal, clock: probe.clock, intervalMs: 60_000, logger },
      {
        isHealthy: () => healthy,
        register: (signal) => registerWithShaman({ shamanUrl: withCredentials(shaman.url), hostname: "node1", signal }),
      },
    );

    await probe.untilSleeping(1);
    expect(shaman.requests).toHaveLength(1);

    healthy = false;
    await manual.advance(60_000);
    await probe.untilSleeping(2);
    expect(shaman.requests).toHaveLength(1);

    healthy = true;
    await manual.advance(60_000);
    await probe.untilSleeping(3);
    expect(shaman.requests).toHaveLength(2);
    await manual.advance(60_000);
    await probe.untilSleeping(4);
    expect(shaman.requests).toHaveLength(3);

    controller.abort();
    await loop;
    expect(logger.records.map((record) => [record.level, record.obj["event"]])).toEqual([
      ["info", "registration-registered"],
      ["warn", "registration-unhealthy"],
      ["info", "registration-registered"],
      ["debug", "registration-registered"],
    ]);
    expectNoSecretLeaks(logger.records, SECRETS, "logs");
  });

  it("keeps trying after shaman fails, and treats a throwing health check as unhealthy", async () => {
    const manual = createManualClock(0);
    const probe = probeSleeps(manual);
    const logger = createRecordingLogger();
    const controller = new AbortController();
    let failures = 1;
    shaman.reply(() => (failures-- > 0 ? { status: 503 } : { status: 200 }));
    let healthCalls = 0;
    const loop = runRegistrationLoop(
      { signal: controller.signal, clock: probe.clock, intervalMs: 1_000, logger },
      {
        isHealthy: () => {
          healthCalls += 1;
          if (healthCalls === 3) throw new Error("database gone");
          return true;
        },
        register: (signal) => registerWithShaman({ shamanUrl: withCredentials(shaman.url), hostname: "node1", signal }),
      },
    );
    await probe.untilSleeping(1);
    await manual.advance(1_000);
    await probe.untilSleeping(2);
    await manual.advance(1_000);
    await probe.untilSleeping(3);
    controller.abort();
    await loop;

    expect(shaman.requests).toHaveLength(2);
    const events = logger.records.filter((record) => record.level !== "debug").map((record) => record.obj["event"]);
    expect(events).toEqual(["registration-failed", "registration-registered", "registration-unhealthy"]);
    const failed = logger.records.find((record) => record.obj["event"] === "registration-failed");
    expect(isQuipuError(failed?.obj["err"], "QUIPU_CHACRA_REGISTRATION_FAILED")).toBe(true);
    expectNoSecretLeaks(logger.records, SECRETS, "logs");
  });
});
