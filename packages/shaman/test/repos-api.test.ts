/**
 * The repo API against a real shaman (SQLite in a temp dir, real HTTP): status reports as chacra
 * and ceph-build's Pulp notifier send them, the read tree, the 302/504 redirects per flavor and
 * arch (the cases of ceph/shaman's tests/controllers/test_repos.py), `latest`, and statuses
 * arriving out of order.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createManualClock, type ManualClock } from "@quipu/core";
import { chacraReport, sha, startTestShaman, type RepoReportInput, type TestShaman } from "./shaman-harness.js";

let shaman: TestShaman;
let clock: ManualClock;

beforeEach(async () => {
  clock = createManualClock(Date.parse("2026-08-20T10:00:00Z"));
  shaman = await startTestShaman({ clock });
});
afterEach(() => shaman.close());

/** Posts a report one second after the previous one, so "newest" is unambiguous. */
async function report(input: RepoReportInput | Record<string, unknown>, project = "ceph"): Promise<Response> {
  await clock.advance(1000);
  const body = "chacra_url" in input ? input : chacraReport(input as RepoReportInput);
  const response = await shaman.post(`/api/repos/${project}/`, body);
  return response;
}

async function get(path: string): Promise<Response> {
  return shaman.fetch(path, { redirect: "manual" });
}

async function getJson(path: string): Promise<unknown> {
  const response = await get(path);
  expect(response.status, path).toBe(200);
  return response.json();
}

describe("POST /api/repos/{project}/", () => {
  it("creates a record from chacra's callback body and answers {}", async () => {
    const response = await report({ distro: "ubuntu", distro_version: "jammy", archs: ["x86_64", "arm64"] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    const [repo] = (await getJson(`/api/repos/ceph/main/${sha("a")}/ubuntu/jammy/`)) as Record<string, unknown>[];
    expect(repo).toEqual({
      url: `https://1.chacra.example/r/ceph/main/${sha("a")}/ubuntu/jammy/flavors/default/`,
      chacra_url: `https://1.chacra.example/repos/ceph/main/${sha("a")}/ubuntu/jammy/flavors/default/`,
      ref: "main",
      sha1: sha("a"),
      distro: "ubuntu",
      distro_version: "22.04",
      distro_codename: "jammy",
      modified: "2026-08-20 10:00:01",
      status: "ready",
      flavor: "default",
      project: "ceph",
      archs: ["x86_64", "arm64"],
      extra: expect.objectContaining({ build_url: "https://jenkins.example/job/ceph/1/" }),
    });
  });

  it("accepts the Pulp notifier's body (url = chacra_url, archs with source) as its own record", async () => {
    await report({});
    const pulpUrl = `https://pulp.example/pulp/content/ceph/main/${sha("a")}/centos/9/flavors/default/`;
    // Exactly what ceph-build's scripts/notify_shaman_pulp_repo.sh writes.
    const pulp = {
      url: pulpUrl,
      chacra_url: pulpUrl,
      status: "ready",
      distro: "centos",
      distro_version: "9",
      archs: ["x86_64", "source"],
      ref: "main",
      sha1: sha("a"),
      flavor: "default",
      extra: {
        version: "20.3.0-1-gaaaaaaa",
        package_manager_version: "20.3.0-1.gaaaaaaa.el9",
        build_url: "https://jenkins.example/job/ceph-pulp/7/",
        root_build_cause: "SCMTRIGGER",
        node_name: "builder-1",
        job_name: "ceph-dev-pipeline",
      },
    };
    expect((await report(pulp)).status).toBe(200);
    const repos = (await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)) as { chacra_url: string; extra: { build_url: string } }[];
    expect(repos.map((repo) => repo.chacra_url)).toEqual([pulpUrl, `https://1.chacra.example/repos/ceph/main/${sha("a")}/centos/9/flavors/default/`]);
    // Clients pick their own record by extra.build_url (reference §3.1).
    expect(repos[0]!.extra.build_url).toBe("https://jenkins.example/job/ceph-pulp/7/");
  });

  it("treats an empty flavor (unset $FLAVOR in the scripts) as the default flavor", async () => {
    const body = chacraReport({});
    expect((await report({ ...body, flavor: "" })).status).toBe(200);
    expect(await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/flavors/`)).toEqual(["default"]);
  });

  it("updates status, url and extra; keeps extra when a report has none; replaces archs with the latest report's", async () => {
    await report({ status: "queued", archs: ["x86_64"], extra: { version: "1" } });
    const { extra: _omitted, ...withoutExtra } = chacraReport({ status: "building", archs: ["x86_64", "arm64"] });
    await report(withoutExtra);
    let [repo] = (await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)) as { status: string; extra: unknown; archs: string[] }[];
    expect(repo).toMatchObject({ status: "building", extra: { version: "1" }, archs: ["x86_64", "arm64"] });
    await report({ status: "ready", archs: ["arm64"], extra: { version: "2" } });
    [repo] = (await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)) as { status: string; extra: unknown; archs: string[] }[];
    expect(repo).toMatchObject({ status: "ready", extra: { version: "2" }, archs: ["arm64"] });
  });

  it("deletes the record on status deleted, and a late status of the deleted repo does not bring it back", async () => {
    await report({ status: "ready" });
    await report({ status: "deleted" });
    expect(await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)).toEqual([]);
    // chacra delivered `building` late (parallel tasks, retries): it must not resurrect the repo.
    await report({ status: "building" });
    expect(await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)).toEqual([]);
    // A new build cycle of the same repo starts with queued: the record comes back.
    await report({ status: "queued" });
    expect(await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)).toMatchObject([{ status: "queued" }]);
  });

  it("never moves a repo backwards when chacra's callbacks arrive out of order (no generation, as ceph/chacra sends)", async () => {
    for (const status of ["requested", "queued", "ready", "building", "queued"]) await report({ status });
    // requested → queued → ready; the late `building` is ignored; a `queued` after ready starts a new build.
    const [repo] = (await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)) as { status: string }[];
    expect(repo!.status).toBe("queued");
    await report({ status: "ready" });
    await report({ status: "requested" });
    await report({ status: "building" });
    expect(((await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)) as { status: string }[])[0]!.status).toBe("building");
  });

  it("orders statuses by generation when the sender gives one (quipu chacra): an older cycle never wins", async () => {
    await report({ status: "queued", generation: 2000 });
    await report({ status: "ready", generation: 1000 });
    await report({ status: "building", generation: 2000 });
    await report({ status: "queued", generation: 1000 });
    expect(((await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)) as { status: string }[])[0]!.status).toBe("building");
    await report({ status: "ready", generation: 2000 });
    await report({ status: "deleted", generation: 1000 });
    expect(((await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)) as { status: string }[])[0]!.status).toBe("ready");
  });

  it("does not make a stale report the newest record (modified stays)", async () => {
    await report({ sha1: sha("a"), status: "ready" });
    await report({ sha1: sha("b"), status: "ready" });
    // A late duplicate `building` for a: ignored, so b stays the latest.
    await report({ sha1: sha("a"), status: "building" });
    expect(await getJson("/api/repos/ceph/main/latest/")).toEqual(["centos"]);
    const [latest] = (await getJson("/api/repos/ceph/main/latest/centos/9/")) as { sha1: string }[];
    expect(latest!.sha1).toBe(sha("b"));
  });

  it("needs Basic auth", async () => {
    const response = await shaman.fetch("/api/repos/ceph/", { method: "POST", body: JSON.stringify(chacraReport()) });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="Shaman :: API"');
    const wrong = await shaman.fetch("/api/repos/ceph/", {
      method: "POST",
      body: JSON.stringify(chacraReport()),
      headers: { authorization: `Basic ${Buffer.from("jenkins:wrong").toString("base64")}` },
    });
    expect(wrong.status).toBe(401);
  });

  it("answers 400 with every missing key when a report cannot create a record", async () => {
    const response = await report({ chacra_url: "https://1.chacra.example/repos/x/", status: "ready" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { issues: string[] } } };
    expect(body.error.code).toBe("QUIPU_VALIDATION_FAILED");
    expect(body.error.details.issues).toEqual([
      "ref: required to create a repo record",
      "sha1: required to create a repo record",
      "distro: required to create a repo record",
      "distro_version: required to create a repo record",
    ]);
  });

  it("updates an existing record from a report carrying only chacra_url and status, as the original did", async () => {
    await report({ status: "building" });
    const { chacra_url } = chacraReport();
    expect((await report({ chacra_url, status: "ready" })).status).toBe(200);
    expect(await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)).toMatchObject([{ status: "ready" }]);
  });
});

describe("the read tree", () => {
  beforeEach(async () => {
    await report({ sha1: sha("a"), distro: "ubuntu", distro_version: "jammy", archs: ["x86_64", "arm64"] });
    await report({ sha1: sha("a"), distro: "centos", distro_version: "9", node: "2.chacra.example" });
    await report({ sha1: sha("a"), distro: "centos", distro_version: "9", flavor: "debug" });
    await report({ sha1: sha("b"), ref: "squid", distro: "centos", distro_version: "9" });
    await report({ sha1: sha("c"), status: "building", distro: "centos", distro_version: "9" });
  });

  it("lists projects, refs, sha1s, distros, versions, flavors (each once)", async () => {
    expect(await getJson("/api/")).toEqual({ repos: ["ceph"] });
    expect(await getJson("/api/repos/")).toEqual({ ceph: { refs: ["main", "squid"], sha1s: [sha("a"), sha("b"), sha("c")] } });
    expect(await getJson("/api/repos/ceph/")).toEqual(["main", "squid"]);
    expect(await getJson("/api/repos/ceph/main/")).toEqual([sha("a"), sha("c")]);
    expect(await getJson(`/api/repos/ceph/main/${sha("a")}/`)).toEqual(["centos", "ubuntu"]);
    expect(await getJson(`/api/repos/ceph/main/${sha("a")}/ubuntu/`)).toEqual(["jammy"]);
    expect(await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/flavors/`)).toEqual(["debug", "default"]);
    const debug = (await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/flavors/debug/`)) as { flavor: string }[];
    expect(debug.map((repo) => repo.flavor)).toEqual(["debug"]);
    // The plain level is the default flavor, newest first; several records (one per node) are kept.
    await report({ sha1: sha("a"), distro: "centos", distro_version: "9", node: "3.chacra.example" });
    const plain = (await getJson(`/api/repos/ceph/main/${sha("a")}/centos/9/`)) as { flavor: string; chacra_url: string }[];
    expect(plain.map((repo) => [repo.flavor, new URL(repo.chacra_url).host])).toEqual([
      ["default", "3.chacra.example"],
      ["default", "2.chacra.example"],
    ]);
  });

  it("lists the flavors of the latest ready sha1 of a release (any flavor)", async () => {
    expect(await getJson("/api/repos/ceph/main/latest/centos/9/flavors/")).toEqual(["debug", "default"]);
  });

  it("counts ready repos per project and day for the dashboard", () => {
    const days = shaman.service.readyReposPerDay(3);
    expect(days.map((day) => day.day)).toEqual(["2026-08-18", "2026-08-19", "2026-08-20"]);
    // 4 ready repos in beforeEach (the fifth is building), all on the clock's day.
    expect(days.map((day) => day.counts)).toEqual([{}, {}, { ceph: 4 }]);
    const dashboard = shaman.service.dashboard();
    expect(dashboard.projects).toEqual(["ceph"]);
    expect(dashboard.latestRepos.map((repo) => repo.status)).toEqual(["ready", "ready", "ready", "ready"]);
  });

  it("answers 404 for an unknown project and [] for unknown lower levels", async () => {
    expect((await get("/api/repos/nope/")).status).toBe(404);
    expect((await get("/api/repos/nope/main/")).status).toBe(404);
    expect(await getJson("/api/repos/ceph/nope/")).toEqual([]);
    expect(await getJson(`/api/repos/ceph/main/${sha("f")}/`)).toEqual([]);
  });

  it("finds a release by number or codename (ubuntu/22.04 ≡ ubuntu/jammy)", async () => {
    const byNumber = (await getJson(`/api/repos/ceph/main/${sha("a")}/ubuntu/22.04/`)) as { distro_codename: string }[];
    expect(byNumber).toHaveLength(1);
    expect(byNumber[0]!.distro_codename).toBe("jammy");
  });

  it("resolves latest to the newest ready sha1 (building repos do not count); 504 when nothing is ready", async () => {
    expect(await getJson("/api/repos/ceph/main/latest/")).toEqual(["centos", "ubuntu"]);
    const latest = (await getJson("/api/repos/ceph/main/latest/centos/9/")) as { sha1: string }[];
    expect(latest.every((repo) => repo.sha1 === sha("a"))).toBe(true);
    await report({ sha1: sha("d"), ref: "tentacle", status: "requested" });
    const response = await get("/api/repos/ceph/tentacle/latest/");
    expect(response.status).toBe(504);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("no repository is ready for: ceph/tentacle");
  });

  it("redirects …/repo to {chacra_url}repo and …/{arch}/{path} to {url}{path} of the newest ready repo", async () => {
    const repoFile = await get(`/api/repos/ceph/main/${sha("a")}/centos/9/repo`);
    expect(repoFile.status).toBe(302);
    expect(repoFile.headers.get("location")).toBe(`https://2.chacra.example/repos/ceph/main/${sha("a")}/centos/9/flavors/default/repo`);
    const tree = await get("/api/repos/ceph/main/latest/centos/9/x86_64/noarch/repodata/repomd.xml");
    expect(tree.status).toBe(302);
    expect(tree.headers.get("location")).toBe(`https://2.chacra.example/r/ceph/main/${sha("a")}/centos/9/flavors/default/noarch/repodata/repomd.xml`);
    const root = await get("/api/repos/ceph/main/latest/centos/9/flavors/debug/x86_64/");
    expect(root.headers.get("location")).toBe(`https://1.chacra.example/r/ceph/main/${sha("a")}/centos/9/flavors/debug/`);
  });
});

describe("302 or 504, per flavor and arch (ceph/shaman test_repos.py)", () => {
  const xenial = (input: RepoReportInput = {}) => report({ ref: "jewel", distro: "ubuntu", distro_version: "xenial", archs: ["x86_64", "arm64"], ...input });
  const status = async (path: string) => (await get(path)).status;

  for (const flavorPath of ["", "flavors/default/"]) {
    describe(flavorPath === "" ? "plain URLs" : "flavors/default/ URLs", () => {
      const at = (rest: string) => `/api/repos/ceph/jewel/latest/ubuntu/xenial/${flavorPath}${rest}`;

      it("504 for an arch the ready repo does not have", async () => {
        await xenial();
        expect(await status(at("repo?arch=i386"))).toBe(504);
      });

      it("302 for a ready repo, with or without an arch it has, and for a noarch repo", async () => {
        await xenial();
        expect(await status(at("repo"))).toBe(302);
        expect(await status(at("repo/"))).toBe(302);
        expect(await status(at("repo?arch=arm64"))).toBe(302);
        expect(await status(at("repo/?arch=x86_64"))).toBe(302);
        expect(await status(at("x86_64/"))).toBe(302);
      });

      it("302 for an equivalent arch spelling (aarch64 ≡ arm64; the original answered 504)", async () => {
        await xenial();
        expect(await status(at("repo?arch=aarch64"))).toBe(302);
      });

      it("504 while the only repo is requested", async () => {
        await xenial({ status: "requested" });
        expect(await status(at("repo"))).toBe(504);
      });

      it("302 when the newest sha1 is not ready for this distro but an older one is", async () => {
        await xenial({ sha1: sha("0") });
        await xenial({ sha1: sha("1"), distro: "test" });
        await xenial({ sha1: sha("1"), status: "building" });
        expect(await status(at("repo?arch=x86_64"))).toBe(302);
      });

      it("302 when the newest sha1 is ready only in another flavor but an older one is ready here", async () => {
        await xenial({ sha1: sha("1") });
        await xenial({ sha1: sha("2"), status: "building" });
        await xenial({ sha1: sha("2"), flavor: "notcmalloc" });
        expect(await status(at("repo"))).toBe(302);
      });

      it("504 when only another flavor is ready", async () => {
        await xenial({ status: "building" });
        await xenial({ flavor: "notcmalloc" });
        expect(await status(at("repo"))).toBe(504);
      });

      it("302 when another flavor is building", async () => {
        await xenial();
        await xenial({ status: "building", flavor: "notcmalloc" });
        expect(await status(at("repo"))).toBe(302);
      });
    });
  }

  it("non-default flavors: 302 when ready there, 504 when only the default flavor is ready", async () => {
    const at = (rest: string) => `/api/repos/ceph/jewel/latest/ubuntu/xenial/flavors/notcmalloc/${rest}`;
    await xenial({ sha1: sha("1"), flavor: "notcmalloc" });
    await xenial({ sha1: sha("2"), status: "building", flavor: "notcmalloc" });
    await xenial({ sha1: sha("2") });
    expect(await status(at("repo"))).toBe(302);
    await xenial({ sha1: sha("3"), ref: "reef", status: "building", flavor: "notcmalloc" });
    await xenial({ sha1: sha("3"), ref: "reef" });
    expect(await status("/api/repos/ceph/reef/latest/ubuntu/xenial/flavors/notcmalloc/repo")).toBe(504);
  });
});

describe("arch-aware latest", () => {
  it("an arm64-only newer build never answers an x86_64 question; the x86_64 repo of an older sha1 does", async () => {
    await report({ sha1: sha("1"), archs: ["x86_64", "source"] });
    await report({ sha1: sha("2"), archs: ["arm64"], node: "2.chacra.example" });
    const x86 = await get("/api/repos/ceph/main/latest/centos/9/repo?arch=x86_64");
    expect(x86.status).toBe(302);
    expect(x86.headers.get("location")).toContain(sha("1"));
    const arm = await get("/api/repos/ceph/main/latest/centos/9/repo?arch=aarch64");
    expect(arm.headers.get("location")).toContain(sha("2"));
    const tree = await get("/api/repos/ceph/main/latest/centos/9/x86_64/x86_64/");
    expect(tree.headers.get("location")).toBe(`https://1.chacra.example/r/ceph/main/${sha("1")}/centos/9/flavors/default/x86_64/`);
    // Without an arch the newest ready repo wins, as before.
    expect((await get("/api/repos/ceph/main/latest/centos/9/repo")).headers.get("location")).toContain(sha("2"));
  });
});

describe("methods", () => {
  it("answers 405 for writes on read levels and 404 past the tree", async () => {
    await report({});
    expect((await shaman.fetch(`/api/repos/ceph/main/`, { method: "POST", auth: true })).status).toBe(405);
    expect((await shaman.fetch(`/api/repos/`, { method: "DELETE", auth: true })).status).toBe(405);
    expect((await get(`/api/repos/ceph/main/${sha("a")}/centos/9/repo/extra`)).status).toBe(404);
    const head = await shaman.fetch(`/api/repos/ceph/`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });
});
