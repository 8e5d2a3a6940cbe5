import { describe, expect, it } from "vitest";
import { RepoKeySchema, RepoSchema, RepoStatusReportSchema, RepoTypeSchema, repoUriPath } from "./repo.js";

const sha1 = "45b4cbe8de1ba3b4d3e2a1b0c9d8e7f6a5b4c3d2";
const uri = `ceph/main/${sha1}/centos/9/flavors/default/`;

// The callback body chacra sends (§1.7), including keys shaman ignores.
const chacraCallback = {
  path: `/opt/repos/${uri}`,
  project_name: "ceph",
  ref: "main",
  sha1,
  distro: "centos",
  distro_version: "9",
  modified: "2026-08-20 10:11:12.345678",
  signed: false,
  needs_update: false,
  is_updating: false,
  is_queued: false,
  type: "rpm",
  size: 0,
  flavor: "default",
  archs: ["x86_64", "source", "x86_64"],
  extra: { version: "20.3.0-123-gabc", package_manager_version: "20.3.0-123.gabc.el9", build_url: "https://jenkins.ceph.com/job/x/1/" },
  status: "ready",
  chacra_url: `https://2.chacra.ceph.com/repos/${uri}`,
  url: `https://2.chacra.ceph.com/r/${uri}`,
};

describe("RepoKeySchema", () => {
  it("defaults the flavor and accepts chacra's `head` sha1", () => {
    const key = RepoKeySchema.parse({ project: "ceph", ref: "main", sha1: "head", distro: "ubuntu", distro_version: "jammy" });
    expect(key.flavor).toBe("default");
    expect(key.sha1).toBe("head");
  });

  it.each([
    ["a ref with a slash", { ref: "wip/foo" }],
    ["`latest` as a stored sha1", { sha1: "latest" }],
    ["an abbreviated sha1", { sha1: "45b4cbe" }],
    ["an empty distro", { distro: "" }],
    ["a dot-dot version", { distro_version: ".." }],
  ])("rejects %s", (_name, override) => {
    const input = { project: "ceph", ref: "main", sha1, distro: "centos", distro_version: "9", ...override };
    expect(RepoKeySchema.safeParse(input).success).toBe(false);
  });

  it("builds the repo path clients rely on", () => {
    expect(repoUriPath(RepoKeySchema.parse({ project: "ceph", ref: "main", sha1, distro: "centos", distro_version: "9" }))).toBe(uri);
  });
});

describe("RepoTypeSchema", () => {
  it("knows rpm, deb and raw", () => {
    expect(RepoTypeSchema.options).toEqual(["rpm", "deb", "raw"]);
    expect(RepoTypeSchema.safeParse("zip").success).toBe(false);
  });
});

describe("RepoStatusReportSchema", () => {
  it("reads chacra's callback body, dropping the keys shaman ignores and duplicate archs", () => {
    const report = RepoStatusReportSchema.parse(chacraCallback);
    expect(report).toEqual({
      ref: "main",
      sha1,
      distro: "centos",
      distro_version: "9",
      flavor: "default",
      status: "ready",
      archs: ["x86_64", "source"],
      url: chacraCallback.url,
      chacra_url: chacraCallback.chacra_url,
      extra: chacraCallback.extra,
    });
  });

  it("reads the Pulp notifier's body (no flags, ready at once) and keeps unknown extra keys", () => {
    const report = RepoStatusReportSchema.parse({
      ref: "main",
      sha1,
      distro: "centos",
      distro_version: "9",
      flavor: "default",
      status: "ready",
      archs: ["x86_64", "source"],
      url: "https://pulp.example.com/pulp/content/ceph/",
      chacra_url: "https://pulp.example.com/pulp/api/v3/repositories/rpm/rpm/1/",
      extra: { build_url: "https://jenkins/x/", custom: { nested: true } },
    });
    expect(report.extra).toEqual({ build_url: "https://jenkins/x/", custom: { nested: true } });
  });

  it("treats a missing extra as 'keep' and an empty url as absent", () => {
    const report = RepoStatusReportSchema.parse({ ...chacraCallback, extra: undefined, url: "" });
    expect(report.extra).toBeUndefined();
    expect(report.url).toBeUndefined();
  });

  it("accepts a generation and rejects bad ones", () => {
    expect(RepoStatusReportSchema.parse({ ...chacraCallback, generation: 1_787_000_000_000 }).generation).toBe(1_787_000_000_000);
    for (const generation of [-1, 1.5, "3"]) {
      expect(RepoStatusReportSchema.safeParse({ ...chacraCallback, generation }).success).toBe(false);
    }
  });

  it.each([
    ["a missing chacra_url", { chacra_url: undefined }],
    ["a relative chacra_url", { chacra_url: "/repos/ceph/" }],
    ["an unknown status", { status: "complete" }],
    ["a missing ref (the original answered 500)", { ref: undefined }],
    ["extra that is not an object", { extra: "v1" }],
    ["a non-string known extra key", { extra: { version: 20 } }],
    ["an unsafe arch", { archs: ["x86_64", "../x"] }],
  ])("rejects %s", (_name, override) => {
    expect(RepoStatusReportSchema.safeParse({ ...chacraCallback, ...override }).success).toBe(false);
  });
});

describe("RepoSchema", () => {
  it("fills defaults and normalises the timestamp", () => {
    const repo = RepoSchema.parse({
      project: "ceph",
      ref: "main",
      sha1,
      distro: "ubuntu",
      distro_version: "noble",
      status: "queued",
      chacra_url: "https://1.chacra.ceph.com/repos/ceph/main/x/ubuntu/noble/flavors/default/",
      modified: "2026-08-20 10:11:12",
    });
    expect(repo).toMatchObject({ flavor: "default", generation: null, archs: [], url: null, extra: {}, modified: "2026-08-20T10:11:12.000Z" });
  });

  it("rejects a record without status or modified time", () => {
    const base = { project: "ceph", ref: "main", sha1, distro: "centos", distro_version: "9", chacra_url: "https://n/repos/x/" };
    expect(RepoSchema.safeParse({ ...base, modified: "2026-08-20T10:11:12Z" }).success).toBe(false);
    expect(RepoSchema.safeParse({ ...base, status: "ready" }).success).toBe(false);
  });
});
