/**
 * `quipu-chacra upload` in-process through `main([...])` with a captured CliIo, against the real
 * app on a real port (and, for shaman mode, a tiny shaman answering `/api/nodes/next/` the way the
 * real one does: text/plain URL, or a 404 text when no node is healthy).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, type CliIo } from "../src/index.js";
import { createChacraClient } from "../src/client.js";
import { startTestChacra, TEST_USER, type TestChacra } from "./chacra-harness.js";
import { SHA1, sha512, startProxy, writePackage } from "./upload-helpers.js";

const work = mkdtempSync(join(tmpdir(), "quipu-upload-command-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let chacra: TestChacra;
beforeEach(async () => {
  chacra = await startTestChacra();
});
afterEach(async () => {
  await chacra.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  tty?: boolean;
}

const CREDENTIALS = { QUIPU_CHACRA_API_USER: TEST_USER.user, QUIPU_CHACRA_API_KEY: TEST_USER.key };

async function run(args: string[], options: RunOptions = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: options.env ?? CREDENTIALS,
    stdin: options.stdin === undefined ? { isTTY: true, text: async () => "" } : { isTTY: false, text: async () => options.stdin! },
    stderrIsTTY: options.tty ?? false,
  };
  const code = await main(["upload", ...args], io);
  // Secrets never reach the terminal or the logs.
  expect(stdout + stderr).not.toContain(TEST_USER.key);
  return { code, stdout, stderr };
}

const address = (distro = "ubuntu", version = "jammy") => ["--project", "ceph", "--ref", "main", "--sha1", SHA1, "--distro", distro, "--distro-version", version, "--arch", "x86_64"];
const listing = (flavor?: string) =>
  createChacraClient({ url: chacra.url }).listBinaries({ project: "ceph", ref: "main", sha1: SHA1, distro: "ubuntu", distro_version: "jammy", arch: "x86_64", flavor });

describe("quipu-chacra upload", () => {
  it("uploads, then skips, then replaces with --force", async () => {
    const file = join(work, "ceph_19.0_amd64.deb");
    const bytes = writePackage(file, 100_000, 1);
    const first = await run([file, "--url", chacra.url, ...address()]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`created ceph_19.0_amd64.deb ${chacra.url}binaries/ceph/main/${SHA1}/ubuntu/jammy/x86_64/ceph_19.0_amd64.deb/\n`);
    expect(first.stderr).toContain(`quipu-chacra: uploading ${file} (97.7 KiB)\n`);
    expect(first.stderr).toMatch(/quipu-chacra: created ceph_19\.0_amd64\.deb: 97\.7 KiB in [\d.]+ s \([\d.]+ MB\/s\), sha512 verified\n/);
    expect((await listing())["ceph_19.0_amd64.deb"]?.checksum).toBe(sha512(bytes));

    const again = await run([file, "--url", chacra.url, ...address()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^skipped ceph_19\.0_amd64\.deb /);
    expect(again.stderr).toContain("SKIP ceph_19.0_amd64.deb");

    const newer = writePackage(file, 90_000, 2);
    const forced = await run([file, "--url", chacra.url, ...address(), "--force", "--json"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({
      ok: true,
      chacra: chacra.url,
      files: [{ file, name: "ceph_19.0_amd64.deb", status: "replaced", size: 90_000, checksum: sha512(newer), url: expect.stringContaining("/ceph_19.0_amd64.deb/") }],
    });
    expect((await listing())["ceph_19.0_amd64.deb"]?.checksum).toBe(sha512(newer));
  });

  it("reads one path per line from stdin when no file is named, under a flavor, with chacractl's variables", async () => {
    const a = join(work, "a.deb");
    const b = join(work, "b.deb");
    writePackage(a, 1000, 3);
    writePackage(b, 2000, 4);
    const result = await run(["--url", chacra.url, ...address(), "--flavor", "debug"], {
      stdin: `${a}\n\n  ${b}  \n`,
      env: { CHACRA_USER: TEST_USER.user, CHACRA_KEY: TEST_USER.key },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean).map((line) => line.split(" ").slice(0, 2).join(" "))).toEqual(["created a.deb", "created b.deb"]);
    expect(Object.keys(await listing("debug")).sort()).toEqual(["a.deb", "b.deb"]);
  });

  it("takes credentials from the URL (before the environment) and from --user/--key", async () => {
    const file = join(work, "c.deb");
    writePackage(file, 500, 5);
    const inUrl = chacra.url.replace("http://", `http://${TEST_USER.user}:${TEST_USER.key}@`);
    // The URL's credentials win over the environment's.
    const fromUrl = await run([file, "--url", inUrl, ...address()], { env: { QUIPU_CHACRA_API_USER: "someone", QUIPU_CHACRA_API_KEY: "stale-key" } });
    expect(fromUrl.code, fromUrl.stderr).toBe(0);
    const flags = await run([file, "--url", chacra.url, ...address(), "--force", "--user", TEST_USER.user, "--key", TEST_USER.key], { env: {} });
    expect(flags.code, flags.stderr).toBe(0);
    expect(flags.stdout).toMatch(/^replaced c\.deb /);
  });

  it("draws a progress bar on a terminal stderr", async () => {
    const file = join(work, "bar.deb");
    writePackage(file, 3 * 1024 * 1024, 6);
    const result = await run([file, "--url", chacra.url, ...address()], { tty: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("\r\x1b[K");
    expect(result.stderr).toMatch(/\[#{24}\] 100% 3\.00 MiB\/3\.00 MiB /);
  });

  it("fails in one line with a non-zero exit when chacra refuses (wrong key)", async () => {
    const file = join(work, "d.deb");
    writePackage(file, 500, 7);
    const result = await run([file, "--url", chacra.url, ...address()], { env: { QUIPU_CHACRA_API_USER: TEST_USER.user, QUIPU_CHACRA_API_KEY: "not-the-key" } });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").filter((line) => line.includes("error:"))).toEqual([
      `quipu-chacra: error: POST ${chacra.url}binaries/ceph/main/${SHA1}/ubuntu/jammy/x86_64/ answered 401: authentication required: use HTTP Basic with an API user and key [QUIPU_CHACRA_CLIENT_HTTP_ERROR]`,
    ]);
    expect(result.stdout + result.stderr).not.toContain("not-the-key");
  });

  it("fails when the bytes arrive damaged (checksum mismatch), and stores nothing", async () => {
    const proxy = await startProxy(chacra.url, { corruptAt: 5000 });
    try {
      const file = join(work, "damaged.deb");
      writePackage(file, 50_000, 8);
      const result = await run([file, "--url", proxy.url, ...address(), "--json"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/error: POST .* answered 400: checksum mismatch for damaged\.deb/);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, files: [], error: { code: "QUIPU_CHACRA_CLIENT_HTTP_ERROR", details: { status: 400, serverCode: "QUIPU_CHACRA_CHECKSUM_MISMATCH" } } });
      expect(await listing().catch(() => ({}))).toEqual({});
    } finally {
      await proxy.close();
    }
  });

  it("stops at the first failure: later files are not sent", async () => {
    const proxy = await startProxy(chacra.url, { corruptAt: 5000 });
    try {
      const bad = join(work, "first.deb");
      const good = join(work, "second.deb");
      writePackage(bad, 50_000, 9);
      writePackage(good, 100, 10);
      const result = await run([bad, good, "--url", proxy.url, ...address()]);
      expect(result.code).toBe(1);
      expect(proxy.seen.some((line) => line.includes("second.deb"))).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it("retries a 503 and says so", async () => {
    const proxy = await startProxy(chacra.url, { failFirst: 1 });
    try {
      const file = join(work, "retry.deb");
      writePackage(file, 1000, 11);
      // The real wait is 1 s before the second attempt: the test takes that long, asserting no time.
      const result = await run([file, "--url", proxy.url, ...address()]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/answered 503: restarting; retrying in 1 s \(attempt 2 of 3\)/);
    } finally {
      await proxy.close();
    }
  });

  it("rejects bad command lines with exit 2", async () => {
    const file = join(work, "e.deb");
    writePackage(file, 10, 12);
    const cases: [string[], RegExp][] = [
      [[file, ...address()], /where to\? give --url/],
      [[file, "--url", chacra.url, ...address().slice(0, -2)], /--arch is required/],
      [[file, "--url", chacra.url, ...address().map((v) => (v === SHA1 ? "abc" : v))], /--sha1 must be 40 hexadecimal/],
      [[file, "--url", chacra.url, ...address().map((v) => (v === "jammy" ? "../x" : v))], /--distro-version must not contain a slash/],
      [[join(work, "missing.deb"), "--url", chacra.url, ...address()], /cannot upload .*missing\.deb: ENOENT/],
      [[file, "--url", "chacra.example", ...address()], /--url must be an absolute http\(s\) URL/],
      [[file, "--url", chacra.url, "--shaman-url", chacra.url, ...address()], /exclude each other/],
      [["--url", chacra.url, ...address()], /no files given/],
      [[file, "--url", chacra.url, ...address(), "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--shaman-url <url>");
  });
});

describe("shaman mode", () => {
  interface FakeShaman {
    url: string;
    asked: (string | undefined)[];
    node: string | undefined;
    close(): Promise<void>;
  }

  async function startShaman(node: string | undefined): Promise<FakeShaman> {
    const fake: FakeShaman = { url: "", asked: [], node, close: async () => {} };
    const server: Server = createServer((req, res) => {
      if (req.url !== "/api/nodes/next/") return void res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      fake.asked.push(req.headers.authorization);
      if (req.headers.authorization !== `Basic ${Buffer.from("jenkins:shaman-key").toString("base64")}`) {
        return void res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ message: "authentication required" }));
      }
      if (fake.node === undefined) return void res.writeHead(404, { "content-type": "text/plain" }).end("There are no healthy chacra nodes available.");
      res.writeHead(200, { "content-type": "text/plain" }).end(fake.node);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    return fake;
  }

  it("asks shaman for the node, then uploads there (--shaman-url, or --url with --shaman)", async () => {
    const shaman = await startShaman(chacra.url);
    try {
      const file = join(work, "via-shaman.deb");
      writePackage(file, 700, 13);
      const env = { ...CREDENTIALS, SHAMAN_API_USER: "jenkins", SHAMAN_API_KEY: "shaman-key" };
      const viaFlag = await run([file, "--shaman-url", shaman.url, ...address()], { env });
      expect(viaFlag.code, viaFlag.stderr).toBe(0);
      expect(viaFlag.stderr).toContain(`quipu-chacra: shaman ${shaman.url} chose chacra node ${chacra.url}\n`);
      expect(viaFlag.stdout).toMatch(new RegExp(`^created via-shaman\\.deb ${chacra.url}binaries/`));

      const inUrl = shaman.url.replace("http://", "http://jenkins:shaman-key@");
      const viaUrl = await run([file, "--url", inUrl, "--shaman", ...address(), "--force"]);
      expect(viaUrl.code, viaUrl.stderr).toBe(0);
      expect(viaUrl.stdout).toMatch(/^replaced via-shaman\.deb /);
      expect(viaUrl.stdout + viaUrl.stderr).not.toContain("shaman-key");
      expect(shaman.asked).toHaveLength(2);
    } finally {
      await shaman.close();
    }
  });

  it("fails clearly when shaman has no healthy node", async () => {
    const shaman = await startShaman(undefined);
    try {
      const file = join(work, "nowhere.deb");
      writePackage(file, 10, 14);
      const result = await run([file, "--shaman-url", shaman.url, ...address()], { env: { ...CREDENTIALS, QUIPU_SHAMAN_API_USER: "jenkins", QUIPU_SHAMAN_API_KEY: "shaman-key" } });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "quipu-chacra: error: shaman has no chacra node to hand out: There are no healthy chacra nodes available. [QUIPU_NODE_NONE_AVAILABLE]\n",
      );
    } finally {
      await shaman.close();
    }
  });
});
