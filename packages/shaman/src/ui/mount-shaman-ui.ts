/**
 * Registers the web UI's GET routes on a Hono app: `/`, `/builds/…`, `/repos/…`. The paths are
 * the original's, and people share them (Jenkins prints `/builds/ceph/{branch}/{sha1}` in build
 * descriptions), so they must not change.
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import { renderDashboard } from "./dashboard-page.js";
import { renderDetail } from "./detail-page.js";
import { renderRecordList } from "./list-page.js";
import { renderNotFound } from "./not-found-page.js";
import type { RecordKind } from "./ui-components.js";
import type { ShamanUiData, UiBuildRecord, UiRepoRecord } from "./ui-data.js";
import { UI_CONTENT_SECURITY_POLICY } from "./ui-layout.js";

export interface ShamanUiOptions {
  /** At most this many records on a list page (the original's `build_limit`). Default 1000. */
  readonly listLimit?: number;
  /** Days shown in the dashboard chart. Default 10. */
  readonly chartDays?: number;
  /** Entries in the dashboard's "latest" panels. Default 10. */
  readonly latestCount?: number;
}

/** One path segment (already percent-decoded): a project, ref, sha1 or flavor. */
const SegmentSchema = z.string().min(1).max(512);
/** The record id in a detail URL: a positive decimal integer without sign, zeros or exponent. */
const IdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/)
  .transform(Number);
/** `[]` up to `[project, ref, sha1, flavor, id]`. */
const UiPathSchema = z.array(SegmentSchema).max(5);

type UiLocation = { readonly level: readonly string[]; readonly id?: number };

/** The location below `/builds/` or `/repos/`, or undefined for anything that is not one (→ 404). */
export function parseUiPath(rest: string): UiLocation | undefined {
  const raw = rest === "" ? [] : rest.replace(/\/$/, "").split("/");
  let decoded: string[];
  try {
    decoded = raw.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
  const parsed = UiPathSchema.safeParse(decoded);
  if (!parsed.success) return undefined;
  if (parsed.data.length < 5) return { level: parsed.data };
  const id = IdSchema.safeParse(parsed.data[4]);
  return id.success ? { level: parsed.data.slice(0, 4), id: id.data } : undefined;
}

// A fresh Headers per response: @hono/node-server writes Content-Length into a plain headers
// object it is given, so a shared constant object would carry one page's length to the next.
const page = (body: string, status = 200) =>
  new Response(body, {
    status,
    headers: new Headers({
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": UI_CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
    }),
  });

export function mountShamanUi(app: Hono, data: ShamanUiData, options: ShamanUiOptions = {}): void {
  const listLimit = options.listLimit ?? 1000;
  const chartDays = options.chartDays ?? 10;
  const latestCount = options.latestCount ?? 10;

  app.get("/", async () => {
    const [projects, latestBuilds, latestRepos, readyPerDay] = await Promise.all([
      data.projects(),
      data.builds({ status: "completed", limit: latestCount }),
      data.repos({ status: "ready", limit: latestCount }),
      data.readyReposPerDay(chartDays),
    ]);
    return page(renderDashboard({ projects, latestBuilds, latestRepos, readyPerDay, now: data.now() }));
  });

  const handler = (kind: RecordKind) => async (c: Context) => {
    const url = new URL(c.req.url);
    const prefix = `/${kind}`;
    // The original answered without the trailing slash by redirecting; Jenkins links omit it.
    if (!url.pathname.endsWith("/")) return c.redirect(`${url.pathname}/${url.search}`, 301);
    const location = parseUiPath(url.pathname.slice(prefix.length + 1));
    if (!location) return page(renderNotFound("There is no page at this address.", url.pathname), 404);
    const [project, ref, sha1, flavor] = location.level;
    const projects = await data.projects();
    if (project !== undefined && !projects.includes(project)) return page(renderNotFound(`No project named “${project}”.`, url.pathname), 404);
    const now = data.now();

    if (location.id !== undefined) {
      const notFound = () => page(renderNotFound(`No ${kind === "builds" ? "build" : "repo"} #${location.id} in ${project}.`, url.pathname), 404);
      // Detail pages are found by id, as in the original; a shared link whose path does not match
      // the record (say, a retyped flavor) is sent to the record's own address.
      const misplaced = (record: UiBuildRecord | UiRepoRecord) => {
        const canonical = [record.project, record.ref, record.sha1, record.flavor].map(encodeURIComponent).join("/");
        return canonical === location.level.map(encodeURIComponent).join("/") ? undefined : c.redirect(`${prefix}/${canonical}/${record.id}/`, 301);
      };
      const sameSha1 = (record: UiBuildRecord | UiRepoRecord) => ({ project: record.project, ref: record.ref, sha1: record.sha1, limit: listLimit });
      if (kind === "builds") {
        const build = await data.build(location.id);
        if (!build || build.project !== project) return notFound();
        return misplaced(build) ?? page(renderDetail({ kind, record: build, related: await data.repos(sameSha1(build)), now }));
      }
      const repo = await data.repo(location.id);
      if (!repo || repo.project !== project) return notFound();
      return misplaced(repo) ?? page(renderDetail({ kind, record: repo, related: await data.builds(sameSha1(repo)), now }));
    }

    // One more than shown tells whether the list was cut.
    const filter = { project, ref, sha1, flavor, limit: listLimit + 1 };
    const common = { level: location.level, projects, now };
    if (kind === "builds") {
      const records = await data.builds(filter);
      return page(renderRecordList({ ...common, kind, records: records.slice(0, listLimit), truncated: records.length > listLimit }));
    }
    const records = await data.repos(filter);
    return page(renderRecordList({ ...common, kind, records: records.slice(0, listLimit), truncated: records.length > listLimit }));
  };

  for (const kind of ["builds", "repos"] as const) {
    app.get(`/${kind}`, handler(kind));
    app.get(`/${kind}/*`, handler(kind));
  }
}
