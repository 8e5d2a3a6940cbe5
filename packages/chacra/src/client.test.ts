import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import busboy from "busboy";
import { expectNoSecretLeaks } from "@quipu/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { failure } from "../test/upload-helpers.js";
import { createMultipartBody } from "./client-upload-body.js";
import { createChacraClient, nextChacraNode, redactUrl, splitCredentials, type RetryNotice } from "./client.js";
import { createUploadProgress, formatBytes } from "./upload-progress.js";

const KEY = "k3y-that-must-never-leak";
const SHA1 = "b".repeat(40);
const DIR = { project: "ceph", ref: "main", sha1: SHA1, distro: "ubuntu", distro_version: "jammy", arch: "x86_64" } as const;

interface Call {
  method: string;
  url: string;
  authorization: string | null;
}

/** A scripted fetch: answers in order, records what was asked. */
function scripted(answers: (Response | Error)[]) {
  const calls: Call[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({ method: init?.method ?? "GET", url: String(input), authorization: headers.get("authorization") });
    const next = answers.shift();
    if (next === undefined) throw new Error("unexpected request");
    if (next instanceof Error) throw next;
    return next;
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const work = mkdtempSync(join(tmpdir(), "quipu-client-unit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("credentials and URLs", () => {
  it("takes user:key from the URL, strips it from the base, and lets options win", () => {
    const split = splitCredentials(`http://builder:${encodeURIComponent("p@ss:word")}@chacra.example:8080/prefix`);
    expect(split.base.href).toBe("http://chacra.example:8080/prefix/");
    expect(split.credentials).toEqual({ user: "builder", key: "p@ss:word" });
    expect(splitCredentials("http://a:b@h/", "other", "key2").credentials).toEqual({ user: "other", key: "key2" });
    expect(splitCredentials("https://h/").credentials).toBeUndefined();
    expect(redactUrl(`http://builder:${KEY}@h/x/`)).toBe("http://h/x/");
  });

  it("rejects what is not an http(s) URL", () => {
    expect(() => splitCredentials("ftp://h/")).toThrow(/http or https/);
    expect(() => splitCredentials("chacra.example")).toThrow(/absolute/);
  });

  it("sends credentials only as Basic auth, and keeps them out of errors", async () => {
    const { fetch, calls } = scripted([json({ message: `bad request from builder:${KEY}` }, 400)]);
    const client = createChacraClient({ url: `http://builder:${KEY}@chacra.example/`, fetch });
    const error = await failure(client.listProjects());
    expect(calls[0]).toEqual({ method: "GET", url: "http://chacra.example/binaries/", authorization: `Basic ${Buffer.from(`builder:${KEY}`).toString("base64")}` });
    expect(error.code).toBe("QUIPU_CHACRA_CLIENT_HTTP_ERROR");
    expect(error.details).toMatchObject({ status: 400, method: "GET", url: "http://chacra.example/binaries/" });
    expectNoSecretLeaks(error, [KEY], "error");
  });

  it("refuses unsafe path segments before sending anything", async () => {
    const { fetch, calls } = scripted([]);
    const client = createChacraClient({ url: "http://chacra.example/", fetch });
    expect((await failure(client.listBinaries({ ...DIR, arch: ".." }))).code).toBe("QUIPU_MODEL_INVALID_NAME");
    expect((await failure(client.binaryExists({ ...DIR, name: "a/b" }))).code).toBe("QUIPU_MODEL_INVALID_NAME");
    expect(calls).toEqual([]);
  });
});

describe("errors and retries", () => {
  it("puts chacra's {message} and quipu's error code in the details", async () => {
    const { fetch } = scripted([json({ message: 'resource already exists and "force" key was not used', error: { code: "QUIPU_CHACRA_BINARY_EXISTS" } }, 400)]);
    const error = await failure(createChacraClient({ url: "http://c/", fetch }).repo({ ...DIR }));
    expect(error.details).toMatchObject({ status: 400, message: 'resource already exists and "force" key was not used', serverCode: "QUIPU_CHACRA_BINARY_EXISTS" });
    expect(error.message).toBe('GET http://c/repos/ceph/main/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/ubuntu/jammy/ answered 400: resource already exists and "force" key was not used');
  });

  it("retries 5xx and connection errors with a doubling wait, then succeeds", async () => {
    const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
    const { fetch, calls } = scripted([json({ message: "boom" }, 503), refused, json({ ceph: ["main"] })]);
    const waits: number[] = [];
    const notices: RetryNotice[] = [];
    const client = createChacraClient({ url: "http://c/", fetch, sleep: async (ms) => void waits.push(ms), onRetry: (n) => notices.push(n) });
    expect(await client.listProjects()).toEqual({ ceph: ["main"] });
    expect(calls).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
    expect(notices.map((n) => [n.attempt, n.error.code])).toEqual([
      [1, "QUIPU_CHACRA_CLIENT_HTTP_ERROR"],
      [2, "QUIPU_CHACRA_CLIENT_UNREACHABLE"],
    ]);
  });

  it("gives up after three attempts, and never retries a 4xx", async () => {
    const down = scripted([json({}, 500), json({}, 502), json({}, 503)]);
    const error = await failure(createChacraClient({ url: "http://c/", fetch: down.fetch, sleep: async () => {} }).listProjects());
    expect(error.details["status"]).toBe(503);
    expect(down.calls).toHaveLength(3);

    const denied = scripted([json({ message: "authentication required" }, 401)]);
    expect((await failure(createChacraClient({ url: "http://c/", fetch: denied.fetch, sleep: async () => {} }).deleteRepo({ ...DIR }))).details["status"]).toBe(401);
    expect(denied.calls).toHaveLength(1);
  });

  it("reports a body of the wrong shape with every problem", async () => {
    const { fetch } = scripted([json({ "x.deb": { name: "x.deb", size: -1 } })]);
    const error = await failure(createChacraClient({ url: "http://c/", fetch }).listBinaries({ ...DIR }));
    expect(error.code).toBe("QUIPU_CHACRA_CLIENT_RESPONSE_INVALID");
    expect(error.details["issues"]).toEqual(expect.arrayContaining([expect.stringMatching(/^x\.deb\.size: /), expect.stringMatching(/^x\.deb\.project: /)]));
  });

  it("reads chacra's `{}` answer to a search without filters as no results", async () => {
    const { fetch, calls } = scripted([json({})]);
    expect(await createChacraClient({ url: "http://c/", fetch }).search({})).toEqual([]);
    expect(calls[0]?.url).toBe("http://c/search/");
  });

  it("validates repo fields before posting them", async () => {
    const { fetch, calls } = scripted([]);
    const client = createChacraClient({ url: "http://c/", fetch });
    expect((await failure(client.setRepoFields({ ...DIR }, {}))).code).toBe("QUIPU_VALIDATION_FAILED");
    expect((await failure(client.setRepoFields({ ...DIR }, { type: "zip" as "raw" }))).code).toBe("QUIPU_VALIDATION_FAILED");
    expect(calls).toEqual([]);
  });
});

describe("shaman's next node", () => {
  it("returns the text/plain URL with a trailing slash, asking with Basic auth", async () => {
    const { fetch, calls } = scripted([new Response("https://2.chacra.example", { headers: { "content-type": "text/plain" } })]);
    expect(await nextChacraNode({ shamanUrl: `http://jenkins:${KEY}@shaman.example/`, fetch })).toBe("https://2.chacra.example/");
    expect(calls[0]).toMatchObject({ url: "http://shaman.example/api/nodes/next/", authorization: expect.stringMatching(/^Basic /) });
  });

  it("turns shaman's 404 into QUIPU_NODE_NONE_AVAILABLE and nonsense into a response error", async () => {
    const none = scripted([new Response("There are no healthy chacra nodes available.", { status: 404 })]);
    const error = await failure(nextChacraNode({ shamanUrl: "http://s/", fetch: none.fetch }));
    expect(error.code).toBe("QUIPU_NODE_NONE_AVAILABLE");
    expect(error.message).toContain("There are no healthy chacra nodes available.");
    const html = scripted([new Response("<html>login</html>")]);
    expect((await failure(nextChacraNode({ shamanUrl: "http://s/", fetch: html.fetch }))).code).toBe("QUIPU_CHACRA_CLIENT_RESPONSE_INVALID");
    const broken = scripted([new Response("oops", { status: 500 })]);
    expect((await failure(nextChacraNode({ shamanUrl: "http://s/", fetch: broken.fetch }))).code).toBe("QUIPU_CHACRA_NODE_LOOKUP_FAILED");
  });
});

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Parses a multipart body with busboy, as chacra's server does. */
async function parseMultipart(body: Buffer, contentType: string): Promise<{ fields: Record<string, string>; files: Record<string, { filename: string; bytes: Buffer }>; order: string[] }> {
  const fields: Record<string, string> = {};
  const files: Record<string, { filename: string; bytes: Buffer }> = {};
  const order: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = busboy({ headers: { "content-type": contentType } });
    parser.on("field", (name, value) => {
      fields[name] = value;
      order.push(name);
    });
    parser.on("file", (name, stream, info) => {
      order.push(name);
      const parts: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => parts.push(chunk));
      stream.on("end", () => (files[name] = { filename: info.filename ?? "", bytes: Buffer.concat(parts) }));
    });
    parser.on("close", resolve);
    parser.on("error", reject);
    Readable.from([body]).pipe(parser);
  });
  return { fields, files, order };
}

describe("the streamed multipart body", () => {
  it("has the exact Content-Length, the file bytes, and the checksum field after the file", async () => {
    const path = join(work, "pkg.deb");
    // A bit over two read chunks, so the reads and the hash span several pieces.
    const bytes = Buffer.alloc(2 * 1024 * 1024 + 12345);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + 7) & 0xff;
    writeFileSync(path, bytes);
    const progress: number[] = [];
    const body = createMultipartBody({ path, size: bytes.length, filename: 'we"ird.deb', fields: [{ name: "force", value: "true" }], checksumField: true, onProgress: (sent) => progress.push(sent) });
    const raw = await collect(body.chunks());
    expect(raw.length).toBe(body.contentLength);
    const digest = createHash("sha512").update(bytes).digest("hex");
    expect(body.digest()).toBe(digest);
    expect(progress.at(-1)).toBe(bytes.length);
    const parsed = await parseMultipart(raw, body.contentType);
    expect(parsed.order).toEqual(["force", "file", "checksum"]);
    expect(parsed.fields).toEqual({ force: "true", checksum: digest });
    expect(parsed.files["file"]?.filename).toBe("we%22ird.deb");
    expect(parsed.files["file"]?.bytes.equals(bytes)).toBe(true);
  });

  it("gives the same bytes from two recycled buffers to a consumer that is done with each chunk", async () => {
    const path = join(work, "recycled.deb");
    const bytes = Buffer.alloc(5 * 1024 * 1024 + 99);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7 + (i >> 20)) & 0xff;
    writeFileSync(path, bytes);
    const body = createMultipartBody({ path, size: bytes.length, filename: "recycled.deb", fields: [], checksumField: true });
    const raw = await collect(body.chunks({ reuseBuffers: true }));
    expect(raw.length).toBe(body.contentLength);
    const parsed = await parseMultipart(raw, body.contentType);
    expect(parsed.files["file"]?.bytes.equals(bytes)).toBe(true);
    expect(body.digest()).toBe(createHash("sha512").update(bytes).digest("hex"));
  });

  it("can leave the checksum field out (an empty file too)", async () => {
    const path = join(work, "empty.rpm");
    writeFileSync(path, "");
    const body = createMultipartBody({ path, size: 0, filename: "empty.rpm", fields: [], checksumField: false });
    const raw = await collect(body.chunks());
    expect(raw.length).toBe(body.contentLength);
    const parsed = await parseMultipart(raw, body.contentType);
    expect(parsed.order).toEqual(["file"]);
    expect(parsed.files["file"]?.bytes.length).toBe(0);
  });

  it("fails with QUIPU_CHACRA_UPLOAD_FILE_UNREADABLE when the file shrinks or vanishes", async () => {
    const path = join(work, "shrinking.deb");
    writeFileSync(path, Buffer.alloc(3 * 1024 * 1024, 1));
    const body = createMultipartBody({ path, size: 3 * 1024 * 1024, filename: "shrinking.deb", fields: [], checksumField: true, onProgress: () => truncateSync(path, 1024 * 1024) });
    const error = await failure(collect(body.chunks()));
    expect(error.code).toBe("QUIPU_CHACRA_UPLOAD_FILE_UNREADABLE");
    expect(error.message).toMatch(/shrank/);
    const gone = createMultipartBody({ path: join(work, "missing.deb"), size: 10, filename: "missing.deb", fields: [], checksumField: true });
    expect((await failure(collect(gone.chunks()))).details["reason"]).toBe("ENOENT");
  });
});

describe("upload progress", () => {
  it("formats sizes in binary units", () => {
    expect([formatBytes(17), formatBytes(1536), formatBytes(2 * 1024 ** 3), formatBytes(150 * 1024 ** 2)]).toEqual(["17 B", "1.50 KiB", "2.00 GiB", "150 MiB"]);
  });

  it("redraws one line on a terminal, at most once per interval, and always at 100 %", () => {
    let out = "";
    let clock = 0;
    const progress = createUploadProgress({ write: (t) => void (out += t), tty: true, now: () => clock, redrawMs: 100 });
    progress.start("a.deb", 1000);
    clock = 10;
    progress.update(100); // within the interval: not drawn
    clock = 500;
    progress.update(500);
    progress.update(1000);
    progress.finish();
    const frames = out.split("\r\x1b[K").filter((f) => f !== "");
    expect(frames).toHaveLength(3);
    expect(frames[1]).toContain(" 50% ");
    expect(frames[2]).toMatch(/\[#{24}\] 100% 1000 B\/1000 B 0\.0 MB\/s\n$/);
  });

  it("prints plain lines at each quarter of a large file when not on a terminal", () => {
    const lines: string[] = [];
    const progress = createUploadProgress({ write: (t) => void lines.push(t), tty: false, now: () => 0 });
    const total = 256 * 1024 * 1024;
    progress.start("big.rpm", total);
    for (let sent = 0; sent <= total; sent += 16 * 1024 * 1024) progress.update(sent);
    progress.finish();
    expect(lines.map((l) => l.split(" (")[0])).toEqual(["big.rpm: 25%", "big.rpm: 50%", "big.rpm: 75%"]);
    const small = createUploadProgress({ write: (t) => void lines.push(t), tty: false });
    small.start("small.deb", 1000);
    small.update(1000);
    expect(lines).toHaveLength(3);
  });
});
