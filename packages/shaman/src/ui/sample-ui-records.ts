/**
 * Realistic, deterministic records for looking at the UI (tests, screenshots, demos): three
 * projects, Ceph's branches, distros and flavors, a build per matrix cell with the statuses a
 * day of CI produces, and the repos those builds published, spread over the last ten days.
 */
import type { UiBuildRecord, UiRepoRecord } from "./ui-data.js";

export interface SampleUiRecords {
  readonly builds: UiBuildRecord[];
  readonly repos: UiRepoRecord[];
}

const HOUR = 3_600_000;

/** A small linear congruential generator, so every run draws the same "random" records. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    sha1: () => Array.from({ length: 40 }, () => Math.floor(next() * 16).toString(16)).join(""),
  };
}

const DISTROS = [
  { distro: "ubuntu", version: "22.04", codename: "jammy", segment: "jammy" },
  { distro: "ubuntu", version: "24.04", codename: "noble", segment: "noble" },
  { distro: "centos", version: "9", codename: null, segment: "9" },
  { distro: "rocky", version: "10", codename: null, segment: "10" },
] as const;

const PROJECTS = [
  { name: "ceph", refs: ["main", "squid", "tentacle", "wip-rgw-multisite-sync-fix"], flavors: ["default", "debug"], archs: ["x86_64", "arm64"] },
  { name: "kernel", refs: ["testing", "for-linus"], flavors: ["default"], archs: ["x86_64"] },
  { name: "nfs-ganesha", refs: ["next", "V6-stable"], flavors: ["default"], archs: ["x86_64", "arm64"] },
] as const;

export function sampleUiRecords(now: Date): SampleUiRecords {
  const random = generator(20_250_611);
  const builds: UiBuildRecord[] = [];
  const repos: UiRepoRecord[] = [];
  let jenkinsNumber = 81_200;
  // Oldest pushes first, so ids grow with time as they do in the database.
  for (let push = 0; push < 14; push++) {
    // Round robin over projects, so every project has pushes old and new.
    const project = PROJECTS[push % PROJECTS.length] as (typeof PROJECTS)[number];
    const ref = project.refs[Math.floor(push / PROJECTS.length) % project.refs.length] as string;
    const sha1 = random.sha1();
    const pushedAt = now.getTime() - (9.5 - push * 0.7) * 24 * HOUR;
    const flavor = random.pick(project.flavors);
    const host = `${1 + Math.floor(random.next() * 4)}.chacra.ceph.com`;
    const version = `20.${push % 3}.0-${1200 + push * 37}-g${sha1.slice(0, 9)}`;
    for (const distro of DISTROS) {
      for (const arch of project.archs) {
        // The newest pushes are still building; now and then a build fails.
        const roll = random.next();
        const age = now.getTime() - pushedAt;
        const status = age < 30 * HOUR && roll < 0.6 ? (roll < 0.3 ? "started" : "queued") : roll > 0.88 ? "failed" : "completed";
        const started = new Date(pushedAt + random.next() * HOUR);
        const completed = status === "completed" || status === "failed" ? new Date(started.getTime() + (1 + random.next() * 3) * HOUR) : null;
        const modified = completed ?? started;
        jenkinsNumber += 1;
        const jenkins = `https://jenkins.ceph.com/job/${project.name}-dev-pipeline/${jenkinsNumber}/`;
        const extra = {
          version,
          package_manager_version: `${version.replace(/-g[0-9a-f]+$/, "")}-1${distro.codename ? distro.codename : `.el${distro.version}`}`,
          build_url: jenkins,
          root_build_cause: "SCMTRIGGER",
          node_name: `braggi${10 + Math.floor(random.next() * 20)}`,
          job_name: `${project.name}-dev-pipeline`,
        };
        builds.push({
          id: builds.length + 1,
          project: project.name,
          ref,
          sha1,
          flavor,
          // The trigger job reports `queued` before a distro is known.
          ...(status === "queued"
            ? { distro: null, distro_version: null, distro_codename: null, distro_arch: null }
            : { distro: distro.distro, distro_version: distro.version, distro_codename: distro.codename, distro_arch: arch }),
          status,
          url: jenkins,
          log_url: `${jenkins}consoleFull`,
          extra,
          modified: modified.toISOString(),
          started: started.toISOString(),
          completed: status === "completed" ? modified.toISOString() : null,
        });
        if (status === "failed" || status === "queued") continue;
        const path = `${project.name}/${ref}/${sha1}/${distro.distro}/${distro.segment}/flavors/${flavor}/`;
        const existing = repos.find((repo) => repo.chacra_url === `https://${host}/repos/${path}`);
        // One repo per distro release holds every arch, as chacra publishes them.
        const repoStatus = status === "completed" ? (age < 30 * HOUR && random.next() < 0.5 ? "building" : "ready") : "requested";
        const repoModified = new Date(modified.getTime() + (status === "completed" ? 0.4 * HOUR : 0));
        if (existing) {
          repos[repos.indexOf(existing)] = { ...existing, archs: [...existing.archs, arch] };
          continue;
        }
        repos.push({
          id: repos.length + 1,
          project: project.name,
          ref,
          sha1,
          flavor,
          distro: distro.distro,
          distro_version: distro.version,
          distro_codename: distro.codename,
          status: repoStatus,
          url: `https://${host}/r/${path}`,
          chacra_url: `https://${host}/repos/${path}`,
          archs: [arch],
          extra: { ...extra },
          modified: (repoModified.getTime() > now.getTime() ? now : repoModified).toISOString(),
        });
      }
    }
  }
  return { builds, repos };
}

const SAMPLE_SHA1 = "45a8f1c2d3e4b5a697887766554433221100ffee";

/** One completed ceph build on ubuntu jammy, with `fields` overriding any of it. */
export function sampleBuild(fields: Partial<UiBuildRecord> = {}): UiBuildRecord {
  return {
    id: 1,
    project: "ceph",
    ref: "main",
    sha1: SAMPLE_SHA1,
    flavor: "default",
    distro: "ubuntu",
    distro_version: "22.04",
    distro_codename: "jammy",
    distro_arch: "x86_64",
    status: "completed",
    url: "https://jenkins.ceph.com/job/ceph-dev-pipeline/81234/",
    log_url: "https://jenkins.ceph.com/job/ceph-dev-pipeline/81234/consoleFull",
    extra: { version: "20.0.0-1234-g45a8f1c2d", node_name: "braggi12" },
    modified: "2025-06-11T10:00:00.000Z",
    started: "2025-06-11T08:00:00.000Z",
    completed: "2025-06-11T10:00:00.000Z",
    ...fields,
  };
}

/** One ready ceph repo on ubuntu jammy, with `fields` overriding any of it. */
export function sampleRepo(fields: Partial<UiRepoRecord> = {}): UiRepoRecord {
  const path = `ceph/main/${SAMPLE_SHA1}/ubuntu/jammy/flavors/default/`;
  return {
    id: 1,
    project: "ceph",
    ref: "main",
    sha1: SAMPLE_SHA1,
    flavor: "default",
    distro: "ubuntu",
    distro_version: "22.04",
    distro_codename: "jammy",
    status: "ready",
    url: `https://1.chacra.ceph.com/r/${path}`,
    chacra_url: `https://1.chacra.ceph.com/repos/${path}`,
    archs: ["x86_64", "arm64"],
    extra: { version: "20.0.0-1234-g45a8f1c2d" },
    modified: "2025-06-11T10:30:00.000Z",
    ...fields,
  };
}
