import { describe, expect, it } from "vitest";
import { isQuipuError } from "@quipu/core";
import { parseSearchParams, repoMatchesPart } from "./repo-search.js";
import type { RepoRecord } from "./store/shaman-store.js";

const params = (query: string) => new URLSearchParams(query);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("parseSearchParams", () => {
  it("reads teuthology's query", () => {
    const query = parseSearchParams(params("status=ready&project=ceph&flavor=default&distros=ubuntu/22.04/x86_64&ref=main"));
    expect(query).toMatchObject({ status: "ready", project: "ceph", flavor: "default", ref: "main", latest: false, sha1: undefined });
    expect(query.distros).toEqual([expect.objectContaining({ distro: "ubuntu", pathVersion: "jammy", arch: "x86_64", known: true })]);
  });

  it("treats latest (any case) as a request, defaulting the status to ready; lowercases sha1s", () => {
    expect(parseSearchParams(params("sha1=LATEST"))).toMatchObject({ latest: true, status: "ready", sha1: undefined });
    expect(parseSearchParams(params("sha1=latest&status=building"))).toMatchObject({ status: "building" });
    expect(parseSearchParams(params(`sha1=${"A".repeat(40)}`)).sha1).toBe("a".repeat(40));
  });

  it("counts empty values as absent", () => {
    expect(parseSearchParams(params("project=ceph&ref=&distros="))).toMatchObject({ project: "ceph", ref: undefined, distros: [] });
  });

  it("refuses unknown and repeated parameters and an empty query, naming them", () => {
    const error = thrown(() => parseSearchParams(params("project=ceph&arch=x86_64&limit=3&ref=a&ref=b")));
    expect(isQuipuError(error, "QUIPU_SHAMAN_SEARCH_INVALID")).toBe(true);
    expect((error as { details: unknown }).details).toMatchObject({ unknown: ["arch", "limit"], repeated: ["ref"] });
    expect(isQuipuError(thrown(() => parseSearchParams(params(""))), "QUIPU_SHAMAN_SEARCH_INVALID")).toBe(true);
  });

  it("refuses a malformed distros part with the original's message", () => {
    const error = thrown(() => parseSearchParams(params("distros=centos7,frufru")));
    expect(isQuipuError(error, "QUIPU_MODEL_INVALID_DISTRO_QUERY")).toBe(true);
    expect((error as Error).message).toBe("Invalid version or codename for distro: centos7");
  });
});

describe("repoMatchesPart", () => {
  const repo = (fields: Partial<RepoRecord>): RepoRecord => ({
    id: 1,
    project: "ceph",
    ref: "main",
    sha1: "a".repeat(40),
    flavor: "default",
    distro: "ubuntu",
    distro_version: "noble",
    status: "ready",
    generation: null,
    url: null,
    chacra_url: "https://c.example/repos/x/",
    archs: ["arm64"],
    extra: {},
    created: 0,
    modified: 0,
    ...fields,
  });
  const part = (text: string) => parseSearchParams(params(`distros=${text}`)).distros[0]!;

  it("matches by release whatever the spelling, and by arch spelling", () => {
    expect(repoMatchesPart(repo({}), part("ubuntu/24.04"))).toBe(true);
    expect(repoMatchesPart(repo({}), part("ubuntu/noble/aarch64"))).toBe(true);
    expect(repoMatchesPart(repo({}), part("ubuntu/24.04/x86_64"))).toBe(false);
    expect(repoMatchesPart(repo({}), part("ubuntu/22.04"))).toBe(false);
    expect(repoMatchesPart(repo({ distro: "rhel", distro_version: "9" }), part("redhat/9.4"))).toBe(true);
  });
});
