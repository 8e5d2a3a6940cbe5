/**
 * The web UI's view of the service (`ShamanUiData`, src/ui/ui-data.ts): records as the wire JSON
 * plus their ids, with ISO 8601 timestamps.
 */
import { timestampFromMs } from "@quipu/core";
import type { ShamanService } from "./service.js";
import type { BuildRecord, RepoRecord } from "./store/shaman-store.js";
import type { ShamanUiData, UiBuildRecord, UiRecordFilter, UiRepoRecord } from "./ui/ui-data.js";

function uiRepo(service: ShamanService, repo: RepoRecord): UiRepoRecord {
  const wire = service.repoJson(repo);
  return {
    ...wire,
    id: repo.id,
    // A release the distro table does not know keeps the sender's spelling.
    distro_version: wire.distro_version ?? repo.distro_version,
    modified: timestampFromMs(repo.modified),
  };
}

function uiBuild(service: ShamanService, build: BuildRecord): UiBuildRecord {
  const wire = service.buildJson(build);
  return {
    ...wire,
    id: build.id,
    log_url: wire.log_url ?? "",
    modified: timestampFromMs(build.modified),
    started: timestampFromMs(build.started),
    completed: build.completed === null ? null : timestampFromMs(build.completed),
  };
}

function filterOf(filter: UiRecordFilter) {
  return { project: filter.project, ref: filter.ref, sha1: filter.sha1, flavor: filter.flavor, status: filter.status };
}

export function createServiceUiData(service: ShamanService): ShamanUiData {
  return {
    projects: () => service.projects(),
    builds: (filter) =>
      service.listBuilds(filterOf(filter), filter.limit === undefined ? { limit: Number.MAX_SAFE_INTEGER } : { limit: filter.limit }).map((build) => uiBuild(service, build)),
    repos: (filter) =>
      service.listRepos(filterOf(filter), filter.limit === undefined ? {} : { limit: filter.limit }).map((repo) => uiRepo(service, repo)),
    build: (id) => {
      const build = service.getBuild(id);
      return build === undefined ? undefined : uiBuild(service, build);
    },
    repo: (id) => {
      const repo = service.getRepo(id);
      return repo === undefined ? undefined : uiRepo(service, repo);
    },
    readyReposPerDay: (days) => service.readyReposPerDay(days),
    now: () => new Date(service.clock.now()),
  };
}
