/**
 * The typed client against the real app on a real port: every method, the chacractl upload
 * protocol (HEAD → POST/PUT → verify), and the faults it must catch (a byte flipped in transit, a
 * 503 from a restarting node, an early 401 on a large body).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectNoSecretLeaks } from "@quipu/testkit";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChacraApp } from "../src/app.js";
import { createChacraClient, type BinaryDirectory, type ChacraClient } from "../src/client.js";
import { startTestChacra, TEST_USER, type TestChacra } from "./chacra-harness.js";
import { failure, SHA1, sha512, startProxy, writePackage } from "./upload-helpers.js";

const DIR: BinaryDirectory = { project: "ceph", ref: "main", sha1: SHA1, distro: "ubuntu", distro_version: "jammy", arch: "x86_64" };
const REPO = { project: "ceph", ref: "main", sha1: SHA1, distro: "ubuntu", distro_version: "jammy" } as const;

const work = mkdtempSync(join(tmpdir(), "quipu-upload-client-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let chacra: TestChacra;
let client: ChacraClient;
beforeEach(async () => {
  chacra = await startTestChacra();
  client = createChacraClient({ url: chacra.url, user: TEST_USER.user, key: TEST_USER.key, sleep: async () => {} });
});
afterEach(async () => {
  await chacra.close();
});

describe("uploads (chacractl protocol)", () => {
  it("creates, skips without force, replaces with force, and verifies the listed checksum", async () => {
    const file = join(work, "ceph_19.0_amd64.deb");
    const first = writePackage(file, 200_000, 1);
    const sent: number[] = [];
    const created = await client.uploadBinary(DIR, file, { onProgress: (n) => sent.push(n) });
    expect(created).toMatchObject({ name: "ceph_19.0_amd64.deb", status: "created", size: first.length, checksum: sha512(first) });
    expect(created.url).toBe(`${chacra.url}binaries/ceph/main/${SHA1}/ubuntu/jammy/x86_64/ceph_19.0_amd64.deb/`);
    expect(created.binary).toMatchObject({ name: "ceph_19.0_amd64.deb", flavor: "default", size: first.length, checksum: sha512(first) });
    expect(sent.at(-1)).toBe(first.length);

    const skipped = await client.uploadBinary(DIR, file);
    expect(skipped).toMatchObject({ status: "skipped", checksum: null });

    const second = writePackage(file, 150_000, 2);
    const replaced = await client.uploadBinary(DIR, file, { force: true });
    expect(replaced).toMatchObject({ status: "replaced", checksum: sha512(second) });
    const listing = await client.listBinaries(DIR);
    expect(listing["ceph_19.0_amd64.deb"]?.checksum).toBe(sha512(second));
    // The listed path is where the bytes are: the replacement, complete.
    expect(readFileSync(listing["ceph_19.0_amd64.deb"]!.path!).equals(second)).toBe(true);
  });

  it("uploads under a flavor and to another name", async () => {
    const file = join(work, "local-name.rpm");
    const bytes = writePackage(file, 4096, 3);
    const result = await client.uploadBinary({ ...DIR, distro: "centos", distro_version: "9", flavor: "debug" }, file, { name: "ceph-19.0.el9.x86_64.rpm" });
    expect(result.status).toBe("created");
    expect(result.url).toMatch(/\/x86_64\/flavors\/debug\/ceph-19\.0\.el9\.x86_64\.rpm\/$/);
    const listing = await client.listBinaries({ ...DIR, distro: "centos", distro_version: "9", flavor: "debug" });
    expect(listing["ceph-19.0.el9.x86_64.rpm"]).toMatchObject({ flavor: "debug", checksum: sha512(bytes) });
  });

  it("refuses bytes damaged in transit: chacra checks the checksum field and stores nothing", async () => {
    const proxy = await startProxy(chacra.url, { corruptAt: 10_000 });
    try {
      const file = join(work, "damaged.deb");
      writePackage(file, 65_536, 4);
      const viaProxy = createChacraClient({ url: proxy.url, user: TEST_USER.user, key: TEST_USER.key, sleep: async () => {} });
      const error = await failure(viaProxy.uploadBinary(DIR, file));
      expect(error.code).toBe("QUIPU_CHACRA_CLIENT_HTTP_ERROR");
      expect(error.details).toMatchObject({ method: "POST", status: 400, serverCode: "QUIPU_CHACRA_CHECKSUM_MISMATCH" });
      expect(await client.binaryExists({ ...DIR, name: "damaged.deb" })).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it("catches a mismatch in the listing (a server that does not check), deletes the new upload, and fails", async () => {
    const proxy = await startProxy(chacra.url, { corruptAt: 10_000 });
    try {
      const file = join(work, "unchecked.deb");
      const bytes = writePackage(file, 65_536, 5);
      const viaProxy = createChacraClient({ url: proxy.url, user: TEST_USER.user, key: TEST_USER.key, sleep: async () => {} });
      // Without the checksum field, quipu's chacra stores what arrives — as the original always does.
      const error = await failure(viaProxy.uploadBinary(DIR, file, { checksumField: false }));
      expect(error.code).toBe("QUIPU_CHACRA_UPLOAD_VERIFY_FAILED");
      expect(error.details).toMatchObject({ name: "unchecked.deb", expected: sha512(bytes), deleted: true });
      expect(error.details["actual"]).not.toBe(sha512(bytes));
      expect(await client.binaryExists({ ...DIR, name: "unchecked.deb" })).toBe(false);
      expect(proxy.seen.filter((line) => line.startsWith("DELETE"))).toEqual([`DELETE /binaries/ceph/main/${SHA1}/ubuntu/jammy/x86_64/unchecked.deb/`]);

      // A forced replacement that does not match fails too, but is not deleted (chacractl keeps the row).
      await client.uploadBinary(DIR, file);
      const forced = await failure(viaProxy.uploadBinary(DIR, file, { force: true, checksumField: false }));
      expect(forced.code).toBe("QUIPU_CHACRA_UPLOAD_VERIFY_FAILED");
      expect(forced.details["deleted"]).toBe(false);
      expect(await client.binaryExists({ ...DIR, name: "unchecked.deb" })).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it("retries an upload answered 503 by re-reading the file, and succeeds", async () => {
    const proxy = await startProxy(chacra.url, { failFirst: 2 });
    try {
      const file = join(work, "retried.deb");
      const bytes = writePackage(file, 300_000, 6);
      const retries: number[] = [];
      const viaProxy = createChacraClient({ url: proxy.url, user: TEST_USER.user, key: TEST_USER.key, sleep: async () => {}, onRetry: (n) => retries.push(n.attempt) });
      const result = await viaProxy.uploadBinary(DIR, file);
      expect(result).toMatchObject({ status: "created", checksum: sha512(bytes) });
      expect(retries).toEqual([1, 2]);
      expect(proxy.seen.filter((line) => line.startsWith("POST"))).toHaveLength(3);
    } finally {
      await proxy.close();
    }
  });

  it("reports chacra's early 401 on a large body, not a broken pipe, and never the key", async () => {
    const file = join(work, "large.deb");
    writePackage(file, 8 * 1024 * 1024, 7);
    const wrongKey = "wrong-key-do-not-print";
    const intruder = createChacraClient({ url: chacra.url.replace("http://", `http://${TEST_USER.user}:${wrongKey}@`), sleep: async () => {} });
    const error = await failure(intruder.uploadBinary(DIR, file));
    expect(error.code).toBe("QUIPU_CHACRA_CLIENT_HTTP_ERROR");
    expect(error.details).toMatchObject({ status: 401, serverCode: "QUIPU_AUTH_REQUIRED" });
    expectNoSecretLeaks(error, [wrongKey, TEST_USER.key], "upload error");
  });

  it("fails on a file that is not there, before asking anything", async () => {
    const error = await failure(client.uploadBinary(DIR, join(work, "nope.deb")));
    expect(error.code).toBe("QUIPU_CHACRA_UPLOAD_FILE_UNREADABLE");
    expect(error.details).toMatchObject({ reason: "ENOENT" });
  });

  it("streams through an injected fetch (an in-process app) as well", async () => {
    const app = createChacraApp(chacra.service, { users: [TEST_USER] });
    const inProcess = createChacraClient({
      url: "http://chacra.internal/",
      user: TEST_USER.user,
      key: TEST_USER.key,
      fetch: async (input, init) => app.fetch(new Request(input, init)),
    });
    const file = join(work, "in-process.deb");
    const bytes = writePackage(file, 1_500_000, 8);
    expect(await inProcess.uploadBinary(DIR, file)).toMatchObject({ status: "created", checksum: sha512(bytes) });
    expect((await client.listBinaries(DIR))["in-process.deb"]?.checksum).toBe(sha512(bytes));
  });
});

describe("every other method", () => {
  it("walks the /binaries/ tree, downloads, searches and deletes", async () => {
    const file = join(work, "ceph-common_19.0_amd64.deb");
    const bytes = writePackage(file, 12_345, 9);
    await client.uploadBinary(DIR, file);
    await client.uploadBinary({ ...DIR, flavor: "debug" }, file);

    expect(await client.root()).toMatchObject({ binaries: ["ceph"] });
    expect(await client.health()).toEqual({ healthy: true, status: 204 });
    expect(await client.listProjects()).toEqual({ ceph: ["main"] });
    expect(await client.listRefs({ project: "ceph" })).toEqual({ main: [SHA1] });
    expect(await client.listSha1s({ project: "ceph", ref: "main" })).toEqual({ [SHA1]: ["ubuntu"] });
    expect(await client.listDistros({ project: "ceph", ref: "main", sha1: SHA1 })).toEqual({ ubuntu: ["jammy"] });
    expect(await client.listDistroVersions({ project: "ceph", ref: "main", sha1: SHA1, distro: "ubuntu" })).toEqual({ jammy: ["x86_64"] });
    expect(await client.listArchs(REPO)).toEqual({ x86_64: ["ceph-common_19.0_amd64.deb"] });
    expect(await client.listFlavors(DIR)).toEqual({ debug: ["ceph-common_19.0_amd64.deb"], default: ["ceph-common_19.0_amd64.deb"] });
    expect(Object.keys(await client.listBinaries({ ...DIR, flavor: "debug" }))).toEqual(["ceph-common_19.0_amd64.deb"]);

    const address = { ...DIR, name: "ceph-common_19.0_amd64.deb" };
    expect(await client.binaryExists(address)).toBe(true);
    const download = await client.download(address);
    expect(download.size).toBe(bytes.length);
    expect(Buffer.from(await new Response(download.body).arrayBuffer()).equals(bytes)).toBe(true);
    const copy = join(work, "downloaded.deb");
    expect(await client.downloadToFile(address, copy)).toBe(bytes.length);
    expect(readFileSync(copy).equals(bytes)).toBe(true);

    const found = await client.search({ name: "ceph-common_19.0_amd64.deb", flavor: "debug" });
    expect(found.map((b) => [b.name, b.flavor, b.checksum])).toEqual([["ceph-common_19.0_amd64.deb", "debug", sha512(bytes)]]);
    expect(await client.search({ "name-has": "common" })).toHaveLength(2);
    expect(await client.search({})).toEqual([]);

    await client.deleteBinary({ ...address, flavor: "debug" });
    expect(await client.binaryExists({ ...address, flavor: "debug" })).toBe(false);
    expect(await client.binaryExists(address)).toBe(true);

    expect(await client.createProject("rbd")).toBeDefined();
    expect(Object.keys(await client.listProjects()).sort()).toEqual(["ceph", "rbd"]);
  });

  it("walks the /repos/ tree and drives repo actions", async () => {
    const file = join(work, "librados2_19.0_amd64.deb");
    writePackage(file, 2048, 10);
    await client.uploadBinary(DIR, file);

    expect(await client.listRepoProjects()).toEqual({ ceph: ["main"] });
    expect(await client.listRepoRefs({ project: "ceph" })).toEqual({ main: [SHA1] });
    expect(await client.listRepoSha1s({ project: "ceph", ref: "main" })).toEqual({ [SHA1]: ["ubuntu"] });
    expect(await client.listRepoDistros({ project: "ceph", ref: "main", sha1: SHA1 })).toEqual({ ubuntu: ["jammy"] });
    expect(await client.listRepoDistroVersions({ project: "ceph", ref: "main", sha1: SHA1, distro: "ubuntu" })).toEqual(["jammy"]);
    expect(await client.listRepoFlavors(REPO)).toEqual(["default"]);

    const repo = await client.repo(REPO);
    expect(repo).toMatchObject({ project_name: "ceph", ref: "main", sha1: SHA1, distro: "ubuntu", distro_version: "jammy", flavor: "default", archs: ["x86_64"] });
    expect(await client.repo({ ...REPO, flavor: "default" })).toMatchObject({ flavor: "default" });

    const extra = { version: "19.0", build_url: "https://jenkins.example/job/ceph/1/" };
    expect((await client.setRepoExtra({ ...REPO, flavor: "default" }, extra)).extra).toEqual(extra);
    expect((await client.updateRepo(REPO)).needs_update).toBe(true);
    expect((await client.recreateRepo(REPO)).needs_update).toBe(true);
    expect(await client.repoFile(REPO)).toBe(`deb [trusted=yes] ${chacra.url}r/ceph/main/${SHA1}/ubuntu/jammy/flavors/default/ jammy main\n`);
    expect((await client.setRepoFields(REPO, { type: "raw" })).type).toBe("raw");
    // A raw repo has nothing to configure.
    expect(await client.repoFile(REPO)).toBe("");

    await client.deleteRepo(REPO);
    expect((await failure(client.repo(REPO))).details["status"]).toBe(404);
  });

  it("turns 404s and refused writes into errors with chacra's message, without credentials", async () => {
    const missing = await failure(client.listRefs({ project: "nothing" }));
    expect(missing.code).toBe("QUIPU_CHACRA_CLIENT_HTTP_ERROR");
    expect(missing.details).toMatchObject({ status: 404, method: "GET", url: `${chacra.url}binaries/nothing/` });
    expect(await client.binaryExists({ ...DIR, name: "nothing.deb" })).toBe(false);

    const anonymous = createChacraClient({ url: chacra.url, sleep: async () => {} });
    const refused = await failure(anonymous.setRepoExtra(REPO, {}));
    expect(refused.details).toMatchObject({ status: 401, serverCode: "QUIPU_AUTH_REQUIRED" });
    expectNoSecretLeaks([missing, refused], [TEST_USER.key], "errors");
  });

  it("reports an unreachable node after retrying", async () => {
    const { url } = chacra;
    await chacra.close();
    const retries: number[] = [];
    const offline = createChacraClient({ url, sleep: async () => {}, onRetry: (n) => retries.push(n.attempt) });
    const error = await failure(offline.listProjects());
    expect(error.code).toBe("QUIPU_CHACRA_CLIENT_UNREACHABLE");
    expect(error.details["reason"]).toMatch(/ECONNREFUSED/);
    expect(retries).toEqual([1, 2]);
    chacra = await startTestChacra();
  });
});
