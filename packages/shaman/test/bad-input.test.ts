/**
 * Bad input never makes shaman answer 500 (the original did on every missing key): malformed
 * JSON, wrong shapes, missing keys, unsafe path segments, unknown search parameters — each is a
 * 4xx with a JSON error body naming the problem. A seeded fuzz pass mutates real bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chacraReport, startTestShaman, type TestShaman } from "./shaman-harness.js";

let shaman: TestShaman;
beforeAll(async () => {
  shaman = await startTestShaman({ probeTimeoutMs: 1_000 });
});
afterAll(() => shaman.close());

interface ErrorBody {
  message: string;
  error: { code: string; message: string; details: Record<string, unknown> };
}

async function expectJsonError(response: Response, status: number, code?: string): Promise<ErrorBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/json");
  const body = (await response.json()) as ErrorBody;
  expect(typeof body.message).toBe("string");
  if (code !== undefined) expect(body.error.code).toBe(code);
  return body;
}

const buildBody = {
  url: "https://jenkins.example/job/ceph/1/",
  log_url: "https://jenkins.example/job/ceph/1/consoleFull",
  status: "started",
  distro: "centos",
  distro_version: "9",
  distro_arch: "x86_64",
  ref: "main",
  sha1: "a".repeat(40),
  flavor: "default",
  extra: { version: "1" },
};

describe("request bodies", () => {
  for (const path of ["/api/repos/ceph/", "/api/builds/ceph/"]) {
    it(`${path}: malformed JSON, not an object, empty`, async () => {
      for (const body of ["{", "[1,2]", "null", "\"text\"", "", "{\"a\":}"]) {
        const response = await shaman.post(path, body);
        const error = await expectJsonError(response, 400, "QUIPU_HTTP_BODY_INVALID");
        expect(error.error.details["reason"]).toMatch(/malformed JSON|not a JSON object|empty body/);
      }
    });

    it(`${path}: more than 1 MiB is 413`, async () => {
      const response = await shaman.post(path, JSON.stringify({ padding: "x".repeat(1_100_000) }));
      await expectJsonError(response, 413, "QUIPU_HTTP_BODY_TOO_LARGE");
    });
  }

  it("repo reports: wrong types and values are listed together", async () => {
    const body = { ...chacraReport(), status: "cancelled", archs: "x86_64", chacra_url: "not a url", sha1: "short", distro: "../etc" };
    const error = await expectJsonError(await shaman.post("/api/repos/ceph/", body), 400, "QUIPU_VALIDATION_FAILED");
    const fields = (error.error.details["issues"] as string[]).map((issue) => issue.split(":")[0]);
    expect(fields).toEqual(expect.arrayContaining(["status", "archs", "chacra_url", "sha1", "distro"]));
  });

  it("build reports: missing required keys", async () => {
    const { url: _url, ref: _ref, ...rest } = buildBody;
    const error = await expectJsonError(await shaman.post("/api/builds/ceph/", rest), 400, "QUIPU_VALIDATION_FAILED");
    expect(error.error.details["issues"]).toEqual(expect.arrayContaining([expect.stringMatching(/^url:/), expect.stringMatching(/^ref:/)]));
  });

  it("node registration: malformed JSON and a bad url", async () => {
    await expectJsonError(await shaman.post("/api/nodes/1.chacra.example/", "{"), 400, "QUIPU_HTTP_BODY_INVALID");
    await expectJsonError(await shaman.post("/api/nodes/1.chacra.example/", { url: "ftp://1.chacra.example/" }), 400, "QUIPU_VALIDATION_FAILED");
  });
});

describe("paths and queries", () => {
  it.each([
    ["/api/repos/ceph/main/..%2Fetc/", 400, "QUIPU_MODEL_INVALID_NAME"],
    ["/api/repos/ceph/%E0%A4%A/", 400, "QUIPU_MODEL_INVALID_NAME"],
    ["/api/repos/ceph//x/", 400, "QUIPU_MODEL_INVALID_NAME"],
    ["/api/builds/ceph/ma%00in/", 400, "QUIPU_MODEL_INVALID_NAME"],
    ["/api/repos/ceph/main/latest/centos/9/repo?arch=%00", 400, "QUIPU_MODEL_INVALID_NAME"],
    ["/api/nodes/host%2Fwith%2Fslash/", 400, "QUIPU_MODEL_INVALID_NAME"],
    ["/api/search/?frufru=1", 400, "QUIPU_SHAMAN_SEARCH_INVALID"],
    ["/api/search/?distros=centos", 400, "QUIPU_MODEL_INVALID_DISTRO_QUERY"],
    ["/api/nope/", 404, "QUIPU_HTTP_NOT_FOUND"],
  ])("%s → %i", async (path, status, code) => {
    await expectJsonError(await shaman.fetch(path), status, code);
  });
});

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ODD_VALUES: readonly unknown[] = [null, "", " ", 0, -1, 1.5, true, [], {}, ["x"], "x".repeat(300), "../..", "a/b", "\u0000", "latest", "ready", "deleted", "https://ok.example/r/", 9, "9", { nested: [1] }];

describe("fuzzed bodies", () => {
  it("mutating real repo and build bodies key by key gives 200 or 400, never 500", async () => {
    const random = createRandom(0x5ea1);
    const seen = new Set<number>();
    for (let round = 0; round < 150; round += 1) {
      const repo = random() < 0.5;
      const body: Record<string, unknown> = repo ? chacraReport({ sha1: ((round % 16).toString(16)).repeat(40) }) : { ...buildBody };
      const keys = Object.keys(body);
      const mutations = 1 + Math.floor(random() * 3);
      for (let index = 0; index < mutations; index += 1) {
        const key = keys[Math.floor(random() * keys.length)]!;
        if (random() < 0.3) delete body[key];
        else body[key] = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
      }
      const response = await shaman.post(repo ? "/api/repos/ceph/" : "/api/builds/ceph/", body);
      seen.add(response.status);
      expect([200, 400], `round ${round}: ${JSON.stringify(body).slice(0, 300)}`).toContain(response.status);
      if (response.status === 400) expect(((await response.json()) as ErrorBody).error.code).toMatch(/^QUIPU_/);
      else await response.body?.cancel();
    }
    expect(seen).toEqual(new Set([200, 400]));
    // The tree and search still answer after all that.
    expect((await shaman.fetch("/api/repos/")).status).toBe(200);
    expect((await shaman.fetch("/api/search/?project=ceph&sha1=latest")).status).toBe(200);
  });
});
