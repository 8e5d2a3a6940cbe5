/**
 * `GET /api/search/` against a real shaman: the queries teuthology and ceph-build send, the
 * semantics of ceph/shaman's tests/controllers/test_search.py, arch-aware `latest`, numeric and
 * codename versions for every distro in the core table, and the 400s.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, distroTable, type ManualClock } from "@quipu/core";
import { chacraReport, sha, startTestShaman, type RepoReportInput, type TestShaman } from "./shaman-harness.js";

let shaman: TestShaman;
let clock: ManualClock;

beforeEach(async () => {
  clock = createManualClock(Date.parse("2026-08-20T10:00:00Z"));
  shaman = await startTestShaman({ clock });
});
afterEach(() => shaman.close());

async function report(input: RepoReportInput, project = "ceph"): Promise<void> {
  await clock.advance(1000);
  const response = await shaman.post(`/api/repos/${project}/`, chacraReport({ project, ...input }));
  expect(response.status).toBe(200);
}

interface Found {
  sha1: string;
  ref: string;
  distro: string;
  distro_version: string | null;
  distro_codename: string | null;
  archs: string[];
  status: string;
  url: string;
  chacra_url: string;
  extra: Record<string, string>;
}

async function search(query: string, path = "/api/search/"): Promise<Found[]> {
  const response = await shaman.fetch(`${path}?${query}`);
  expect(response.status, query).toBe(200);
  return (await response.json()) as Found[];
}

describe("what teuthology sends", () => {
  beforeEach(async () => {
    await report({ sha1: sha("1"), distro: "ubuntu", distro_version: "jammy", archs: ["x86_64"] });
    await report({ sha1: sha("1"), distro: "ubuntu", distro_version: "jammy", archs: ["arm64"], node: "2.chacra.example" });
    await report({ sha1: sha("2"), distro: "ubuntu", distro_version: "jammy", archs: ["x86_64"], status: "building" });
    await report({ sha1: sha("3"), distro: "centos", distro_version: "9", archs: ["x86_64", "source"] });
  });

  it("ref query (ShamanProject with a branch): numeric distro version, arch, status=ready, flavor", async () => {
    // teuthology/packaging.py: `{endpoint}search?status=ready&project=…&flavor=…&distros=…/{numeric}/{arch}&ref=…`
    const found = await search("status=ready&project=ceph&flavor=default&distros=ubuntu/22.04/x86_64&ref=main", "/api/search");
    expect(found.map((repo) => [repo.sha1, repo.archs])).toEqual([[sha("1"), ["x86_64"]]]);
    const [first] = found;
    // The fields it reads: url (base URL), sha1, chacra_url (for `{chacra_url}repo`), extra versions.
    expect(first!.url).toBe(`https://1.chacra.example/r/ceph/main/${sha("1")}/ubuntu/jammy/flavors/default/`);
    expect(first!.chacra_url).toBe(`https://1.chacra.example/repos/ceph/main/${sha("1")}/ubuntu/jammy/flavors/default/`);
    expect(first!.extra.version).toBe(`20.3.0-1-g${sha("1").slice(0, 7)}`);
    expect(first!.extra.package_manager_version).toBe(`20.3.0-1.g${sha("1").slice(0, 7)}.el9`);
    expect(first).toMatchObject({ distro: "ubuntu", distro_version: "22.04", distro_codename: "jammy" });
  });

  it("sha1 query (a sha1, or a tag resolved by git ls-remote)", async () => {
    const found = await search(`status=ready&project=ceph&flavor=default&distros=ubuntu/22.04/aarch64&sha1=${sha("1")}`);
    expect(found.map((repo) => repo.archs)).toEqual([["arm64"]]);
    expect(await search(`status=ready&project=ceph&flavor=default&distros=ubuntu/22.04/x86_64&sha1=${sha("2")}`)).toEqual([]);
    expect(await search(`status=ready&project=ceph&flavor=default&distros=centos/9/x86_64&sha1=${sha("3").toUpperCase()}`)).toHaveLength(1);
  });

  it("what ceph-build's existence check and container stage send: sha1 + ref + flavor + one distro, all statuses", async () => {
    const found = await search(`project=ceph&distros=ubuntu/jammy/x86_64&flavor=default&ref=main&sha1=${sha("2")}`);
    expect(found.map((repo) => repo.status)).toEqual(["building"]);
  });
});

describe("filters (ceph/shaman test_search.py)", () => {
  it("project, ref, single and multiple distros with and without arch, newest first", async () => {
    expect(await search("project=ceph")).toEqual([]);
    await report({ ref: "jewel", distro: "ubuntu", distro_version: "xenial", archs: ["x86_64"] });
    await report({ ref: "jewel", distro: "centos", distro_version: "7", archs: ["arm64"] });
    await report({ ref: "jewel", distro: "debian", distro_version: "jessie", archs: ["x86_64"] });
    await report({ ref: "jewel", distro: "ubuntu", distro_version: "xenial", archs: ["arm64"], node: "2.chacra.example" });
    expect((await search("project=ceph"))).toHaveLength(4);
    expect(await search("project=ceph&ref=frufru")).toEqual([]);
    expect(await search("ref=jewel")).toHaveLength(4);
    expect(await search("project=other")).toEqual([]);
    const xenial = await search("distros=ubuntu/xenial");
    expect(xenial.map((repo) => [repo.distro, repo.distro_codename, repo.archs])).toEqual([
      ["ubuntu", "xenial", ["arm64"]],
      ["ubuntu", "xenial", ["x86_64"]],
    ]);
    expect((await search("distros=ubuntu/xenial/x86_64")).map((repo) => repo.archs)).toEqual([["x86_64"]]);
    const two = await search("distros=ubuntu/xenial/x86_64,centos/7/arm64");
    expect(two.map((repo) => [repo.distro, repo.distro_version, repo.archs])).toEqual([
      ["centos", "7", ["arm64"]],
      ["ubuntu", "16.04", ["x86_64"]],
    ]);
    expect(await search("distros=centos/8")).toEqual([]);
    expect(await search("distros=ubuntu/xenial/")).toHaveLength(2);
  });

  it("status and flavor", async () => {
    await report({ sha1: sha("1"), status: "building" });
    await report({ sha1: sha("2"), flavor: "debug" });
    expect((await search("status=building")).map((repo) => repo.sha1)).toEqual([sha("1")]);
    expect((await search("flavor=debug")).map((repo) => repo.sha1)).toEqual([sha("2")]);
  });
});

describe("sha1=latest", () => {
  it("the newest sha1 present for every requested distro, one repo per distro in request order", async () => {
    for (const n of [0, 1, 2]) {
      await report({ sha1: sha(n), distro: "ubuntu", distro_version: "xenial" });
      await report({ sha1: sha(n), distro: "solaris", distro_version: "10" });
      await report({ sha1: sha(n), distro: "centos", distro_version: "7" });
    }
    await report({ sha1: sha(3), distro: "ubuntu", distro_version: "xenial" });
    const found = await search("project=ceph&distros=ubuntu/xenial,centos/7&sha1=latest");
    expect(found.map((repo) => [repo.sha1, repo.distro])).toEqual([
      [sha(2), "ubuntu"],
      [sha(2), "centos"],
    ]);
    // Without distros: every repo of the newest sha1.
    expect((await search("project=ceph&sha1=latest")).map((repo) => repo.sha1)).toEqual([sha(3)]);
  });

  it("no common sha1 across the distros of one ref → []", async () => {
    await report({ ref: "master", distro: "ubuntu", distro_version: "xenial" });
    await report({ ref: "jewel", distro: "centos", distro_version: "7" });
    await report({ ref: "jewel", sha1: sha("b"), distro: "ubuntu", distro_version: "xenial" });
    expect(await search("project=ceph&distros=ubuntu/xenial,centos/7&sha1=latest&ref=jewel")).toEqual([]);
  });

  it("is ready-only unless a status is given (the original could name a sha1 still building)", async () => {
    await report({ sha1: sha("1") });
    await report({ sha1: sha("2"), status: "building" });
    expect((await search("project=ceph&ref=main&distros=centos/9&sha1=latest")).map((repo) => repo.sha1)).toEqual([sha("1")]);
    expect((await search("project=ceph&ref=main&distros=centos/9&sha1=latest&status=building")).map((repo) => repo.sha1)).toEqual([sha("2")]);
  });

  it("is arch-aware: an arm64-only newer sha1 never answers an x86_64 question", async () => {
    await report({ sha1: sha("1"), distro: "centos", distro_version: "9", archs: ["x86_64", "source"] });
    await report({ sha1: sha("1"), distro: "ubuntu", distro_version: "noble", archs: ["x86_64"] });
    // The arm64 builds of the next sha1 finished first (ceph-nvmeof#1678's complaint).
    await report({ sha1: sha("2"), distro: "centos", distro_version: "9", archs: ["aarch64", "source"] });
    await report({ sha1: sha("2"), distro: "ubuntu", distro_version: "noble", archs: ["arm64"] });
    const x86 = await search("status=ready&project=ceph&ref=main&flavor=default&distros=centos/9/x86_64,ubuntu/24.04/x86_64&sha1=latest");
    expect(x86.map((repo) => [repo.sha1, repo.distro, repo.archs[0]])).toEqual([
      [sha("1"), "centos", "x86_64"],
      [sha("1"), "ubuntu", "x86_64"],
    ]);
    // arm64 ≡ aarch64 in either direction.
    const arm = await search("status=ready&project=ceph&ref=main&distros=centos/9/arm64,ubuntu/noble/aarch64&sha1=latest");
    expect(arm.map((repo) => [repo.sha1, repo.archs[0]])).toEqual([
      [sha("2"), "aarch64"],
      [sha("2"), "arm64"],
    ]);
    // A mixed question needs one sha1 with both: only sha1 1 has centos x86_64, and it has no arm64.
    expect(await search("project=ceph&distros=centos/9/x86_64,ubuntu/noble/arm64&sha1=latest")).toEqual([]);
  });

  it("walks past many newer incomplete sha1s to the newest complete one", async () => {
    await report({ sha1: sha(1), distro: "centos", distro_version: "9" });
    await report({ sha1: sha(1), distro: "ubuntu", distro_version: "jammy" });
    for (let n = 2; n < 80; n += 1) await report({ sha1: sha(n), distro: "centos", distro_version: "9" });
    const found = await search("project=ceph&ref=main&distros=centos/9,ubuntu/22.04&sha1=latest");
    expect(found.map((repo) => repo.sha1)).toEqual([sha(1), sha(1)]);
  });
});

describe("numeric and codename versions for every distro in the core table", () => {
  const cases = distroTable.flatMap((definition) => {
    const releases = [definition.releases[0]!, definition.releases[definition.releases.length - 1]!];
    return releases.map((release) => ({ definition, release }));
  });

  it.each(cases.map((entry) => [`${entry.definition.name} ${entry.release.version}`, entry] as const))("%s", async (_name, { definition, release }) => {
    // Stored the way chacra paths spell it (codename for deb distros, version otherwise)…
    const stored = definition.pathSpelling === "codename" && release.codename !== null ? release.codename : release.version;
    await report({ sha1: sha("1"), distro: definition.name, distro_version: stored });
    // …and once more the other way (a Pulp record written with the number).
    const other = stored === release.version ? release.codename : release.version;
    if (other !== null) await report({ sha1: sha("2"), distro: definition.name, distro_version: other, node: "pulp.example" });
    const spellings = [release.version, release.codename, ...(release.aliases ?? [])].filter((value): value is string => value !== null);
    const names = [definition.name, ...definition.aliases];
    for (const name of names) {
      for (const spelling of spellings) {
        const found = await search(`project=ceph&distros=${encodeURIComponent(`${name}/${spelling}`)}`);
        expect(found.map((repo) => repo.sha1).sort(), `${name}/${spelling}`).toEqual(other === null ? [sha("1")] : [sha("1"), sha("2")]);
        expect(found[0]).toMatchObject({ distro_version: release.version, distro_codename: release.codename });
      }
    }
  });

  it("a release the table does not know still matches its exact spelling (windows/1809)", async () => {
    await report({ distro: "windows", distro_version: "1809", archs: ["x86_64"] });
    expect(await search("distros=windows/1809/x86_64")).toHaveLength(1);
    expect(await search("distros=windows/1903")).toEqual([]);
  });

  it("a point release finds the major's repos (centos/9.4, ubuntu/22.04.3)", async () => {
    await report({ distro: "centos", distro_version: "9" });
    await report({ sha1: sha("b"), distro: "ubuntu", distro_version: "jammy" });
    expect(await search("distros=centos/9.4")).toHaveLength(1);
    expect(await search("distros=ubuntu/22.04.3")).toHaveLength(1);
  });
});

describe("bad queries are 400 with a JSON body", () => {
  it.each([
    ["unknown parameter", "project=ceph&frufru=1", "QUIPU_SHAMAN_SEARCH_INVALID"],
    ["repeated parameter", "ref=main&ref=squid", "QUIPU_SHAMAN_SEARCH_INVALID"],
    ["no parameter at all", "", "QUIPU_SHAMAN_SEARCH_INVALID"],
    ["a distro part without a version", "distros=centos7,frufru", "QUIPU_MODEL_INVALID_DISTRO_QUERY"],
    ["too many segments", "distros=centos/9/x86_64/extra", "QUIPU_MODEL_INVALID_DISTRO_QUERY"],
    ["an empty part", "distros=centos/9,,ubuntu/jammy", "QUIPU_MODEL_INVALID_DISTRO_QUERY"],
  ])("%s", async (_name, query, code) => {
    const response = await shaman.fetch(`/api/search/?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as { message: string; error: { code: string } };
    expect(body.error.code).toBe(code);
    if (query.startsWith("distros=centos7")) expect(body.message).toBe("Invalid version or codename for distro: centos7");
  });
});

describe("the client", () => {
  it("runs the same searches", async () => {
    await report({ sha1: sha("1"), distro: "ubuntu", distro_version: "jammy", archs: ["x86_64"] });
    await report({ sha1: sha("1"), distro: "centos", distro_version: "9", archs: ["x86_64"] });
    const found = await shaman.client.search({ project: "ceph", ref: "main", distros: ["ubuntu/22.04/x86_64", "centos/9/x86_64"], sha1: "latest", status: "ready" });
    expect(found.map((repo) => repo.distro)).toEqual(["ubuntu", "centos"]);
    await expect(shaman.client.search({ distros: "centos7" })).rejects.toMatchObject({
      code: "QUIPU_SHAMAN_CLIENT_HTTP_ERROR",
      details: { status: 400, code: "QUIPU_MODEL_INVALID_DISTRO_QUERY" },
    });
  });
});
