import { createManualClock, isQuipuError, type ManualClock } from "@quipu/core";
import { createRecordingLogger, expectNoSecretLeaks, type RecordingLogger } from "@quipu/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { probeSleeps } from "../test/sleep-probe.js";
import { closedPort, startTestShamanEndpoint, type TestShamanEndpoint } from "../test/test-shaman-endpoint.js";
import {
  buildRepoCallbackPayload,
  callbackRetryDelay,
  createCallbackDispatcher,
  type CallbackDispatcherOptions,
  type CallbackOutbox,
  type PendingCallback,
} from "./callback-dispatcher.js";

// ------------------------------------------------------------------ in-memory outbox

interface OutboxRow extends PendingCallback {
  nextAttemptAt: number;
  lastError: string | null;
}

interface MemoryOutbox extends CallbackOutbox {
  readonly rows: OutboxRow[];
  readonly given_up: { id: number; attempts: number; lastError: string }[];
  enqueue(repoId: number, project: string, payload: Record<string, unknown>): number;
}

/** Behaves like the SQLite outbox: heads of each repo's queue only, oldest first. */
function createMemoryOutbox(options: { withFailedPermanently?: boolean } = {}): MemoryOutbox {
  const rows: OutboxRow[] = [];
  const givenUp: { id: number; attempts: number; lastError: string }[] = [];
  let nextId = 1;
  const remove = (id: number) => {
    const index = rows.findIndex((row) => row.id === id);
    if (index >= 0) rows.splice(index, 1);
  };
  const outbox: MemoryOutbox = {
    rows,
    given_up: givenUp,
    enqueue(repoId, project, payload) {
      const id = nextId++;
      rows.push({ id, repoId, project, payload, attempts: 0, nextAttemptAt: 0, lastError: null });
      return id;
    },
    due(now, limit) {
      const heads = new Map<number, OutboxRow>();
      for (const row of rows) if (!heads.has(row.repoId)) heads.set(row.repoId, row);
      return [...heads.values()]
        .filter((row) => row.nextAttemptAt <= now)
        .sort((a, b) => a.id - b.id)
        .slice(0, limit)
        .map(({ id, repoId, project, payload, attempts }) => ({ id, repoId, project, payload, attempts }));
    },
    delivered: remove,
    retryLater(id, attempts, nextAttemptAt, lastError) {
      const row = rows.find((candidate) => candidate.id === id);
      if (!row) throw new Error(`no callback ${id}`);
      Object.assign(row, { attempts, nextAttemptAt, lastError });
    },
  };
  if (options.withFailedPermanently) {
    outbox.failedPermanently = (id, attempts, lastError) => {
      givenUp.push({ id, attempts, lastError });
      remove(id);
    };
  }
  return outbox;
}

// ------------------------------------------------------------------ fixtures

const USER = "chacra-node";
const KEY = "s3cr3t-Key/with+chars";
const SECRETS = [KEY, Buffer.from(`${USER}:${KEY}`).toString("base64")];

const payload = (name: string, extra: Record<string, unknown> = {}) => ({ name, status: "ready", ...extra });

/** `http://user:key@127.0.0.1:port/` for the test endpoint. */
const withCredentials = (url: string) => url.replace("http://", `http://${USER}:${encodeURIComponent(KEY)}@`);

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

describe("callback dispatcher", () => {
  let shaman: TestShamanEndpoint;
  let clock: ManualClock;
  let logger: RecordingLogger;

  beforeEach(async () => {
    shaman = await startTestShamanEndpoint();
    clock = createManualClock(1_000_000);
    logger = createRecordingLogger();
  });
  afterEach(async () => {
    await shaman.close();
  });

  const dispatcherFor = (outbox: CallbackOutbox, overrides: Partial<CallbackDispatcherOptions> = {}) =>
    createCallbackDispatcher({
      outbox,
      shamanUrl: withCredentials(shaman.url),
      clock,
      logger,
      retryBaseMs: 1_000,
      retryMaxMs: 8_000,
      timeoutMs: 10_000,
      ...overrides,
    });

  const names = () => shaman.requests.map((request) => (request.json as { name: string }).name);

  it("POSTs the payload as JSON to {shamanUrl}api/repos/{project}/ with Basic auth from the URL", async () => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "ceph", payload("a1", { ref: "main" }));
    const report = await dispatcherFor(outbox).deliverDue();

    expect(report).toEqual({ delivered: 1, failed: 0, dropped: 0 });
    expect(outbox.rows).toEqual([]);
    const [request] = shaman.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/api/repos/ceph/");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${KEY}`).toString("base64")}`);
    expect(request?.json).toEqual({ name: "a1", status: "ready", ref: "main" });
    // The request line never carries the credentials; they only travel in the header.
    expect(request?.url).not.toContain(USER);
    expectNoSecretLeaks(logger.records, SECRETS, "logs");
  });

  it("keeps a path prefix of the shaman URL, and sends no Authorization without credentials", async () => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "nfs-ganesha", payload("a1"));
    await dispatcherFor(outbox, { shamanUrl: `${shaman.url}shaman` }).deliverDue();
    expect(shaman.requests[0]?.url).toBe("/shaman/api/repos/nfs-ganesha/");
    expect(shaman.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("delivers one repo's callbacks strictly in order while other repos proceed", async () => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "ceph", payload("a1"));
    outbox.enqueue(2, "ceph", payload("b1"));
    outbox.enqueue(1, "ceph", payload("a2"));
    outbox.enqueue(2, "ceph", payload("b2"));
    outbox.enqueue(1, "ceph", payload("a3"));
    const holdA1 = deferred();
    shaman.reply(async (request) => {
      if ((request.json as { name: string }).name === "a1") await holdA1.promise;
      return { status: 200, body: "{}" };
    });

    const pass = dispatcherFor(outbox).deliverDue();
    // Repo 2 is delivered completely while repo 1's head is still unanswered…
    await shaman.waitFor((request) => (request.json as { name: string }).name === "b2");
    // …and repo 1's next callback has not been sent.
    expect(names()).not.toContain("a2");
    holdA1.release();

    expect(await pass).toEqual({ delivered: 5, failed: 0, dropped: 0 });
    const order = names();
    expect(order.filter((name) => name.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(order.filter((name) => name.startsWith("b"))).toEqual(["b1", "b2"]);
    expect(outbox.rows).toEqual([]);
  });

  it("runs at most `concurrency` deliveries at once", async () => {
    const outbox = createMemoryOutbox();
    for (let repo = 1; repo <= 7; repo += 1) outbox.enqueue(repo, "ceph", payload(`r${repo}`));
    let inFlight = 0;
    let maxInFlight = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    // Hold every answer until three requests are waiting at once, so concurrency shows.
    const gate = deferred();
    shaman.reply(async (_request, index) => {
      if (index >= 2) gate.release();
      await gate.promise;
      return { status: 200 };
    });
    const report = await dispatcherFor(outbox, { fetch: counting, concurrency: 3 }).deliverDue();
    expect(report.delivered).toBe(7);
    expect(maxInFlight).toBe(3);
  });

  it("retries after a 5xx with doubling backoff, holding back the repo's later callbacks", async () => {
    const outbox = createMemoryOutbox();
    const a1 = outbox.enqueue(1, "ceph", payload("a1"));
    outbox.enqueue(1, "ceph", payload("a2"));
    outbox.enqueue(2, "ceph", payload("b1"));
    let failuresLeft = 2;
    shaman.reply((request) => {
      if ((request.json as { name: string }).name === "a1" && failuresLeft > 0) {
        failuresLeft -= 1;
        return { status: 503, body: JSON.stringify({ message: "database is locked" }) };
      }
      return { status: 200 };
    });
    const dispatcher = dispatcherFor(outbox);

    expect(await dispatcher.deliverDue()).toEqual({ delivered: 1, failed: 1, dropped: 0 });
    expect(names()).toEqual(["a1", "b1"]);
    expect(outbox.rows.find((row) => row.id === a1)).toMatchObject({ attempts: 1, nextAttemptAt: 1_001_000 });
    expect(outbox.rows.find((row) => row.id === a1)?.lastError).toMatch(/^QUIPU_CHACRA_CALLBACK_FAILED: shaman answered 503 .*database is locked/);
    expect(logger.records).toContainEqual(
      expect.objectContaining({ level: "warn", obj: expect.objectContaining({ event: "callback-retry", callbackId: a1, attempts: 1 }) }),
    );

    // Not due yet: nothing is sent.
    await clock.advance(999);
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, failed: 0, dropped: 0 });
    expect(names()).toEqual(["a1", "b1"]);

    // Second failure: the wait doubles.
    await clock.advance(1);
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, failed: 1, dropped: 0 });
    expect(outbox.rows.find((row) => row.id === a1)).toMatchObject({ attempts: 2, nextAttemptAt: clock.now() + 2_000 });

    await clock.advance(2_000);
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(names()).toEqual(["a1", "b1", "a1", "a1", "a2"]);
    expect(outbox.rows).toEqual([]);
  });

  it("retries when shaman cannot be reached (connection refused), without leaking credentials", async () => {
    const outbox = createMemoryOutbox();
    const id = outbox.enqueue(1, "ceph", payload("a1"));
    const port = await closedPort();
    const dispatcher = dispatcherFor(outbox, { shamanUrl: `http://${USER}:${encodeURIComponent(KEY)}@127.0.0.1:${port}/` });

    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, failed: 1, dropped: 0 });
    const row = outbox.rows.find((candidate) => candidate.id === id);
    expect(row).toMatchObject({ attempts: 1, nextAttemptAt: clock.now() + 1_000 });
    expect(row?.lastError).toMatch(/^QUIPU_CHACRA_CALLBACK_FAILED: .*ECONNREFUSED/);
    const warning = logger.records.find((record) => record.obj["event"] === "callback-retry");
    expect(isQuipuError(warning?.obj["err"], "QUIPU_CHACRA_CALLBACK_FAILED")).toBe(true);
    expect((warning?.obj["err"] as { details: { url: string } }).details.url).toBe(`http://127.0.0.1:${port}/api/repos/ceph/`);
    expectNoSecretLeaks(logger.records, SECRETS, "logs");
    expectNoSecretLeaks(outbox.rows, SECRETS, "stored errors");
  });

  it("caps the backoff at retryMaxMs", () => {
    expect([1, 2, 3, 4, 5, 6].map((attempts) => callbackRetryDelay(attempts, 1_000, 8_000))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(callbackRetryDelay(500, 1_000, 8_000)).toBe(8_000);
  });

  it("drops a callback shaman rejects with 400 and goes on with the repo's next one", async () => {
    const outbox = createMemoryOutbox({ withFailedPermanently: true });
    const a1 = outbox.enqueue(1, "ceph", payload("a1"));
    outbox.enqueue(1, "ceph", payload("a2"));
    shaman.reply((request) =>
      (request.json as { name: string }).name === "a1" ? { status: 400, body: JSON.stringify({ message: "missing key: sha1" }) } : { status: 200 },
    );
    expect(await dispatcherFor(outbox).deliverDue()).toEqual({ delivered: 1, failed: 1, dropped: 1 });
    expect(names()).toEqual(["a1", "a2"]);
    expect(outbox.rows).toEqual([]);
    expect(outbox.given_up).toEqual([{ id: a1, attempts: 1, lastError: expect.stringMatching(/^QUIPU_CHACRA_CALLBACK_REJECTED: .*missing key: sha1/) }]);
    const dropped = logger.records.find((record) => record.obj["event"] === "callback-dropped");
    expect(dropped?.level).toBe("error");
    expect(isQuipuError(dropped?.obj["err"], "QUIPU_CHACRA_CALLBACK_REJECTED")).toBe(true);
  });

  it("without failedPermanently in the outbox, a rejected callback leaves the queue through delivered()", async () => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "ceph", payload("a1"));
    outbox.enqueue(1, "ceph", payload("a2"));
    shaman.reply((request) => ((request.json as { name: string }).name === "a1" ? { status: 422 } : { status: 200 }));
    expect(await dispatcherFor(outbox).deliverDue()).toEqual({ delivered: 1, failed: 1, dropped: 1 });
    expect(outbox.rows).toEqual([]);
  });

  it.each([401, 403, 404, 408, 429])("treats %i as transient (our configuration, or shaman busy)", async (status) => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "ceph", payload("a1"));
    shaman.reply(() => ({ status }));
    expect(await dispatcherFor(outbox).deliverDue()).toEqual({ delivered: 0, failed: 1, dropped: 0 });
    expect(outbox.rows[0]?.attempts).toBe(1);
  });

  it("gives up after maxAttempts transient failures so the repo's queue moves on", async () => {
    const outbox = createMemoryOutbox({ withFailedPermanently: true });
    const a1 = outbox.enqueue(1, "ceph", payload("a1"));
    outbox.enqueue(1, "ceph", payload("a2"));
    shaman.reply((request) => ((request.json as { name: string }).name === "a1" ? { status: 500 } : { status: 200 }));
    const dispatcher = dispatcherFor(outbox, { maxAttempts: 2 });
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, failed: 1, dropped: 0 });
    await clock.advance(1_000);
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 1, failed: 1, dropped: 1 });
    expect(outbox.given_up).toEqual([{ id: a1, attempts: 2, lastError: expect.stringMatching(/^QUIPU_CHACRA_CALLBACK_FAILED/) }]);
    expect(names()).toEqual(["a1", "a1", "a2"]);
  });

  it("scrubs credentials that shaman echoes back in an error body", async () => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "ceph", payload("a1"));
    shaman.reply((request) => ({
      status: 500,
      body: JSON.stringify({ message: `bad auth ${request.headers.authorization ?? ""} key=${KEY} from http://${USER}:${KEY}@host/` }),
    }));
    await dispatcherFor(outbox).deliverDue();
    expectNoSecretLeaks(logger.records, SECRETS, "logs");
    expectNoSecretLeaks(outbox.rows, SECRETS, "stored errors");
    expect(outbox.rows[0]?.lastError).toContain("[redacted]");
  });

  it("treats a request that gets no answer within timeoutMs as transient", async () => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "ceph", payload("a1"));
    const never = deferred();
    shaman.reply(async () => {
      await never.promise;
      return { status: 200 };
    });
    expect(await dispatcherFor(outbox, { timeoutMs: 50 }).deliverDue()).toEqual({ delivered: 0, failed: 1, dropped: 0 });
    expect(outbox.rows[0]?.lastError).toMatch(/no answer within 50 ms/);
    never.release();
  });

  it("leaves an in-flight callback untouched when the signal aborts (shutdown)", async () => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "ceph", payload("a1"));
    outbox.enqueue(1, "ceph", payload("a2"));
    const never = deferred();
    shaman.reply(async () => {
      await never.promise;
      return { status: 200 };
    });
    const controller = new AbortController();
    const pass = dispatcherFor(outbox).deliverDue(controller.signal);
    await shaman.waitFor(() => true);
    controller.abort();
    expect(await pass).toEqual({ delivered: 0, failed: 0, dropped: 0 });
    expect(outbox.rows.map((row) => [row.attempts, row.lastError])).toEqual([
      [0, null],
      [0, null],
    ]);
    never.release();
  });

  it("run() delivers on every interval of the injected clock until aborted", async () => {
    const outbox = createMemoryOutbox();
    outbox.enqueue(1, "ceph", payload("a1"));
    const probe = probeSleeps(clock);
    const controller = new AbortController();
    const dispatcher = dispatcherFor(outbox, { clock: probe.clock });
    const loop = dispatcher.run({ signal: controller.signal, intervalMs: 5_000 });

    await probe.untilSleeping(1);
    expect(names()).toEqual(["a1"]);
    outbox.enqueue(2, "ceph", payload("b1"));
    await clock.advance(5_000);
    await probe.untilSleeping(2);
    expect(names()).toEqual(["a1", "b1"]);
    controller.abort();
    await loop;
  });

  it("refuses bad options without echoing the shaman URL", () => {
    const outbox = createMemoryOutbox();
    const attempt = (options: Partial<CallbackDispatcherOptions>) => {
      try {
        dispatcherFor(outbox, options);
        return undefined;
      } catch (error) {
        return error;
      }
    };
    expect(isQuipuError(attempt({ retryBaseMs: 0 }), "QUIPU_VALIDATION_FAILED")).toBe(true);
    expect(isQuipuError(attempt({ concurrency: 0 }), "QUIPU_VALIDATION_FAILED")).toBe(true);
    const badUrl = attempt({ shamanUrl: `ftp://${USER}:${KEY}@shaman/` });
    expect(isQuipuError(badUrl, "QUIPU_VALIDATION_FAILED")).toBe(true);
    expectNoSecretLeaks(badUrl, SECRETS, "error");
    const notUrl = attempt({ shamanUrl: `${USER}:${KEY}@shaman` });
    expect(isQuipuError(notUrl, "QUIPU_VALIDATION_FAILED")).toBe(true);
    expectNoSecretLeaks(notUrl, SECRETS, "error");
  });
});

describe("buildRepoCallbackPayload", () => {
  const sha1 = "a".repeat(40);
  const repoJson = {
    path: "/srv/repos/ceph/main/x",
    project_name: "ceph",
    ref: "main",
    sha1,
    distro: "centos",
    distro_version: "9",
    flavor: "default",
    type: "rpm",
    archs: ["x86_64", "source"],
    extra: { version: "20.3.0" },
    status: "building",
    generation: 5,
  };
  const uri = `ceph/main/${sha1}/centos/9/flavors/default/`;

  it("adds status, chacra_url, url and generation to the repo JSON (the original's shape)", () => {
    expect(buildRepoCallbackPayload(repoJson, { status: "ready", generation: 7, publicUrl: "https://1.chacra.example/", uri })).toEqual({
      ...repoJson,
      status: "ready",
      generation: 7,
      chacra_url: `https://1.chacra.example/repos/${uri}`,
      url: `https://1.chacra.example/r/${uri}`,
    });
  });

  it("adds the missing trailing slash of the public URL, strips a leading one of the uri, omits a null generation", () => {
    const result = buildRepoCallbackPayload(repoJson, { status: "deleted", generation: null, publicUrl: "http://127.0.0.1:8080/chacra", uri: `/${uri}` });
    expect(result["chacra_url"]).toBe(`http://127.0.0.1:8080/chacra/repos/${uri}`);
    expect(result["url"]).toBe(`http://127.0.0.1:8080/chacra/r/${uri}`);
    expect(result).not.toHaveProperty("generation");
    expect(result["status"]).toBe("deleted");
  });

  it("refuses a payload shaman would reject, and a public URL with credentials", () => {
    const { sha1: _dropped, ...withoutSha1 } = repoJson;
    const missing = (() => {
      try {
        return buildRepoCallbackPayload(withoutSha1, { status: "ready", generation: 1, publicUrl: "https://c.example/", uri });
      } catch (error) {
        return error;
      }
    })();
    expect(isQuipuError(missing, "QUIPU_VALIDATION_FAILED")).toBe(true);
    expect(() => buildRepoCallbackPayload(repoJson, { status: "ready", generation: 1, publicUrl: "https://u:p@c.example/", uri })).toThrow(/credentials/);
  });
});
