import { describe, expect, it } from "vitest";
import { isQuipuError } from "../errors/quipu-error.js";
import {
  MAX_STDERR_TAIL,
  assertCommandSucceeded,
  commandProgram,
  describeRemoteHost,
  quoteShellCommand,
  remoteHostSecrets,
  type RemoteHost,
} from "./remote-executor.js";

const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const host: RemoteHost = { host: "10.0.0.5", user: "root", auth: { privateKey, passphrase: "key-passphrase-77" } };

describe("quoteShellCommand", () => {
  it("passes strings through and quotes argv so nothing is re-split or expanded", () => {
    expect(quoteShellCommand("ls -l | wc -l")).toBe("ls -l | wc -l");
    expect(quoteShellCommand(["echo", "a b", "it's", "$HOME", "--x=1", ""])).toBe(
      `echo 'a b' 'it'\\''s' '$HOME' --x=1 ''`,
    );
  });
});

describe("describeRemoteHost", () => {
  it("names user, host and port, brackets IPv6, never auth", () => {
    expect(describeRemoteHost(host)).toBe("root@10.0.0.5:22");
    expect(describeRemoteHost({ ...host, host: "fd00::5", port: 2222 })).toBe("root@[fd00::5]:2222");
  });
});

describe("commandProgram", () => {
  it("is the first word after environment assignments", () => {
    expect(commandProgram("TOKEN=abc ./bootstrap.sh --url x")).toBe("./bootstrap.sh");
    expect(commandProgram(["systemctl", "restart", "jenkins-agent"])).toBe("systemctl");
    expect(commandProgram("  ")).toBe("(empty command)");
  });
});

describe("assertCommandSucceeded", () => {
  it("returns successful results", () => {
    const result = { exitCode: 0, stdout: "ok", stderr: "" };
    expect(assertCommandSucceeded(host, "true", result)).toBe(result);
  });

  it("throws QUIPU_REMOTE_COMMAND_FAILED with the exit code, program and scrubbed stderr tail", () => {
    const token = "jenkins-token-31337";
    const stderr = `${"noise\n".repeat(1000)}+ curl -u admin:${token} https://jenkins/\npassphrase was key-passphrase-77\nfatal: bootstrap failed`;
    try {
      assertCommandSucceeded(host, `JENKINS_TOKEN=${token} ./bootstrap.sh`, { exitCode: 3, stdout: "", stderr }, [token]);
      expect.unreachable();
    } catch (error) {
      expect(isQuipuError(error, "QUIPU_REMOTE_COMMAND_FAILED")).toBe(true);
      const quipuError = error as { message: string; details: Record<string, unknown> };
      expect(quipuError.message).toBe("./bootstrap.sh on root@10.0.0.5:22 exited with 3: fatal: bootstrap failed");
      expect(quipuError.details).toMatchObject({ host: "root@10.0.0.5:22", program: "./bootstrap.sh", exitCode: 3 });
      expect(String(quipuError.details.stderrTail).length).toBeLessThanOrEqual(MAX_STDERR_TAIL);
      const serialized = JSON.stringify(error);
      expect(serialized).not.toContain(token);
      expect(serialized).not.toContain("key-passphrase-77");
    }
  });

  it("reports signals", () => {
    expect(() => assertCommandSucceeded(host, ["sleep", "100"], { exitCode: 255, exitSignal: "KILL", stdout: "", stderr: "" })).toThrow(
      "sleep on root@10.0.0.5:22 was killed by SIGKILL",
    );
  });

  it("scrubs a private key echoed to stderr", () => {
    try {
      assertCommandSucceeded(host, "cat key", { exitCode: 1, stdout: "", stderr: `${privateKey}\ndone` });
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    }
  });
});

describe("remoteHostSecrets", () => {
  it("lists the non-empty credentials", () => {
    expect(remoteHostSecrets(host)).toEqual([privateKey, "key-passphrase-77"]);
    expect(remoteHostSecrets({ ...host, auth: { password: "" } })).toEqual([]);
  });
});
