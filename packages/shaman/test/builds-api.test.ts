/**
 * The build API against a real shaman: the build status JSON ceph-build's scripts send
 * (`scripts/update_shaman.sh`, the trigger job's `queued`, failure scripts with empty distro
 * fields), the original's matching rules (a trigger's `queued` record, then URL + keys), and the
 * read tree teuthology's `build_complete` walks.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, type ManualClock } from "@quipu/core";
import { sha, startTestShaman, type TestShaman } from "./shaman-harness.js";

let shaman: TestShaman;
let clock: ManualClock;

beforeEach(async () => {
  clock = createManualClock(Date.parse("2026-08-20T10:00:00Z"));
  shaman = await startTestShaman({ clock });
});
afterEach(() => shaman.close());

/** What `submit_build_status` in scripts/update_shaman.sh writes to build_status.json. */
function buildStatus(state: string, fields: Partial<Record<"distro" | "distro_version" | "distro_arch" | "url" | "sha1" | "ref" | "flavor", string>> = {}) {
  const url = fields.url ?? "https://jenkins.ceph.com/job/ceph-dev-pipeline/1234/";
  return {
    extra: { version: "20.3.0-1-gaaaaaaa", root_build_cause: "SCMTRIGGER", node_name: "builder-7", job_name: "ceph-dev-pipeline", build_user: "" },
    url,
    log_url: `${url}/consoleFull`,
    status: state,
    distro: fields.distro ?? "centos",
    distro_version: fields.distro_version ?? "9",
    distro_arch: fields.distro_arch ?? "x86_64",
    ref: fields.ref ?? "main",
    sha1: fields.sha1 ?? sha("a"),
    flavor: fields.flavor ?? "default",
  };
}

async function post(body: unknown): Promise<void> {
  await clock.advance(1000);
  const response = await shaman.post("/api/builds/ceph/", body);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({});
}

async function builds(sha1 = sha("a"), ref = "main") {
  const response = await shaman.fetch(`/api/builds/ceph/${ref}/${sha1}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>[];
}

describe("POST /api/builds/{project}/", () => {
  it("records started then completed for one matrix cell (same URL and keys: one record)", async () => {
    await post(buildStatus("started"));
    await post(buildStatus("started")); // the builder-container stage and the build stage both post
    await post(buildStatus("completed"));
    const [build, ...others] = await builds();
    expect(others).toEqual([]);
    expect(build).toEqual({
      url: "https://jenkins.ceph.com/job/ceph-dev-pipeline/1234/",
      log_url: "https://jenkins.ceph.com/job/ceph-dev-pipeline/1234//consoleFull",
      ref: "main",
      sha1: sha("a"),
      flavor: "default",
      status: "completed",
      extra: { version: "20.3.0-1-gaaaaaaa", root_build_cause: "SCMTRIGGER", node_name: "builder-7", job_name: "ceph-dev-pipeline", build_user: "" },
      modified: "2026-08-20 10:00:03",
      started: "2026-08-20 10:00:01",
      completed: "2026-08-20 10:00:03",
      project: "ceph",
      distro_version: "9",
      distro_codename: null,
      distro: "centos",
      distro_arch: "x86_64",
    });
  });

  it("keeps one record per matrix cell when cells share the pipeline's URL (shaman#147)", async () => {
    await post(buildStatus("started", { distro_arch: "x86_64" }));
    await post(buildStatus("started", { distro_arch: "arm64" }));
    await post(buildStatus("started", { distro: "ubuntu", distro_version: "noble" }));
    await post(buildStatus("failed", { distro_arch: "arm64" }));
    const found = await builds();
    expect(found.map((build) => [build["distro"], build["distro_arch"], build["status"]])).toEqual([
      ["centos", "arm64", "failed"],
      ["ubuntu", "x86_64", "started"],
      ["centos", "x86_64", "started"],
    ]);
    const noble = found.find((build) => build["distro"] === "ubuntu")!;
    expect(noble).toMatchObject({ distro_version: "24.04", distro_codename: "noble" });
  });

  it("turns the trigger job's queued record (no distro, empty fields) into the next report with the same keys", async () => {
    // ceph-dev-new-trigger/build/notify: `update_build_status "queued" "ceph"` before any distro is known.
    const trigger = { ...buildStatus("queued"), url: "https://jenkins.ceph.com/job/ceph-dev-new-trigger/99/", distro: "", distro_version: "", distro_arch: "" };
    await post(trigger);
    expect((await builds())[0]).toMatchObject({ status: "queued", distro: null, distro_version: null, distro_arch: null });
    // The next report with the same (empty) keys takes the queued record over, whatever its URL.
    await post({ ...trigger, url: "https://jenkins.ceph.com/job/ceph-dev-new/12/", status: "started" });
    const found = await builds();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ status: "started", url: "https://jenkins.ceph.com/job/ceph-dev-new/12/" });
  });

  it("does not reuse an old build whose URL came back after a Jenkins redeploy once its keys differ (shaman#111)", async () => {
    await post(buildStatus("completed", { sha1: sha("1") }));
    await post(buildStatus("started", { sha1: sha("2") }));
    expect((await builds(sha("1")))[0]).toMatchObject({ status: "completed" });
    expect((await builds(sha("2")))[0]).toMatchObject({ status: "started", completed: null });
  });

  it("treats an empty flavor as the default and keeps extra when a later report has none", async () => {
    await post({ ...buildStatus("started"), flavor: "" });
    const { extra: _dropped, ...bare } = buildStatus("completed");
    await post(bare);
    const [build] = await builds();
    expect(build).toMatchObject({ flavor: "default", status: "completed", extra: { node_name: "builder-7" } });
  });

  it("answers 400 JSON listing every problem, 401 without credentials", async () => {
    const response = await shaman.post("/api/builds/ceph/", { status: "running", sha1: "abc" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { issues: string[] } } };
    expect(body.error.code).toBe("QUIPU_VALIDATION_FAILED");
    expect(body.error.details.issues.map((issue) => issue.split(":")[0])).toEqual(expect.arrayContaining(["url", "ref", "sha1", "status"]));
    expect((await shaman.fetch("/api/builds/ceph/", { method: "POST", body: JSON.stringify(buildStatus("started")) })).status).toBe(401);
  });
});

describe("the build tree", () => {
  it("lists projects, refs and sha1s; 404 for an unknown project", async () => {
    await post(buildStatus("started", { ref: "main" }));
    await post(buildStatus("started", { ref: "squid", sha1: sha("b") }));
    const get = async (path: string) => (await shaman.fetch(path)).json();
    expect(await get("/api/builds/")).toEqual({ ceph: ["main", "squid"] });
    expect(await get("/api/builds/ceph/")).toEqual(["main", "squid"]);
    expect(await get("/api/builds/ceph/squid/")).toEqual([sha("b")]);
    expect((await shaman.fetch("/api/builds/nope/")).status).toBe(404);
    expect(await get("/api/builds/ceph/nope/")).toEqual([]);
  });

  it("answers teuthology's build_complete question through the client", async () => {
    await post(buildStatus("completed", { distro: "centos", distro_version: "9", distro_arch: "x86_64" }));
    await post(buildStatus("started", { distro: "centos", distro_version: "9", distro_arch: "arm64" }));
    const found = await shaman.client.builds("ceph", "main", sha("a"));
    // teuthology/packaging.py build_complete: same distro, version, flavor, arch and status completed.
    const complete = (arch: string) =>
      found.some((build) => build.distro === "centos" && build.distro_version === "9" && build.flavor === "default" && build.distro_arch === arch && build.status === "completed");
    expect(complete("x86_64")).toBe(true);
    expect(complete("arm64")).toBe(false);
    expect(await shaman.client.buildRefs("ceph")).toEqual(["main"]);
    await shaman.client.reportBuildStatus("ceph", buildStatus("completed", { distro_arch: "arm64" }));
    expect((await shaman.client.builds("ceph", "main", sha("a"))).every((build) => build.status === "completed")).toBe(true);
  });
});
