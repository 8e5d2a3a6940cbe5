/**
 * The SQLite store on real files: the query plans the search relies on (index ranges read newest
 * first, no sort of all matches), a `latest` search over 100,000 repos that reads a handful of
 * pages, stored release keys following the distro table, and schema versions.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { releaseKeysOf } from "../src/release-keys.js";
import { parseSearchParams, searchRepos } from "../src/repo-search.js";
import type { NewRepo, RepoQuery, ShamanStore } from "../src/store/shaman-store.js";
import { createSqliteShamanStore } from "../src/store/sqlite-shaman-store.js";

const root = mkdtempSync(join(tmpdir(), "quipu-shaman-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function repo(fields: Partial<NewRepo> & Pick<NewRepo, "sha1" | "distro" | "distro_version">): NewRepo {
  counter += 1;
  const base = {
    project: "ceph",
    ref: "main",
    flavor: "default",
    status: "ready" as const,
    generation: null,
    url: null,
    chacra_url: `https://n.example/repos/${counter}/`,
    archs: ["x86_64"],
    extra: {},
    ...fields,
  };
  return { ...base, ...releaseKeysOf(base.distro, base.distro_version), ...fields };
}

describe("query plans", () => {
  const store = createSqliteShamanStore({ filename: join(root, "plans.db") });
  store.ensureProject("ceph", 0);
  afterAll(() => store.close());
  const plan = (query: RepoQuery) => store.explainRepoQuery(query).join("\n");

  it("a search page reads repos_search newest first, with no sort", () => {
    const page = plan({
      project: "ceph",
      ref: "main",
      flavor: "default",
      status: "ready",
      release: { distroKey: "ubuntu", releaseKey: "jammy" },
      anyArch: ["x86_64", "amd64"],
      before: { modified: 10, id: 3 },
      limit: 32,
    });
    expect(page).toContain("USING INDEX repos_search (project_id=? AND ref=? AND flavor=? AND status=? AND distro_key=? AND release_key=? AND modified<?)");
    expect(page).not.toContain("TEMP B-TREE");
  });

  it("the newest ready repo of a ref reads repos_ref_status, with no sort", () => {
    const newest = plan({ project: "ceph", ref: "main", status: "ready", limit: 1 });
    expect(newest).toContain("USING INDEX repos_ref_status");
    expect(newest).not.toContain("TEMP B-TREE");
  });

  it("anything naming a sha1 reads repos_sha1", () => {
    expect(plan({ project: "ceph", ref: "main", flavor: "default", status: "ready", sha1: "a".repeat(40) })).toContain("USING INDEX repos_sha1");
  });
});

describe("latest over 100,000 repos", () => {
  it("finds the newest sha1 ready for three distros by reading a few pages", () => {
    const store = createSqliteShamanStore({ filename: join(root, "scale.db") });
    try {
      store.ensureProject("ceph", 0);
      const distros = [
        ["centos", "9"],
        ["ubuntu", "jammy"],
        ["ubuntu", "noble"],
        ["debian", "bookworm"],
        ["rocky", "9"],
      ] as const;
      const refs = ["main", "squid", "reef", "tentacle"];
      let modified = 0;
      store.transaction(() => {
        for (let n = 0; n < 20_000; n += 1) {
          const sha1 = n.toString(16).padStart(40, "0");
          const ref = refs[n % refs.length]!;
          for (const [distro, version] of distros) {
            modified += 1;
            // The newest 50 main sha1s were built for centos and ubuntu jammy only, on arm64.
            const recent = n >= 19_800;
            if (recent && distro === "ubuntu" && version === "noble") continue;
            store.insertRepo(repo({ sha1, ref, distro, distro_version: version, archs: recent ? ["arm64"] : ["x86_64", "arm64"] }), modified);
          }
        }
      });
      expect(store.countRepos()).toBeGreaterThan(99_000);

      let reads = 0;
      const counting: ShamanStore = { ...store, findRepos: (query) => ((reads += 1), store.findRepos(query)) };
      const query = parseSearchParams(
        new URLSearchParams("status=ready&project=ceph&ref=main&flavor=default&distros=centos/9/x86_64,ubuntu/22.04/x86_64,ubuntu/24.04/x86_64&sha1=latest"),
      );
      const found = searchRepos(counting, query);
      // The newest main sha1 below the recent arm64-only ones: 19796 (19_800 - 4).
      expect(found.map((entry) => [entry.sha1, entry.distro, entry.distro_version])).toEqual([
        [(19_796).toString(16).padStart(40, "0"), "centos", "9"],
        [(19_796).toString(16).padStart(40, "0"), "ubuntu", "jammy"],
        [(19_796).toString(16).padStart(40, "0"), "ubuntu", "noble"],
      ]);
      // Three first pages (one per distro) and one lookup for the sha1 found.
      expect(reads).toBeLessThanOrEqual(5);
    } finally {
      store.close();
    }
    // A guard against a hang while loading 100,000 rows, not a timed assertion.
  }, 120_000);
});

describe("release keys follow the distro table", () => {
  it("recomputes stale keys once per table version", () => {
    const store = createSqliteShamanStore({ filename: join(root, "keys.db") });
    try {
      store.ensureProject("ceph", 0);
      // As an older table would have keyed them: `25.10` unknown, so kept as spelled.
      store.insertRepo({ ...repo({ sha1: "a".repeat(40), distro: "ubuntu", distro_version: "25.10" }), distroKey: "ubuntu", releaseKey: "25.10" }, 1);
      store.insertRepo(repo({ sha1: "b".repeat(40), distro: "ubuntu", distro_version: "questing" }), 2);
      const before = store.findRepos({ release: { distroKey: "ubuntu", releaseKey: "questing" } });
      expect(before.map((entry) => entry.distro_version)).toEqual(["questing"]);
      expect(store.refreshReleaseKeys("table-2", releaseKeysOf)).toBe(1);
      expect(store.refreshReleaseKeys("table-2", releaseKeysOf)).toBe(0);
      const after = store.findRepos({ release: { distroKey: "ubuntu", releaseKey: "questing" } });
      expect(after.map((entry) => entry.distro_version)).toEqual(["questing", "25.10"]);
    } finally {
      store.close();
    }
  });
});

describe("schema versions", () => {
  it("refuses a database written by a newer release", () => {
    const filename = join(root, "newer.db");
    const db = new Database(filename);
    db.pragma("user_version = 99");
    db.close();
    expect(() => createSqliteShamanStore({ filename })).toThrow(expect.objectContaining({ code: "QUIPU_STORE_UNAVAILABLE" }));
  });

  it("reopens its own database unchanged", () => {
    const filename = join(root, "reopen.db");
    const first = createSqliteShamanStore({ filename });
    first.ensureProject("ceph", 0);
    first.insertRepo(repo({ sha1: "c".repeat(40), distro: "centos", distro_version: "9" }), 5);
    first.close();
    const second = createSqliteShamanStore({ filename });
    expect(second.findRepos({ project: "ceph" })).toHaveLength(1);
    second.close();
  });
});
