import { describe, expect, it } from "vitest";
import { MAX_PROVIDER_BODY_EXCERPT, classifyProviderHttpError, providerErrorText } from "./provider-http-error.js";

const nova = (kind: string, code: number, message: string) => JSON.stringify({ [kind]: { code, message } });

describe("classifyProviderHttpError", () => {
  it.each([
    [401, `{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`, "QUIPU_PROVIDER_AUTH_FAILED"],
    [403, nova("forbidden", 403, "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"), "QUIPU_PROVIDER_QUOTA_EXCEEDED"],
    [403, nova("forbidden", 403, "Policy doesn't allow os_compute_api:servers:create to be performed."), "QUIPU_PROVIDER_AUTH_FAILED"],
    [404, nova("itemNotFound", 404, "Instance 6f1c could not be found."), "QUIPU_PROVIDER_NOT_FOUND"],
    [408, "", "QUIPU_PROVIDER_TRANSIENT"],
    [409, `{"error":{"code":"uniqueness_error","message":"server name is already used"}}`, "QUIPU_PROVIDER_ALREADY_EXISTS"],
    [409, nova("conflictingRequest", 409, "Server with name agent-1 already exists"), "QUIPU_PROVIDER_ALREADY_EXISTS"],
    [409, nova("conflictingRequest", 409, "Cannot 'delete' instance 6f1c while it is in task_state spawning"), "QUIPU_PROVIDER_TRANSIENT"],
    [409, nova("conflictingRequest", 409, "Multiple possible networks found, use a Network ID to be more specific."), "QUIPU_PROVIDER_PERMANENT"],
    [409, `{"message":"Quota exceeded for cores"}`, "QUIPU_PROVIDER_QUOTA_EXCEEDED"],
    [413, nova("overLimit", 413, "Quota exceeded for ram"), "QUIPU_PROVIDER_QUOTA_EXCEEDED"],
    [429, "<html><body>Too Many Requests</body></html>", "QUIPU_PROVIDER_TRANSIENT"],
    [500, nova("computeFault", 500, "Unexpected API Error."), "QUIPU_PROVIDER_TRANSIENT"],
    [501, "", "QUIPU_PROVIDER_UNSUPPORTED"],
    [502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>", "QUIPU_PROVIDER_TRANSIENT"],
    [503, "", "QUIPU_PROVIDER_TRANSIENT"],
    [400, nova("badRequest", 400, "Invalid imageRef provided."), "QUIPU_PROVIDER_PERMANENT"],
    [422, "", "QUIPU_PROVIDER_PERMANENT"],
    [302, "", "QUIPU_PROVIDER_PERMANENT"],
  ])("HTTP %i %s → %s", (status, body, code) => {
    const error = classifyProviderHttpError(status, body);
    expect(error.code).toBe(code);
    expect(error.details.status).toBe(status);
  });

  it("quotes the provider's sentence with who and what", () => {
    const error = classifyProviderHttpError(404, nova("itemNotFound", 404, "Instance 6f1c could not be found."), {
      provider: "openstack",
      operation: "GET /servers/6f1c",
      id: "6f1c",
    });
    expect(error.message).toBe(
      "openstack GET /servers/6f1c failed with HTTP 404: no machine with id 6f1c: Instance 6f1c could not be found.",
    );
    expect(error.details).toEqual({
      status: 404,
      body: "Instance 6f1c could not be found.",
      provider: "openstack",
      operation: "GET /servers/6f1c",
      id: "6f1c",
    });
  });

  it("keeps transient and permanent apart through the registry", () => {
    expect(classifyProviderHttpError(503, "").transient).toBe(true);
    expect(classifyProviderHttpError(403, "Quota exceeded").transient).toBe(true);
    expect(classifyProviderHttpError(400, "").transient).toBe(false);
    expect(classifyProviderHttpError(401, "").transient).toBe(false);
  });

  it("scrubs configured secrets and credential-shaped text from message and details", () => {
    const password = "pa$$w0rd-keystone";
    const token = "gAAAAABk-token-value-1234567890";
    const body = [
      "<html><body><h1>401</h1><pre>",
      `Authorization: Bearer ${token}`,
      `X-Auth-Token: ${token}`,
      `{"auth":{"identity":{"password":{"user":{"name":"ci","password":"${password}"}}}}}`,
      `retrying https://ci:${encodeURIComponent(password)}@keystone.example/v3`,
      "</pre></body></html>",
    ].join("\n");
    const error = classifyProviderHttpError(401, body, { provider: "openstack", secrets: [password, token] });
    const everything = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(encodeURIComponent(password));
    expect(everything).not.toContain(token);
    expect(error.message).toContain("[redacted]");
  });

  it("redacts credential-shaped text even when no secret was configured", () => {
    const error = classifyProviderHttpError(
      502,
      'upstream said: Authorization: Basic dXNlcjpwYXNzd29yZA== and "password": "hunter22" via https://u:p4ss@h/',
    );
    expect(error.message).not.toContain("dXNlcjpwYXNzd29yZA==");
    expect(error.message).not.toContain("hunter22");
    expect(error.message).not.toContain("p4ss");
  });

  it("scrubs before cutting, so no prefix of a secret survives the cut", () => {
    const secret = "s".repeat(40) + "-tail";
    const body = "x".repeat(MAX_PROVIDER_BODY_EXCERPT - 10) + secret;
    const error = classifyProviderHttpError(500, body, { secrets: [secret] });
    expect(error.message).not.toContain("ssssssssss");
    expect(String(error.details.body).length).toBeLessThanOrEqual(MAX_PROVIDER_BODY_EXCERPT);
  });
});

describe("providerErrorText", () => {
  it("finds the message in the shapes providers use", () => {
    expect(providerErrorText(nova("badRequest", 400, "Invalid  imageRef\nprovided."))).toBe("Invalid imageRef provided.");
    expect(providerErrorText(`{"error":"invalid_grant"}`)).toBe("invalid_grant");
    expect(providerErrorText(`{"errors":[{"message":"a"},{"message":"b"}]}`)).toBe("a; b");
    expect(providerErrorText(`{"id":"forbidden","message":"You do not have access"}`)).toBe("You do not have access");
    expect(
      providerErrorText(
        "<Response><Errors><Error><Code>InstanceLimitExceeded</Code><Message>You have requested more instances than allowed</Message></Error></Errors></Response>",
      ),
    ).toBe("You have requested more instances than allowed");
    expect(providerErrorText("<html><style>p{}</style><body><p>Service&nbsp;Unavailable</p></body></html>")).toBe(
      "Service Unavailable",
    );
    expect(providerErrorText("{not json")).toBe("{not json");
  });
});
