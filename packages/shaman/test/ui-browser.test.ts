/**
 * The web UI in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * click from the dashboard to a project's builds and on to a build's page, check what a person
 * sees (text, row colours as computed by the browser, no blocked styles or scripts), and save
 * full-page screenshots under test-artifacts/ for a human to look at. Skipped without Chromium.
 */
import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryUiData, mountShamanUi } from "../src/ui/index.js";
import { sampleUiRecords } from "../src/ui/sample-ui-records.js";

// The callbacks given to evaluate() run in Chromium, but the project is typechecked without DOM
// types (they would hide mistakes in server code), so declare the little those callbacks use.
declare const getComputedStyle: (element: unknown) => { backgroundColor: string; borderTopColor: string };
declare const navigator: { clipboard: { readText(): Promise<string> } };

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));
// A fixed clock, so "N ago" and the chart are the same in every run and every screenshot.
const NOW = new Date("2025-06-11T15:30:00Z");

/** The colours the stylesheet gives rows (the test checks the browser really applied them). */
const ROW_COLOURS = { ok: "rgb(231, 245, 234)", failed: "rgb(253, 236, 234)", pending: "rgb(255, 245, 217)" } as const;
const TONE_OF_STATUS: Record<string, keyof typeof ROW_COLOURS> = { completed: "ok", ready: "ok", failed: "failed", started: "pending", queued: "pending", building: "pending", requested: "pending" };

describe.skipIf(!existsSync(CHROMIUM))("the web UI in headless Chromium", () => {
  let server: ServerType;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  /** Console errors, including Content-Security-Policy refusals of a style or script. */
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const app = new Hono();
    mountShamanUi(app, createMemoryUiData({ ...sampleUiRecords(NOW), now: () => NOW }));
    const address = await new Promise<AddressInfo>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, resolve);
    });
    baseUrl = `http://127.0.0.1:${address.port}`;
    // Root in containers has no user namespaces for Chromium's sandbox.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, baseURL: baseUrl });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
    page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  async function rowColours(selector: string) {
    return page.locator(selector).evaluateAll((rows) =>
      rows.map((row) => ({
        status: row.querySelector(".pill")?.textContent ?? "",
        background: getComputedStyle(row.querySelector("td")).backgroundColor,
      })),
    );
  }

  it("shows the dashboard with every project, the latest builds and repos, and the chart", async () => {
    await page.goto("/");
    expect(await page.locator("h1").innerText()).toBe("Projects");
    expect(await page.locator(".project .name").allInnerTexts()).toEqual(["ceph", "kernel", "nfs-ganesha"]);
    const latestBuilds = page.locator("section", { has: page.getByRole("heading", { name: "Latest completed builds" }) });
    expect(await latestBuilds.locator("tbody tr").count()).toBe(10);
    expect(await latestBuilds.locator("tbody tr").first().innerText()).toMatch(/ago$/);
    const latestRepos = page.locator("section", { has: page.getByRole("heading", { name: "Latest ready repositories" }) });
    expect(await latestRepos.locator("tbody tr").count()).toBe(10);
    expect(await latestRepos.locator("tbody tr").first().evaluate((row) => getComputedStyle(row.querySelector("td")).backgroundColor)).toBe(ROW_COLOURS.ok);
    const chart = page.getByRole("img", { name: /Ready repositories per day, 2025-06-02 to 2025-06-11/ });
    expect(await chart.isVisible()).toBe(true);
    expect((await chart.boundingBox())?.height).toBeGreaterThan(150);
    expect(await chart.locator("rect").count()).toBeGreaterThan(5);
    expect(await page.locator(".legend").innerText()).toContain("nfs-ganesha");
    // The stylesheet applied: project cards are blue, which an unstyled page would not be.
    expect(await page.locator(".project .name").first().evaluate((element) => getComputedStyle(element).backgroundColor)).toBe("rgb(47, 111, 176)");
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });
  }, 60_000);

  it("goes from the dashboard to a project's builds, coloured by status", async () => {
    await page.goto("/");
    const ceph = page.locator(".project").filter({ has: page.locator(".name", { hasText: /^ceph$/ }) });
    await ceph.getByRole("link", { name: "Builds →" }).click();
    await page.waitForURL(`${baseUrl}/builds/ceph/`);
    expect(await page.locator("h1").innerText()).toBe("Builds ceph");
    expect(await page.getByRole("columnheader").allInnerTexts()).toEqual(["id", "project", "ref", "sha1", "distro", "release", "flavor", "arch", "status", "modified"]);
    const rows = await rowColours("table.records tbody tr");
    expect(rows.length).toBeGreaterThan(20);
    const statuses = new Set(rows.map((row) => row.status));
    // The sample has finished, failed and running builds of ceph: every colour is on the page.
    expect([...statuses].sort()).toEqual(expect.arrayContaining(["completed", "failed", "queued", "started"]));
    for (const row of rows) expect(row.background, row.status).toBe(ROW_COLOURS[TONE_OF_STATUS[row.status] ?? "ok"]);
    expect(await page.locator("aside").getByRole("heading").innerText()).toBe("Refs");
    expect(await page.locator("aside li a").allInnerTexts()).toEqual(["main", "wip-rgw-multisite-sync-fix", "tentacle", "squid"]);
    await page.screenshot({ path: `${ARTIFACTS}builds-project.png`, fullPage: true });
  }, 60_000);

  it("opens a failed build's page with its fields, Jenkins links and the repos of its sha1", async () => {
    await page.goto("/builds/ceph/");
    const failed = page.locator("table.records tbody tr.tone-failed").first();
    const id = (await failed.locator("td").first().innerText()).replace("#", "");
    await failed.getByRole("link", { name: `#${id}` }).click();
    await page.waitForURL(new RegExp(`/builds/ceph/[^/]+/[0-9a-f]{40}/[a-z]+/${id}/$`));
    expect(await page.locator("h1").innerText()).toMatch(new RegExp(`^Build #${id} ceph › `));
    const fields = page.locator("table.fields");
    expect(await fields.locator("tr", { hasText: "Status" }).locator("td").innerText()).toBe("failed");
    expect(await fields.locator("tr", { hasText: "Extra" }).locator("td").innerText()).toContain('"root_build_cause": "SCMTRIGGER"');
    expect(await page.locator(".panel.tone-failed").first().evaluate((element) => getComputedStyle(element).borderTopColor)).toBe("rgb(198, 40, 40)");
    const jenkins = page.getByRole("link", { name: "Jenkins build" });
    expect(await jenkins.getAttribute("href")).toMatch(/^https:\/\/jenkins\.ceph\.com\/job\/ceph-dev-pipeline\/\d+\/$/);
    expect(await page.getByRole("link", { name: "Log output" }).getAttribute("href")).toMatch(/\/consoleFull$/);
    const repos = page.locator("section", { has: page.getByRole("heading", { name: /^Repositories of ceph › / }) });
    expect(await repos.locator("tbody tr").count()).toBeGreaterThan(0);
    expect(await repos.locator("tbody tr").first().locator("a").first().getAttribute("href")).toMatch(/^\/repos\/ceph\//);
    await page.screenshot({ path: `${ARTIFACTS}build-detail.png`, fullPage: true });
  }, 60_000);

  it("copies a sha1 with the side panel's button (the page's own script may run)", async () => {
    await page.goto("/builds/ceph/main/");
    const button = page.locator("aside button.copy").first();
    const sha1 = await button.getAttribute("data-copy");
    await button.click();
    await page.locator("aside button.copy", { hasText: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(sha1);
  }, 60_000);

  it("answers unknown places with the 404 page", async () => {
    const response = await page.goto("/builds/ceph/main/no-such-sha1/default/999999/");
    expect(response?.status()).toBe(404);
    expect(await page.locator("h1").innerText()).toBe("Not found");
  }, 60_000);

  it("loaded every page without a refused style or script", () => {
    expect(consoleErrors.filter((text) => !text.includes("404"))).toEqual([]);
  });
});
