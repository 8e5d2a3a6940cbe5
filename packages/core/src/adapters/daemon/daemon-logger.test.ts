import { describe, expect, it } from "vitest";
import { createDaemonLogger, redactLogLine } from "./daemon-logger.js";

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe("createDaemonLogger", () => {
  it("writes JSON lines with the daemon name and level", () => {
    const { lines, destination } = capture();
    const logger = createDaemonLogger({ name: "demo", level: "info", destination });
    logger.debug({ hidden: true }, "below the level");
    logger.info({ url: "http://127.0.0.1:1/" }, "listening");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ name: "demo", level: 30, msg: "listening", url: "http://127.0.0.1:1/" });
  });

  it("redacts authorization, passwords, tokens, keys and URL credentials wherever they are", () => {
    const { lines, destination } = capture();
    const logger = createDaemonLogger({ name: "demo", destination });
    const child = logger.child({ apiKey: "secret-binding-1" });
    child.info(
      {
        headers: { authorization: "Basic c2VjcmV0LWhlYWRlcg==", Cookie: "session=secret-cookie" },
        config: { password: "secret-password", users: [{ user: "alice", key: "secret-user-key" }], tokenTtl: 5 },
        peer: "http://alice:secret-url-key@127.0.0.1:8080/api/",
        err: new Error("POST http://bob:secret-in-error@host/ failed"),
      },
      "calling http://carol:secret-in-msg@host/ with Bearer secret-bearer-token",
    );
    const line = lines.join("");
    for (const secret of ["secret-binding-1", "c2VjcmV0LWhlYWRlcg", "secret-cookie", "secret-password", "secret-user-key", "secret-url-key", "secret-in-error", "secret-in-msg", "secret-bearer-token"]) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line) as Record<string, any>;
    expect(parsed["peer"]).toBe("http://alice:[redacted]@127.0.0.1:8080/api/");
    expect(parsed["config"].users[0]).toEqual({ user: "alice", key: "[redacted]" });
    expect(parsed["config"].tokenTtl).toBe("[redacted]");
    expect(parsed["msg"]).toBe("calling http://carol:[redacted]@host/ with Bearer [redacted]");
  });

  it("leaves ordinary fields alone", () => {
    const line = '{"level":30,"name":"demo","url":"http://127.0.0.1:8080/","note":"a \\"key\\": here","msg":"ok"}';
    expect(redactLogLine(line)).toBe(line);
  });
});
