import { describe, expect, it } from "vitest";
import { QuipuError } from "../../errors/quipu-error.js";
import { authRequired, isAuthorized, jsonError, methodNotAllowed, notFound, pathSegments, readJsonObject } from "./http-support.js";

const basic = (user: string, key: string) => `Basic ${Buffer.from(`${user}:${key}`).toString("base64")}`;

describe("isAuthorized", () => {
  const users = [
    { user: "ci", key: "k1" },
    { user: "ops", key: "k:2" },
  ];

  it("accepts Basic credentials of any configured user, the key may hold a colon", () => {
    expect(isAuthorized(basic("ci", "k1"), users)).toBe(true);
    expect(isAuthorized(basic("ops", "k:2"), users)).toBe(true);
    expect(isAuthorized(`basic ${basic("ci", "k1").slice(6)}`, users)).toBe(true);
  });

  it("refuses wrong keys, another user's key, other schemes, garbage and an empty user list", () => {
    expect(isAuthorized(basic("ci", "k:2"), users)).toBe(false);
    expect(isAuthorized(basic("nobody", "k1"), users)).toBe(false);
    expect(isAuthorized("Bearer k1", users)).toBe(false);
    expect(isAuthorized("Basic !!!", users)).toBe(false);
    expect(isAuthorized(undefined, users)).toBe(false);
    expect(isAuthorized(basic("ci", "k1"), [])).toBe(false);
  });
});

describe("errors as JSON", () => {
  it("answers a QuipuError with its registry status, the message beside quipu's error object", async () => {
    const response = jsonError(new QuipuError("QUIPU_HTTP_NOT_FOUND", "repo not found", { details: { path: "/x/" } }), { "x-extra": "1" });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-extra")).toBe("1");
    expect(await response.text()).toBe('{"message":"repo not found","error":{"code":"QUIPU_HTTP_NOT_FOUND","message":"repo not found","details":{"path":"/x/"}}}');
  });

  it("answers anything else with a 500 that says nothing about it, and logs it", async () => {
    const logged: object[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (obj: object) => void logged.push(obj) };
    const response = jsonError(new Error("secret detail"), {}, logger);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("secret detail");
    expect(logged).toHaveLength(1);
  });

  it("401 names the realm; 404 and 405 carry the path", async () => {
    const denied = authRequired("Chacra :: Binary API");
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toBe('Basic realm="Chacra :: Binary API"');
    expect(notFound("/a/", "repo").status).toBe(404);
    expect(await methodNotAllowed("PUT", "/a/").json()).toMatchObject({ error: { code: "QUIPU_HTTP_METHOD_NOT_ALLOWED", details: { method: "PUT", path: "/a/" } } });
  });
});

describe("pathSegments", () => {
  it("decodes the segments after the prefix, ignoring one trailing slash", () => {
    expect(pathSegments("/binaries/", "/binaries/")).toEqual([]);
    expect(pathSegments("/binaries/ceph/main/", "/binaries/")).toEqual(["ceph", "main"]);
    expect(pathSegments("/binaries/ceph/a%20b", "/binaries/")).toEqual(["ceph", "a b"]);
  });

  it("turns empty, dot and badly encoded segments into a 400, with the value cut short", () => {
    for (const path of ["/r/a//b/", "/r/../x/", "/r/./x/", "/r/%2e%2e/", "/r/a%2Fb/"]) {
      expect(() => pathSegments(path, "/r/")).toThrow(expect.objectContaining({ code: "QUIPU_MODEL_INVALID_NAME" }));
    }
    const long = `%zz${"a".repeat(500)}`;
    expect(() => pathSegments(`/r/${long}/`, "/r/")).toThrow(
      expect.objectContaining({ details: { what: "path segment", value: long.slice(0, 300), problem: "bad percent-encoding" } }),
    );
  });
});

describe("readJsonObject", () => {
  const post = (body: string, headers: Record<string, string> = {}) => new Request("http://x/", { method: "POST", body, headers });

  it("reads a JSON object", async () => {
    expect(await readJsonObject(post('{"a":1}'))).toEqual({ a: 1 });
  });

  it("refuses malformed JSON, non-objects and an empty body with a reason, unless empty is allowed", async () => {
    const invalid = (reason: string) => expect.objectContaining({ code: "QUIPU_HTTP_BODY_INVALID", details: { reason } });
    await expect(readJsonObject(post("{"))).rejects.toEqual(invalid("malformed JSON"));
    await expect(readJsonObject(post("[1]"))).rejects.toEqual(invalid("not a JSON object"));
    await expect(readJsonObject(post("null"))).rejects.toEqual(invalid("not a JSON object"));
    await expect(readJsonObject(post(" "))).rejects.toEqual(invalid("empty body"));
    expect(await readJsonObject(post(""), { allowEmpty: true })).toEqual({});
  });

  it("counts the limit in bytes, declared or sent", async () => {
    const tooLarge = expect.objectContaining({ code: "QUIPU_HTTP_BODY_TOO_LARGE", details: { limit: 10 } });
    await expect(readJsonObject(post('{"a":"ééééé"}'), { maxBytes: 10 })).rejects.toEqual(tooLarge);
    await expect(readJsonObject(post("{}", { "content-length": "11" }), { maxBytes: 10 })).rejects.toEqual(tooLarge);
    expect(await readJsonObject(post('{"a":"é"}'), { maxBytes: 10 })).toEqual({ a: "é" });
  });
});
