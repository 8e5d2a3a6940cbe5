/**
 * Wire compatibility of `/binaries/…`, `/search/` and `/`: the requests chacractl and the
 * ceph-build scripts send, and the answers they read (reference §1.3–1.4).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { multipartBody, startTestChacra, type TestChacra } from "./chacra-harness.js";

const SHA1 = "a".repeat(40);
const ARCH_URL = `/binaries/ceph/main/${SHA1}/ubuntu/jammy/x86_64/`;

let chacra: TestChacra;
beforeEach(async () => {
  chacra = await startTestChacra();
});
afterEach(async () => {
  await chacra.close();
});

async function upload(url: string, name: string, bytes: Uint8Array, fields: Record<string, string> = {}, method = "POST", auth = true) {
  const { body, contentType } = multipartBody(name, bytes, fields);
  return chacra.fetch(url, { method, body, headers: { "content-type": contentType }, auth });
}

const sha512 = (bytes: Uint8Array) => createHash("sha512").update(bytes).digest("hex");
const bytesOf = (text: string) => new TextEncoder().encode(text);

describe("uploads", () => {
  it("stores a new file with 201, refuses a second upload without force, replaces with force", async () => {
    const first = bytesOf("first version of the package");
    const created = await upload(ARCH_URL, "ceph_1.0_amd64.deb", first);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({});

    const again = await upload(ARCH_URL, "ceph_1.0_amd64.deb", first);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ message: 'resource already exists and "force" key was not used' });

    const second = bytesOf("second version, longer than the first one");
    const replaced = await upload(ARCH_URL, "ceph_1.0_amd64.deb", second, { force: "1" });
    expect(replaced.status).toBe(200);

    const listing = (await (await chacra.fetch(ARCH_URL)).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(listing)).toEqual(["ceph_1.0_amd64.deb"]);
    expect(listing["ceph_1.0_amd64.deb"]).toMatchObject({
      name: "ceph_1.0_amd64.deb",
      project: "ceph",
      ref: "main",
      sha1: SHA1,
      distro: "ubuntu",
      distro_version: "jammy",
      arch: "x86_64",
      flavor: "default",
      signed: false,
      size: second.length,
      checksum: sha512(second),
      built_by: null,
    });
    const entry = listing["ceph_1.0_amd64.deb"]!;
    for (const key of ["created", "modified", "path", "last_changed"]) expect(entry).toHaveProperty(key);
    expect(String(entry["modified"])).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  });

  it("needs Basic credentials for every write and says so with WWW-Authenticate", async () => {
    const denied = await upload(ARCH_URL, "x.rpm", bytesOf("x"), {}, "POST", false);
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toBe('Basic realm="Chacra :: Binary API"');
    expect(await denied.json()).toMatchObject({ error: { code: "QUIPU_AUTH_REQUIRED" } });
    const wrong = await chacra.fetch(ARCH_URL, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("builder:wrong").toString("base64")}` },
    });
    expect(wrong.status).toBe(401);
    expect(await (await chacra.fetch("/binaries/")).json()).toEqual({});
  });

  it("accepts every configured user", async () => {
    await chacra.close();
    chacra = await startTestChacra({ app: { users: [{ user: "alice", key: "k1" }, { user: "bob", key: "k2" }] } });
    for (const [user, key, name] of [["alice", "k1", "a.rpm"], ["bob", "k2", "b.rpm"]] as const) {
      const { body, contentType } = multipartBody(name, bytesOf(name));
      const response = await chacra.fetch(ARCH_URL, {
        method: "POST",
        body,
        headers: { "content-type": contentType, authorization: `Basic ${Buffer.from(`${user}:${key}`).toString("base64")}` },
      });
      expect(response.status).toBe(201);
    }
    const crossed = await chacra.fetch(ARCH_URL, { method: "POST", headers: { authorization: `Basic ${Buffer.from("alice:k2").toString("base64")}` } });
    expect(crossed.status).toBe(401);
  });

  it("PUT replaces a binary and records the new checksum and size", async () => {
    await upload(ARCH_URL, "pkg.rpm", bytesOf("one"));
    const newer = bytesOf("a much longer second body");
    const put = await upload(`${ARCH_URL}pkg.rpm/`, "ignored-name", newer, {}, "PUT");
    expect(put.status).toBe(200);
    const listing = (await (await chacra.fetch(ARCH_URL)).json()) as Record<string, { checksum: string; size: number }>;
    expect(listing["pkg.rpm"]).toMatchObject({ checksum: sha512(newer), size: newer.length });
    const download = await chacra.fetch(`${ARCH_URL}pkg.rpm/`);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(newer);
  });

  it("verifies a checksum sent with the upload and stores nothing on mismatch", async () => {
    const bytes = bytesOf("payload");
    const bad = await upload(ARCH_URL, "p.rpm", bytes, { checksum: "0".repeat(128) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "QUIPU_CHACRA_CHECKSUM_MISMATCH", details: { name: "p.rpm" } } });
    expect((await chacra.fetch(ARCH_URL)).status).toBe(404);
    const good = await upload(ARCH_URL, "p.rpm", bytes, { checksum: `sha512:${sha512(bytes)}` });
    expect(good.status).toBe(201);
  });

  it("takes the force and checksum fields in any order around the file part", async () => {
    const bytes = bytesOf("late fields");
    const boundary = "xyzBOUNDARY";
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="late.rpm"\r\n\r\n`),
      Buffer.from(bytes),
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="checksum"\r\n\r\n${sha512(bytes)}\r\n--${boundary}--\r\n`),
    ]);
    const response = await chacra.fetch(ARCH_URL, { method: "POST", body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, auth: true });
    expect(response.status).toBe(201);
  });

  it("rejects a multipart body without a file part, and a non-multipart body", async () => {
    const boundary = "b0";
    const onlyField = await chacra.fetch(ARCH_URL, {
      method: "POST",
      body: `--${boundary}\r\nContent-Disposition: form-data; name="force"\r\n\r\n1\r\n--${boundary}--\r\n`,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      auth: true,
    });
    expect(onlyField.status).toBe(400);
    expect(await onlyField.json()).toMatchObject({ message: 'no file object found in "file" param in POST request' });
    const plain = await chacra.fetch(ARCH_URL, { method: "POST", body: "hello", headers: { "content-type": "text/plain" }, auth: true });
    expect(plain.status).toBe(400);
  });

  it("leaves no file and no row behind when the body is cut short", async () => {
    const { body, contentType } = multipartBody("cut.rpm", new Uint8Array(200_000).fill(7));
    const truncated = body.subarray(0, 100_000);
    const response = await chacra.fetch(ARCH_URL, { method: "POST", body: truncated, headers: { "content-type": contentType }, auth: true });
    expect(response.status).toBe(400);
    expect((await chacra.fetch(ARCH_URL)).status).toBe(404);
    const dir = join(chacra.dataDir, "binaries", "ceph", "main", SHA1, "ubuntu", "jammy", "x86_64", "flavors", "default");
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it("refuses an upload over the size limit with 413", async () => {
    await chacra.close();
    chacra = await startTestChacra({ maxUploadBytes: 1000 });
    const response = await upload(ARCH_URL, "big.rpm", new Uint8Array(5000));
    const answer = await response.clone().text();
    expect(response.status, answer).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "QUIPU_HTTP_BODY_TOO_LARGE", details: { limit: 1000 } } });
    expect((await chacra.fetch(ARCH_URL)).status).toBe(404);
  });
});

describe("discovery, download, delete", () => {
  beforeEach(async () => {
    await upload(ARCH_URL, "ceph_1.0_amd64.deb", bytesOf("deb"));
    await upload(`/binaries/ceph/main/${SHA1}/ubuntu/jammy/arm64/`, "ceph_1.0_arm64.deb", bytesOf("arm"));
    await upload(`/binaries/ceph/main/${SHA1}/ubuntu/jammy/x86_64/flavors/debug/`, "ceph-dbg_1.0_amd64.deb", bytesOf("dbg"));
    await upload(`/binaries/ceph/reef/${"b".repeat(40)}/centos/9/x86_64/`, "ceph-18.rpm", bytesOf("rpm"));
  });

  it("answers discovery JSON at every level and 404 below unknown names", async () => {
    const get = async (path: string) => (await chacra.fetch(path)).json();
    expect(await get("/binaries/")).toEqual({ ceph: ["main", "reef"] });
    expect(await get("/binaries/ceph/")).toEqual({ main: [SHA1], reef: ["b".repeat(40)] });
    expect(await get("/binaries/ceph/main/")).toEqual({ [SHA1]: ["ubuntu"] });
    expect(await get(`/binaries/ceph/main/${SHA1}/`)).toEqual({ ubuntu: ["jammy"] });
    expect(await get(`/binaries/ceph/main/${SHA1}/ubuntu/`)).toEqual({ jammy: ["arm64", "x86_64"] });
    expect(await get(`/binaries/ceph/main/${SHA1}/ubuntu/jammy/`)).toEqual({
      arm64: ["ceph_1.0_arm64.deb"],
      x86_64: ["ceph-dbg_1.0_amd64.deb", "ceph_1.0_amd64.deb"],
    });
    expect(Object.keys((await get(ARCH_URL)) as object).sort()).toEqual(["ceph-dbg_1.0_amd64.deb", "ceph_1.0_amd64.deb"]);
    expect(await get(`${ARCH_URL}flavors/`)).toEqual({ debug: ["ceph-dbg_1.0_amd64.deb"], default: ["ceph_1.0_amd64.deb"] });
    expect(Object.keys((await get(`${ARCH_URL}flavors/debug/`)) as object)).toEqual(["ceph-dbg_1.0_amd64.deb"]);
    for (const missing of ["/binaries/nope/", "/binaries/ceph/nope/", `/binaries/ceph/main/${SHA1}/debian/`, `${ARCH_URL}flavors/nope/`, `${ARCH_URL}nope.deb/`]) {
      const response = await chacra.fetch(missing);
      expect(response.status, missing).toBe(404);
      expect(await response.json(), missing).toHaveProperty("message");
    }
    expect(await get("/")).toMatchObject({ binaries: ["ceph"], repos: [] });
  });

  it("answers HEAD with 200 or 404 (chacractl's existence check)", async () => {
    expect((await chacra.fetch(ARCH_URL, { method: "HEAD" })).status).toBe(200);
    expect((await chacra.fetch(`${ARCH_URL}ceph_1.0_amd64.deb/`, { method: "HEAD" })).status).toBe(200);
    expect((await chacra.fetch(`${ARCH_URL}missing.deb/`, { method: "HEAD" })).status).toBe(404);
    expect((await chacra.fetch(`/binaries/ceph/main/${SHA1}/ubuntu/jammy/s390x/`, { method: "HEAD" })).status).toBe(404);
  });

  it("downloads with Content-Disposition, or delegates to nginx with X-Accel-Redirect", async () => {
    const response = await chacra.fetch(`${ARCH_URL}ceph_1.0_amd64.deb/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe("attachment; filename=ceph_1.0_amd64.deb");
    expect(await response.text()).toBe("deb");
    expect(await (await chacra.fetch(`${ARCH_URL}flavors/debug/ceph-dbg_1.0_amd64.deb/`)).text()).toBe("dbg");

    const delegated = await startTestChacra({ app: { delegateDownloads: true } });
    try {
      const { body, contentType } = multipartBody("d.rpm", bytesOf("d"));
      await delegated.fetch(ARCH_URL, { method: "POST", body, headers: { "content-type": contentType }, auth: true });
      const redirect = await delegated.fetch(`${ARCH_URL}d.rpm/`);
      expect(redirect.headers.get("x-accel-redirect")).toBe(`/b/ceph/main/${SHA1}/ubuntu/jammy/x86_64/flavors/default/d.rpm`);
      expect(await redirect.text()).toBe("");
    } finally {
      await delegated.close();
    }
  });

  it("deletes a binary and its file; the last binary takes its repo and project with it", async () => {
    const file = join(chacra.dataDir, "binaries", "ceph", "reef", "b".repeat(40), "centos", "9", "x86_64", "flavors", "default", "ceph-18.rpm");
    expect(readFileSync(file, "utf8")).toBe("rpm");
    const url = `/binaries/ceph/reef/${"b".repeat(40)}/centos/9/x86_64/ceph-18.rpm/`;
    expect((await chacra.fetch(url, { method: "DELETE" })).status).toBe(401);
    expect((await chacra.fetch(url, { method: "DELETE", auth: true })).status).toBe(204);
    expect(existsSync(file)).toBe(false);
    expect((await chacra.fetch(url)).status).toBe(404);
    expect(await (await chacra.fetch("/binaries/ceph/")).json()).toEqual({ main: [SHA1] });
    expect((await chacra.fetch(`/repos/ceph/reef/`)).status).toBe(404);
  });

  it("searches binaries by exact fields and name-has, and rejects unknown parameters", async () => {
    const names = async (query: string) =>
      ((await (await chacra.fetch(`/search/?${query}`)).json()) as { name: string }[]).map((b) => b.name).sort();
    expect(await names("distro=ubuntu&arch=x86_64")).toEqual(["ceph-dbg_1.0_amd64.deb", "ceph_1.0_amd64.deb"]);
    expect(await names("name-has=arm")).toEqual(["ceph_1.0_arm64.deb"]);
    expect(await names("ref=reef")).toEqual(["ceph-18.rpm"]);
    expect(await names("name=ceph-18.rpm&distro_version=9")).toEqual(["ceph-18.rpm"]);
    expect(await (await chacra.fetch("/search/")).json()).toEqual({});
    const bad = await chacra.fetch("/search/?colour=blue");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: "invalid query params: colour" });
  });

  it("creates a project with an authenticated POST /binaries/{p}/", async () => {
    expect((await chacra.fetch("/binaries/newproj/", { method: "POST" })).status).toBe(401);
    expect((await chacra.fetch("/binaries/newproj/", { method: "POST", auth: true })).status).toBe(200);
    expect(await (await chacra.fetch("/binaries/newproj/")).json()).toEqual({});
  });
});

describe("bad input", () => {
  it("rejects traversal and unsafe segments with 400 JSON, never touching the disk outside the store", async () => {
    // The URL parser already resolves %2e%2e to a real dot segment, which can only climb inside /binaries/.
    expect([400, 404]).toContain((await chacra.fetch(`/binaries/ceph/%2e%2e/${SHA1}/ubuntu/jammy/x86_64/`)).status);
    for (const path of [
      `/binaries/ceph/main/${SHA1}/ubuntu/jammy/x86_64/..%2f..%2fetc/`,
      `/binaries/ceph/main/${SHA1}/ubuntu/%00/x86_64/`,
      `/binaries/ceph//main/`,
      `/repos/ceph/a%2fb/`,
      `/r/ceph/%5c..%5c/`,
    ]) {
      const response = await chacra.fetch(path);
      expect(response.status, path).toBe(400);
      expect(await response.json(), path).toMatchObject({ error: { code: "QUIPU_MODEL_INVALID_NAME" } });
    }
    // A path in the multipart filename is cut to its last part, as browsers do.
    const evil = await upload(ARCH_URL, "../../../../escape.rpm", bytesOf("x"));
    expect(evil.status).toBe(201);
    expect(Object.keys((await (await chacra.fetch(ARCH_URL)).json()) as object)).toEqual(["escape.rpm"]);
    expect(existsSync(join(chacra.dataDir, "escape.rpm"))).toBe(false);
    expect((await upload(ARCH_URL, "..", bytesOf("x"))).status).toBe(400);
  });

  it("answers 405 for methods a level does not take", async () => {
    await upload(ARCH_URL, "a.rpm", bytesOf("a"));
    expect((await chacra.fetch(ARCH_URL, { method: "PUT", auth: true })).status).toBe(405);
    expect((await chacra.fetch("/binaries/ceph/main/", { method: "POST", auth: true })).status).toBe(405);
    expect((await chacra.fetch(`${ARCH_URL}flavors/`, { method: "POST", auth: true })).status).toBe(405);
    expect((await chacra.fetch("/repos/ceph/", { method: "POST", auth: true })).status).toBe(405);
  });

  it("rejects a sha1 that is neither 40 hex characters nor head on upload", async () => {
    const response = await upload("/binaries/ceph/main/not-a-sha/ubuntu/jammy/x86_64/", "a.deb", bytesOf("a"));
    expect(response.status).toBe(400);
    expect((await upload("/binaries/ceph/main/head/ubuntu/jammy/x86_64/", "a.deb", bytesOf("a"))).status).toBe(201);
  });
});
