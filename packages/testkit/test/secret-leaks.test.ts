import { QuipuError } from "@quipu/core";
import { describe, expect, it } from "vitest";
import { collectSecretsLeaks, createRecordingLogger } from "../src/index.js";

const secret = "s3cr3t-t0ken";

describe("collectSecretsLeaks", () => {
  it("finds secrets in message, details, cause and JSON, naming paths but not the secret", () => {
    const error = new QuipuError("QUIPU_PROVIDER_AUTH_FAILED", `denied for ${secret}`, {
      details: { request: { headers: { authorization: `Bearer ${secret}` } } },
      cause: new Error(`upstream: ${encodeURIComponent(secret)}`),
    });
    const leaks = collectSecretsLeaks(error, ["unused", secret]);
    expect(leaks).toEqual(
      expect.arrayContaining([
        "message: secret #2",
        "details.request.headers.authorization: secret #2",
        "cause.message: secret #2",
        "JSON: secret #2",
      ]),
    );
    expect(leaks.join(" ")).not.toContain(secret);
  });

  it("finds JSON-escaped forms and survives cycles", () => {
    const quoted = 'pa"ss';
    const value: Record<string, unknown> = { body: JSON.stringify({ password: quoted }) };
    value.self = value;
    expect(collectSecretsLeaks(value, [quoted])).toContain("body: secret #1");
  });

  it("finds nothing in clean values and ignores empty secrets", () => {
    const error = new QuipuError("QUIPU_PROVIDER_NOT_FOUND", "no machine with id x", { details: { id: "x" } });
    expect(collectSecretsLeaks(error, [secret, ""])).toEqual([]);
    expect(collectSecretsLeaks("anything", [""])).toEqual([]);
  });

  it("checks log records from the recording logger", () => {
    const logger = createRecordingLogger();
    logger.child({ provider: "acme" }).info({ token: secret }, "created");
    expect(logger.records).toEqual([{ level: "info", obj: { provider: "acme", token: secret }, msg: "created" }]);
    expect(collectSecretsLeaks(logger.records, [secret])).toEqual(["0.obj.token: secret #1", "JSON: secret #1"]);
  });
});
