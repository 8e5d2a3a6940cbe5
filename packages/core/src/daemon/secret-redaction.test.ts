import { describe, expect, it } from "vitest";
import { collectSecrets, isSecretName, redactUrlCredentials, hideSecretValues } from "./secret-redaction.js";

describe("secret redaction", () => {
  it("tells secret names from the names of places", () => {
    for (const name of ["apiKey", "key", "password", "callbackPassword", "token", "clientSecret", "authorization"]) {
      expect(isSecretName(name)).toBe(true);
    }
    for (const name of ["signKeyFile", "host", "apiUser", "shamanUrl", "keepMinimum"]) expect(isSecretName(name)).toBe(false);
  });

  it("hides URL passwords but keeps the user", () => {
    expect(redactUrlCredentials("POST http://ci:s3cret@127.0.0.1:8080/api/ and https://x:y@h/")).toBe(
      "POST http://ci:[redacted]@127.0.0.1:8080/api/ and https://x:[redacted]@h/",
    );
    expect(redactUrlCredentials("http://user@host/ http://host:8080/")).toBe("http://user@host/ http://host:8080/");
  });

  it("collects secrets under secret names and in URLs, and scrubs them", () => {
    const secrets = collectSecrets({ users: [{ user: "alice", key: "alice-key" }], peer: "http://u:p%40ss@h/", nested: { apiKey: "k-123" } });
    expect([...secrets].sort()).toEqual(["alice-key", "k-123", "p%40ss", "p@ss"].sort());
    expect(hideSecretValues("got alice-key and k-123 from http://u:p%40ss@h/", secrets)).toBe("got [redacted] and [redacted] from http://u:[redacted]@h/");
  });
});
