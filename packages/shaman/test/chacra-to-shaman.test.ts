/**
 * The CI flow end to end with a real chacra (chacra's service, app, build queue and callback
 * dispatcher, from its sources) and a real shaman, over HTTP on loopback (reference §3.1):
 * chacra registers; the build job asks shaman for a node, posts build status, uploads, sets
 * `extra`; chacra builds the repo and calls shaman back; teuthology's search finds the ready repo
 * and follows shaman's redirects to chacra's repo file and repodata.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "@quipu/core";
import { buildSyntheticRpm, rpmFileName } from "@quipu/testkit/packages";
import { createCallbackDispatcher } from "../../chacra/src/callback-dispatcher.js";
import { nextChacraNode } from "../../chacra/src/client.js";
import { registerWithShaman } from "../../chacra/src/registration.js";
import { multipartBody, startTestChacra, type TestChacra } from "../../chacra/test/chacra-harness.js";
import { startTestShaman, TEST_USER, type TestShaman } from "./shaman-harness.js";

const SHA1 = "0123456789abcdef0123456789abcdef01234567";

let shaman: TestShaman;
let chacra: TestChacra;
let shamanUrlWithCredentials: string;

beforeAll(async () => {
  shaman = await startTestShaman();
  chacra = await startTestChacra({ callbacks: true });
  shamanUrlWithCredentials = shaman.url.replace("http://", `http://${TEST_USER.user}:${TEST_USER.key}@`);
});
afterAll(async () => {
  await chacra?.close();
  await shaman?.close();
});

describe("chacra → shaman → teuthology", () => {
  it("runs the build sequence and answers teuthology from chacra's own callbacks", async () => {
    // chacra at start: POST /api/nodes/{host}/ with {}.
    await registerWithShaman({ shamanUrl: shamanUrlWithCredentials, hostname: new URL(chacra.url).host });
    // The build job: build status, then a node to upload to (setup_chacractl.sh).
    const build = {
      url: "https://jenkins.example/job/ceph-dev-pipeline/42/",
      log_url: "https://jenkins.example/job/ceph-dev-pipeline/42//consoleFull",
      status: "started",
      distro: "centos",
      distro_version: "9",
      distro_arch: "x86_64",
      ref: "main",
      sha1: SHA1,
      flavor: "default",
      extra: { version: "20.3.0-42-g0123456", root_build_cause: "SCMTRIGGER", node_name: "builder", job_name: "ceph-dev-pipeline", build_user: "" },
    };
    await shaman.client.reportBuildStatus("ceph", build);
    const node = await nextChacraNode({ shamanUrl: shamanUrlWithCredentials });
    expect(node).toBe(chacra.url);

    // chacra_upload.sh: packages, then extra, then chacra builds the repo.
    const spec = { name: "ceph-common", version: "20.3.0", release: "42.g0123456.el9", arch: "x86_64", files: [{ path: "/usr/bin/ceph", content: "#!/bin/sh\n" }] };
    const { body, contentType } = multipartBody(rpmFileName(spec), buildSyntheticRpm(spec));
    const upload = await chacra.fetch(`/binaries/ceph/main/${SHA1}/centos/9/x86_64/flavors/default/`, { method: "POST", body, headers: { "content-type": contentType }, auth: true });
    expect(upload.status).toBe(201);
    const extra = {
      version: "20.3.0-42-g0123456",
      package_manager_version: "20.3.0-42.g0123456.el9",
      build_url: build.url,
      root_build_cause: "SCMTRIGGER",
      node_name: "builder",
      job_name: "ceph-dev-pipeline",
    };
    const extraResponse = await chacra.fetch(`/repos/ceph/main/${SHA1}/centos/9/flavors/default/extra/`, {
      method: "POST",
      body: JSON.stringify(extra),
      headers: { "content-type": "application/json" },
      auth: true,
    });
    expect(extraResponse.status).toBe(200);
    await chacra.service.processDueRepos();

    // chacra's outbox → shaman, as its daemon's dispatcher loop does.
    const store = chacra.store;
    const dispatcher = createCallbackDispatcher({
      outbox: {
        due: (now, limit) => store.dueCallbacks(now, limit),
        delivered: (id) => store.callbackDelivered(id),
        retryLater: (id, attempts, next, error) => store.callbackRetryLater(id, attempts, next, error),
      },
      shamanUrl: shamanUrlWithCredentials,
      clock: systemClock,
    });
    const report = await dispatcher.deliverDue();
    expect(report).toMatchObject({ delivered: 3, failed: 0 });
    await shaman.client.reportBuildStatus("ceph", { ...build, status: "completed" });

    // teuthology's ShamanProject query.
    const [found, ...more] = await shaman.client.search({ status: "ready", project: "ceph", flavor: "default", distros: "centos/9/x86_64", ref: "main" });
    expect(more).toEqual([]);
    expect(found).toMatchObject({
      sha1: SHA1,
      status: "ready",
      url: `${chacra.url}r/ceph/main/${SHA1}/centos/9/flavors/default/`,
      chacra_url: `${chacra.url}repos/ceph/main/${SHA1}/centos/9/flavors/default/`,
      archs: ["x86_64"],
      extra: { version: "20.3.0-42-g0123456", package_manager_version: "20.3.0-42.g0123456.el9" },
    });
    // …then `GET {chacra_url}repo` for the repo file.
    const repoFile = await (await fetch(`${found!.chacra_url}repo`)).text();
    expect(repoFile).toContain(`baseurl=${chacra.url}r/ceph/main/${SHA1}/centos/9/flavors/default/$basearch`);

    // The redirect consumers use instead: …/latest/centos/9/repo?arch=x86_64, and the tree.
    const fileUrl = await shaman.client.repoFileUrl({ project: "ceph", ref: "main", sha1: "latest", distro: "centos", distro_version: "9", arch: "x86_64" });
    expect(await (await fetch(fileUrl)).text()).toBe(repoFile);
    const redirected = await fetch(new URL("api/repos/ceph/main/latest/centos/9/x86_64/x86_64/repodata/repomd.xml", shaman.url));
    expect(redirected.status).toBe(200);
    expect(await redirected.text()).toContain("<repomd");

    // teuthology's build_complete check.
    const builds = await shaman.client.builds("ceph", "main", SHA1);
    expect(builds.some((entry) => entry.distro_arch === "x86_64" && entry.status === "completed" && entry.completed !== null)).toBe(true);
  });
});
