import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createMemoryUiData } from "./memory-ui-data.js";
import { mountShamanUi, parseUiPath } from "./mount-shaman-ui.js";
import { sampleBuild, sampleRepo } from "./sample-ui-records.js";
import type { UiBuildRecord, UiRepoRecord } from "./ui-data.js";

const now = new Date("2025-06-11T12:00:00Z");
const SHA1 = sampleBuild().sha1;
const HOSTILE = `<script>alert("pwned")</script>`;

function appWith(records: { builds?: UiBuildRecord[]; repos?: UiRepoRecord[]; projects?: string[] }, listLimit?: number) {
  const app = new Hono();
  mountShamanUi(app, createMemoryUiData({ ...records, now: () => now }), listLimit === undefined ? {} : { listLimit });
  return app;
}

const app = appWith({
  builds: [
    sampleBuild({ id: 1, status: "completed", modified: "2025-06-11T09:00:00Z" }),
    sampleBuild({ id: 2, status: "failed", distro_arch: "arm64", modified: "2025-06-11T08:00:00Z" }),
    sampleBuild({ id: 3, status: "started", distro: "centos", distro_version: "9", distro_codename: null, completed: null, modified: "2025-06-11T11:58:00Z" }),
    sampleBuild({ id: 4, status: "queued", flavor: "debug", distro: null, distro_version: null, distro_codename: null, distro_arch: null, completed: null, modified: "2025-06-11T11:59:30Z" }),
    sampleBuild({ id: 5, ref: "squid", sha1: "b".repeat(40), modified: "2025-06-08T12:00:00Z" }),
    sampleBuild({ id: 6, project: "kernel", ref: "testing", modified: "2025-06-10T12:00:00Z" }),
  ],
  repos: [
    sampleRepo({ id: 10, status: "ready", modified: "2025-06-11T09:30:00Z" }),
    sampleRepo({ id: 11, status: "building", distro: "centos", distro_version: "9", distro_codename: null, modified: "2025-06-11T11:00:00Z" }),
  ],
  projects: ["empty-project"],
});

async function get(target: Hono, path: string) {
  const response = await target.request(path);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The <tr> of the record with `id` in a records table. */
function row(body: string, id: number): string {
  return body.match(new RegExp(`<tr class="[^"]*" data-id="${id}">[\\s\\S]*?</tr>`))?.[0] ?? "";
}

describe("parseUiPath", () => {
  it("reads up to four levels and a numeric id", () => {
    expect(parseUiPath("")).toEqual({ level: [] });
    expect(parseUiPath("ceph/main/")).toEqual({ level: ["ceph", "main"] });
    expect(parseUiPath(`ceph/main/${SHA1}/default/42/`)).toEqual({ level: ["ceph", "main", SHA1, "default"], id: 42 });
    expect(parseUiPath("ceph/wip%2Fx/")).toEqual({ level: ["ceph", "wip/x"] });
  });

  it("refuses what is not a place in the tree", () => {
    for (const rest of ["ceph//", "ceph/main/a/default/0/", "ceph/main/a/default/01/", "ceph/main/a/default/1e3/", "ceph/main/a/default/x/", "a/b/c/d/1/e/", "ceph/%E0%A4%A/"]) {
      expect(parseUiPath(rest), rest).toBeUndefined();
    }
  });
});

describe("the dashboard", () => {
  it("has a card per project linking to its builds and repos", async () => {
    const { status, headers, body } = await get(app, "/");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("text/html; charset=utf-8");
    for (const project of ["ceph", "kernel", "empty-project"]) {
      expect(body).toContain(`<div class="name">${project}</div>`);
      expect(body).toContain(`href="/builds/${project}/"`);
      expect(body).toContain(`href="/repos/${project}/"`);
    }
  });

  it("lists only completed builds and ready repos, linking to their detail pages", async () => {
    const { body } = await get(app, "/");
    const builds = body.slice(body.indexOf("Latest completed builds"), body.indexOf("Latest ready repositories"));
    expect(builds).toContain(`href="/builds/ceph/main/${SHA1}/default/1/"`);
    expect(builds).toContain(`href="/builds/kernel/testing/${SHA1}/default/6/"`);
    expect(builds).not.toContain("/default/2/");
    expect(builds).toContain("3 hours ago");
    const repos = body.slice(body.indexOf("Latest ready repositories"), body.indexOf("Ready repositories per day"));
    expect(repos).toContain(`href="/repos/ceph/main/${SHA1}/default/10/"`);
    expect(repos).not.toContain("/11/");
  });

  it("charts ready repos per day over ten days", async () => {
    const { body } = await get(app, "/");
    expect(body).toContain("Ready repositories per day (last 10 days, UTC)");
    expect(body).toContain("<title>ceph: 1 on 2025-06-11</title>");
    expect(body).toContain(">06-02</text>");
  });

  it("says so when there is nothing yet", async () => {
    const { status, body } = await get(appWith({}), "/");
    expect(status).toBe(200);
    expect(body).toContain("No projects yet");
    expect(body).toContain("No repositories became ready in the last 10 days.");
  });
});

describe("the build lists", () => {
  it("shows every build at the top, with each project in the side panel", async () => {
    const { status, body } = await get(app, "/builds/");
    expect(status).toBe(200);
    expect(body).toContain("Showing 6 builds, newest first.");
    expect(body).toMatch(/<h2>Projects<\/h2><ul><li><a href="\/builds\/ceph\/"/);
    expect(body).toContain(`href="/builds/empty-project/"`);
  });

  it("colours rows by status: green done, red failed, amber in progress", async () => {
    const { body } = await get(app, "/builds/ceph/main/");
    expect(row(body, 1)).toMatch(/^<tr class="tone-ok"/);
    expect(row(body, 2)).toMatch(/^<tr class="tone-failed"/);
    expect(row(body, 3)).toMatch(/^<tr class="tone-pending"/);
    expect(row(body, 4)).toMatch(/^<tr class="tone-pending"/);
  });

  it("shows project, ref, sha1, distro, release, flavor, arch, status and age, each linking a level down", async () => {
    const { body } = await get(app, "/builds/ceph/main/");
    const completed = row(body, 1);
    expect(completed).toContain(`<a href="/builds/ceph/main/${SHA1}/default/1/">#1</a>`);
    expect(completed).toContain(`<a href="/builds/ceph/">ceph</a>`);
    expect(completed).toContain(`<td class="ref" title="main"><a href="/builds/ceph/main/">main</a></td>`);
    expect(completed).toContain(`<a href="/builds/ceph/main/${SHA1}/"><code title="${SHA1}">${SHA1.slice(0, 10)}</code></a>`);
    expect(completed).toContain("<td>ubuntu</td>");
    expect(completed).toContain("<td>22.04 (jammy)</td>");
    expect(completed).toContain(`<a href="/builds/ceph/main/${SHA1}/default/">default</a>`);
    expect(completed).toContain("<td>x86_64</td>");
    expect(completed).toContain(`<span class="pill tone-ok">completed</span>`);
    expect(completed).toContain(`<span class="ago" title="2025-06-11T09:00:00Z">3 hours ago</span>`);
    expect(row(body, 3)).toContain("2 minutes ago");
    expect(row(body, 3)).toContain("<td>9</td>");
    // The trigger job's queued report has no distro yet.
    expect(row(body, 4)).toContain("<td>—</td>\n<td>—</td>");
  });

  it("narrows level by level, with the distinct values one level down beside the table", async () => {
    const project = await get(app, "/builds/ceph/");
    expect(project.body).toContain("Showing 5 builds of <strong>project ceph</strong>");
    expect(project.body).toMatch(/<h2>Refs<\/h2><ul><li><a href="\/builds\/ceph\/main\/" class="mono">main<\/a>.*<a href="\/builds\/ceph\/squid\/" class="mono">squid<\/a>/);
    const ref = await get(app, "/builds/ceph/main/");
    expect(ref.body).toContain(`<h2>SHA1s</h2><ul><li><a href="/builds/ceph/main/${SHA1}/" class="mono">${SHA1}</a>`);
    expect(ref.body).toContain(`data-copy="${SHA1}"`);
    const sha1 = await get(app, `/builds/ceph/main/${SHA1}/`);
    expect(sha1.body).toContain(`<h2>Flavors</h2><ul><li><a href="/builds/ceph/main/${SHA1}/debug/" class="mono">debug</a>`);
    expect(sha1.body).toContain(`href="/repos/ceph/main/${SHA1}/"`);
    const flavor = await get(app, `/builds/ceph/main/${SHA1}/debug/`);
    expect(flavor.body).toContain("Showing 1 builds of <strong>project ceph, ref main, sha1 " + SHA1 + ", flavor debug</strong>");
    expect(flavor.body).not.toContain(`<aside>`);
  });

  it("shows an empty list, not an error, for a ref with no builds yet", async () => {
    const { status, body } = await get(app, "/builds/ceph/no-such-ref/");
    expect(status).toBe(200);
    expect(body).toContain("No builds here yet.");
  });

  it("shows the newest records only, and says so, beyond the list limit", async () => {
    const many = Array.from({ length: 5 }, (_, index) => sampleBuild({ id: index + 1, modified: `2025-06-1${index}T00:00:00Z` }));
    const { body } = await get(appWith({ builds: many }, 3), "/builds/ceph/");
    expect(body).toContain("Showing the newest 3 builds of <strong>project ceph</strong> (older ones are not listed)");
    expect(body.match(/<tr class="tone-ok" data-id=/g)).toHaveLength(3);
    expect(row(body, 5)).not.toBe("");
    expect(row(body, 2)).toBe("");
  });
});

describe("the repo lists", () => {
  it("list repos with all their archs, coloured by status", async () => {
    const { status, body } = await get(app, `/repos/ceph/main/${SHA1}/default/`);
    expect(status).toBe(200);
    expect(row(body, 10)).toMatch(/^<tr class="tone-ok"/);
    expect(row(body, 10)).toContain("<td>x86_64, arm64</td>");
    expect(row(body, 10)).toContain(`href="/repos/ceph/main/${SHA1}/default/10/"`);
    expect(row(body, 11)).toMatch(/^<tr class="tone-pending"/);
    expect(body).toContain(`href="/builds/ceph/main/${SHA1}/default/"`);
  });
});

describe("the detail pages", () => {
  it("show every field of a build, its Jenkins build and log, and the repos of its sha1", async () => {
    const { status, body } = await get(app, `/builds/ceph/main/${SHA1}/default/1/`);
    expect(status).toBe(200);
    expect(body).toContain("<h1>Build #1 <small>ceph › main › " + SHA1 + " › default</small></h1>");
    expect(body).toContain(`<section class="panel tone-ok">`);
    expect(body).toContain(`<a class="button" href="https://jenkins.ceph.com/job/ceph-dev-pipeline/81234/" rel="noreferrer">Jenkins build</a>`);
    expect(body).toContain(`<a class="button" href="https://jenkins.ceph.com/job/ceph-dev-pipeline/81234/consoleFull" rel="noreferrer">Log output</a>`);
    for (const label of ["ID", "Project", "Ref", "SHA1", "Flavor", "Status", "Distro", "Distro version", "Distro codename", "Distro arch", "Started", "Completed", "Modified", "Jenkins build URL", "Log URL", "Extra"]) {
      expect(body).toContain(`<th scope="row">${label}</th>`);
    }
    expect(body).toContain("&quot;node_name&quot;: &quot;braggi12&quot;");
    expect(body).toContain(`<span class="mono">2025-06-11T08:00:00.000Z</span> · <span class="ago" title="2025-06-11T08:00:00.000Z">4 hours ago</span>`);
    const related = body.slice(body.indexOf("Repositories of ceph › main"));
    expect(row(related, 10)).toContain(`href="/repos/ceph/main/${SHA1}/default/10/"`);
    expect(row(related, 11)).not.toBe("");
  });

  it("show a repo's Repo URL and Chacra URL, and the builds of its sha1", async () => {
    const { status, body } = await get(app, `/repos/ceph/main/${SHA1}/default/10/`);
    expect(status).toBe(200);
    expect(body).toContain(`href="https://1.chacra.ceph.com/r/ceph/main/${SHA1}/ubuntu/jammy/flavors/default/" rel="noreferrer">Repo URL</a>`);
    expect(body).toContain(`href="https://1.chacra.ceph.com/repos/ceph/main/${SHA1}/ubuntu/jammy/flavors/default/" rel="noreferrer">Chacra URL</a>`);
    expect(body).toContain(`<th scope="row">Archs</th><td>x86_64, arm64</td>`);
    expect(row(body.slice(body.indexOf("Builds of ceph › main")), 2)).toMatch(/^<tr class="tone-failed"/);
  });

  it("send a link whose path does not match the record to the record's own address", async () => {
    const response = await app.request(`/builds/ceph/main/${SHA1}/debug/1/`);
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe(`/builds/ceph/main/${SHA1}/default/1/`);
  });
});

describe("hostile values", () => {
  const hostileApp = appWith({
    builds: [
      sampleBuild({
        id: 7,
        ref: HOSTILE,
        flavor: `"><img src=x onerror=alert(1)>`,
        status: `<b>done</b>`,
        url: "javascript:alert(document.cookie)",
        log_url: "https://user:secret@jenkins.example/job/1/console",
        extra: { note: HOSTILE, "<key>": "'quoted'" },
      }),
    ],
    repos: [sampleRepo({ id: 8, project: "ceph", ref: HOSTILE, archs: [HOSTILE], chacra_url: "javascript:alert(1)" })],
  });

  it("are escaped on every page that shows them", async () => {
    const paths = ["/", "/builds/", "/builds/ceph/", `/builds/ceph/${encodeURIComponent(HOSTILE)}/`, "/repos/ceph/", `/builds/ceph/${encodeURIComponent(HOSTILE)}/${SHA1}/${encodeURIComponent(`"><img src=x onerror=alert(1)>`)}/7/`, `/repos/ceph/${encodeURIComponent(HOSTILE)}/${SHA1}/default/8/`];
    for (const path of paths) {
      const { status, body } = await get(hostileApp, path);
      expect(status, path).toBe(200);
      expect(body, path).not.toContain("<script>alert");
      expect(body, path).not.toContain("<img src=x");
      expect(body, path).not.toContain("<b>done");
      expect(body, path).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;");
    }
  });

  it("keep hostile values inside one path segment of the links", async () => {
    const { body } = await get(hostileApp, "/builds/ceph/");
    expect(body).toContain(`href="/builds/ceph/${encodeURIComponent(HOSTILE)}/"`);
  });

  it("never turn a javascript: URL into a link, and never show credentials", async () => {
    const { body } = await get(hostileApp, `/builds/ceph/${encodeURIComponent(HOSTILE)}/${SHA1}/${encodeURIComponent(`"><img src=x onerror=alert(1)>`)}/7/`);
    expect(body).not.toContain(`href="javascript:`);
    expect(body).toContain(`<span class="button disabled" title="No usable URL recorded">Jenkins build</span>`);
    expect(body).toContain(`<span class="mono">javascript:alert(document.cookie)</span>`);
    expect(body).toContain(`href="https://jenkins.example/job/1/console"`);
    expect(body).not.toContain("secret");
    expect(body).toContain("&quot;&lt;key&gt;&quot;: &quot;&#39;quoted&#39;&quot;");
  });

  it("cannot run scripts even if escaping slipped: the policy allows only the page's own", async () => {
    const { headers } = await get(hostileApp, "/");
    const policy = headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
    expect(policy).not.toContain("unsafe-inline");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("addresses that are not pages", () => {
  it("answer an HTML 404 for unknown projects, ids and levels", async () => {
    const cases = [
      ["/builds/no-such-project/", "No project named “no-such-project”."],
      ["/repos/no-such-project/main/", "No project named “no-such-project”."],
      [`/builds/ceph/main/${SHA1}/default/999/`, "No build #999 in ceph."],
      [`/builds/kernel/main/${SHA1}/default/1/`, "No build #1 in kernel."],
      [`/repos/ceph/main/${SHA1}/default/1/`, "No repo #1 in ceph."],
      [`/builds/ceph/main/${SHA1}/default/not-an-id/`, "There is no page at this address."],
      [`/builds/ceph/main/${SHA1}/default/1/extra/`, "There is no page at this address."],
      ["/builds/ceph//", "There is no page at this address."],
    ] as const;
    for (const [path, message] of cases) {
      const { status, headers, body } = await get(app, path);
      expect(status, path).toBe(404);
      expect(headers.get("content-type"), path).toBe("text/html; charset=utf-8");
      expect(body, path).toContain(message);
    }
  });

  it("escape the path they echo", async () => {
    const { body } = await get(app, `/builds/${encodeURIComponent(HOSTILE)}/`);
    expect(body).not.toContain("<script>alert");
  });

  it("answer HEAD like GET, without a body (link checkers use it)", async () => {
    const response = await app.request(`/builds/ceph/main/${SHA1}/default/1/`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    expect((await app.request("/builds/nope/", { method: "HEAD" })).status).toBe(404);
  });

  it("redirect paths without the trailing slash, as Jenkins prints them", async () => {
    const response = await app.request(`/builds/ceph/main/${SHA1}?x=1`);
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe(`/builds/ceph/main/${SHA1}/?x=1`);
    expect((await app.request("/repos")).headers.get("location")).toBe("/repos/");
  });
});
