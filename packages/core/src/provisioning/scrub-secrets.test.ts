import { describe, expect, it } from "vitest";
import { scrubSecrets, tailText, truncateText } from "./scrub-secrets.js";

describe("scrubSecrets", () => {
  it("replaces configured secrets, their URL-encoded and JSON-escaped forms", () => {
    const secret = 'p@ss "word"/1';
    const text = `raw ${secret} url ${encodeURIComponent(secret)} json ${JSON.stringify(secret)}`;
    const scrubbed = scrubSecrets(text, [secret]);
    expect(scrubbed).not.toContain(secret);
    expect(scrubbed).not.toContain(encodeURIComponent(secret));
    expect(scrubbed).not.toContain(JSON.stringify(secret).slice(1, -1));
  });

  it("removes the longest secret whole when one contains another", () => {
    expect(scrubSecrets("token=abc-def", ["abc", "abc-def"])).toBe("token=[redacted]");
    expect(scrubSecrets("see abc-def here", ["abc", "abc-def"])).toBe("see [redacted] here");
  });

  it("ignores empty secrets", () => {
    expect(scrubSecrets("plain text", [""])).toBe("plain text");
  });

  it.each([
    ["Authorization: Bearer abcdef123456", "abcdef123456"],
    ['{"authorization":"Basic dXNlcjpwYXNz"}', "dXNlcjpwYXNz"],
    ["x-subject-token: gAAAAAB123", "gAAAAAB123"],
    ["Cookie: session=abc123", "session=abc123"],
    ['{"password": "hunter2", "user": "ci"}', "hunter2"],
    ["secret=shh-quiet&next=1", "shh-quiet"],
    ["adminPass: Zx9Kq", "Zx9Kq"],
    ["GET /Node/get?key=0f3c-legacy-key&ver=9", "0f3c-legacy-key"],
    ["clone https://bot:ghp_abcdef@github.com/ceph/ceph", "ghp_abcdef"],
    ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXk"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIEtruncated", "MIIEtruncated"],
    ["token Bearer eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9"],
  ])("redacts %j", (text, leaked) => {
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).not.toContain(leaked);
    expect(scrubbed).toContain("[redacted]");
  });

  it("leaves ordinary provider sentences alone", () => {
    const sentence = "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances";
    expect(scrubSecrets(sentence)).toBe(sentence);
    expect(scrubSecrets("No valid host was found. There are not enough hosts available.")).toBe(
      "No valid host was found. There are not enough hosts available.",
    );
  });

  it("is stable when applied twice", () => {
    const once = scrubSecrets('X-Auth-Token: abcdef {"password":"x"}', ["abcdef"]);
    expect(scrubSecrets(once)).toBe(once);
  });
});

describe("truncateText and tailText", () => {
  it("keep the head or the tail and mark the cut", () => {
    expect(truncateText("abcdef", 4)).toBe("abc…");
    expect(truncateText("abc", 4)).toBe("abc");
    expect(tailText("abcdef", 4)).toBe("…def");
    expect(tailText("abc", 4)).toBe("abc");
  });
});
