import { describe, expect, it } from "vitest";
import { BuildSchema, BuildStatusSchema, isFinalBuildStatus } from "./build.js";

// As ceph-build's update_shaman.sh posts it (§2.7), plus the times shaman adds.
const good = {
  project: "ceph",
  url: "https://jenkins.ceph.com/job/ceph-dev-pipeline/123/",
  log_url: "https://jenkins.ceph.com/job/ceph-dev-pipeline/123//consoleFull",
  status: "started",
  distro: "centos",
  distro_version: "9",
  distro_arch: "x86_64",
  ref: "main",
  sha1: "45b4cbe8de1ba3b4d3e2a1b0c9d8e7f6a5b4c3d2",
  flavor: "default",
  extra: { version: "20.3.0", root_build_cause: "SCMTRIGGER", node_name: "builder-1", job_name: "ceph-dev-pipeline", build_user: "" },
  started: "2026-08-20T10:00:00Z",
  modified: "2026-08-20T10:05:00Z",
};

describe("BuildStatusSchema", () => {
  it("has the shaman vocabulary", () => {
    expect(BuildStatusSchema.options).toEqual(["queued", "started", "completed", "failed"]);
    expect(isFinalBuildStatus("completed")).toBe(true);
    expect(isFinalBuildStatus("failed")).toBe(true);
    expect(isFinalBuildStatus("started")).toBe(false);
  });
});

describe("BuildSchema", () => {
  it("accepts a started build and defaults completed and build_id", () => {
    expect(BuildSchema.parse(good)).toMatchObject({ completed: null, build_id: null, extra: { node_name: "builder-1" } });
  });

  it("accepts a trigger-level `queued` record without distro fields", () => {
    const build = BuildSchema.parse({ ...good, status: "queued", distro: undefined, distro_version: undefined, distro_arch: undefined, flavor: undefined });
    expect(build).toMatchObject({ distro: null, distro_version: null, distro_arch: null, flavor: "default" });
  });

  it("reads the empty distro fields failure scripts send as null", () => {
    const build = BuildSchema.parse({ ...good, status: "failed", distro: "", distro_version: "", distro_arch: "", log_url: "" });
    expect(build).toMatchObject({ distro: null, distro_version: null, distro_arch: null, log_url: null });
  });

  it.each([
    ["an unknown status", { status: "success" }],
    ["a missing url (the original answered 500)", { url: undefined }],
    ["`latest` as sha1", { sha1: "latest" }],
    ["a ref with slashes", { ref: "origin/wip/x" }],
    ["a non-http url", { url: "jenkins/job/1" }],
  ])("rejects %s", (_name, override) => {
    expect(BuildSchema.safeParse({ ...good, ...override }).success).toBe(false);
  });
});
