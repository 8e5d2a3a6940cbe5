/**
 * shaman benchmark: `quipu-shaman serve` over 100,000 repo rows, under 500 req/s from a second
 * process on loopback, for the two calls clients make most:
 *
 * - teuthology's `GET /api/search/?…&sha1=latest` over three distros (the newest sha1 of
 *   ceph/main ready for centos/9 x86_64, ubuntu/22.04 x86_64 and ubuntu/24.04 arm64; the seeded
 *   data makes it walk several sha1s before finding one ready for all three);
 * - the build scripts' `GET /api/nodes/next/` with Basic auth, over 3 registered chacra nodes
 *   (tiny HTTP servers in this process answering `/health/` with 204).
 *
 * In the same run, for context: the same load against a bare `node:http` server answering 204
 * (the floor: loopback, the load generator, the machine's noise), against shaman's own
 * `/_health/` (its HTTP stack around a one-row database ping), and the same search called
 * in-process (its cost without HTTP). A "others" column shows how many cores the rest of the
 * machine kept busy meanwhile, so a bad figure can be told from a busy machine. Each target runs under two pacings of the same rate (see
 * bench/shaman-load.ts): autocannon's `overallRate` (a burst of `--connections` concurrent
 * requests at the start of each second) and a steady open-loop 1/rate schedule.
 * Prints figures; asserts nothing. Target (issue 5): p99 < 10 ms.
 *
 *   pnpm build && pnpm bench:shaman [--rows 100000] [--duration 20] [--rate 500] [--connections 4]
 *                                   [--pacing autocannon,steady] [--warmup 2]
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { equivalentArchs, normalizeDistroRelease, parseDistroQuery, type RepoStatus } from "@quipu/core";
import { createShamanService, createSqliteShamanStore, type NewRepo, type RepoQuery, type RepoRecord } from "@quipu/shaman";
import type { LoadReport, LoadRequest } from "./shaman-load.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "100000" },
    duration: { type: "string", default: "20" },
    rate: { type: "string", default: "500" },
    connections: { type: "string", default: "4" },
    pacing: { type: "string", default: "autocannon,steady" },
    warmup: { type: "string", default: "2" },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name}: expected a positive number, got '${text}'`);
    process.exit(2);
  }
  return value;
}
const ROWS = Math.round(positive("rows", values.rows));
const DURATION = positive("duration", values.duration);
const RATE = positive("rate", values.rate);
const CONNECTIONS = Math.round(positive("connections", values.connections));
const WARMUP = Number(values.warmup);
const PACINGS = values.pacing.split(",").map((p) => p.trim());
if (PACINGS.some((p) => p !== "autocannon" && p !== "steady")) {
  console.error(`--pacing: expected a comma list of autocannon, steady; got '${values.pacing}'`);
  process.exit(2);
}
const TARGET_P99_MS = 10;

const root = fileURLToPath(new URL("..", import.meta.url));
const shamanBin = join(root, "packages/shaman/bin/quipu-shaman.js");
const loadHelper = join(root, "bench/shaman-load.ts");
if (!existsSync(join(root, "packages/shaman/dist/cli.js"))) {
  console.error("bench:shaman runs the built daemon: run `pnpm build` first");
  process.exit(2);
}

// ------------------------------------------------------------------ cleanup

const children = new Set<ChildProcess>();
const servers: Server[] = [];
mkdirSync(join(root, ".bench-work"), { recursive: true });
const work = mkdtempSync(join(root, ".bench-work", "shaman-"));

function killChildren(signal: NodeJS.Signals): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, signal);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killChildren("SIGKILL");
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

function spawnTracked(command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const child = spawn(command, args, options);
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

async function stop(child: ChildProcess, timeoutMs = 10_000): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
    child.kill("SIGTERM");
  });
}

// ------------------------------------------------------------------ seeded data

/** Deterministic PRNG (mulberry32): the same rows every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(0x5ba3a9);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const between = (low: number, high: number) => low + random() * (high - low);
const hex = (length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join("");

interface Target {
  readonly distro: string;
  readonly version: string;
  /** Archs a full build reports; the arm one is sometimes missing (arm builders lag). */
  readonly archs: readonly string[];
  readonly debug: boolean;
}
const CEPH_TARGETS: readonly Target[] = [
  { distro: "centos", version: "9", archs: ["x86_64", "aarch64", "source"], debug: true },
  { distro: "rocky", version: "9", archs: ["x86_64", "source"], debug: false },
  { distro: "ubuntu", version: "jammy", archs: ["x86_64", "arm64"], debug: true },
  { distro: "ubuntu", version: "noble", archs: ["x86_64", "arm64"], debug: false },
  { distro: "debian", version: "bookworm", archs: ["x86_64"], debug: false },
];
const SMALL_TARGETS: readonly Target[] = [
  { distro: "centos", version: "9", archs: ["x86_64", "aarch64"], debug: false },
  { distro: "rocky", version: "9", archs: ["x86_64"], debug: false },
  { distro: "ubuntu", version: "jammy", archs: ["x86_64", "arm64"], debug: false },
  { distro: "ubuntu", version: "noble", archs: ["x86_64", "arm64"], debug: false },
];

interface Stream {
  readonly project: string;
  readonly ref: string;
  /** Share of all sha1s. */
  readonly share: number;
  readonly targets: readonly Target[];
  /** Days back the stream's pushes start (0 = now). */
  readonly spanDays: number;
}
const WIP_REFS = 1_500;
const STREAMS: Stream[] = [
  { project: "ceph", ref: "main", share: 0.2, targets: CEPH_TARGETS, spanDays: 365 },
  { project: "ceph", ref: "tentacle", share: 0.06, targets: CEPH_TARGETS, spanDays: 240 },
  { project: "ceph", ref: "squid", share: 0.06, targets: CEPH_TARGETS, spanDays: 365 },
  { project: "ceph", ref: "reef", share: 0.04, targets: CEPH_TARGETS, spanDays: 365 },
  { project: "ceph", ref: "quincy", share: 0.02, targets: CEPH_TARGETS, spanDays: 200 },
  { project: "kernel", ref: "testing", share: 0.04, targets: SMALL_TARGETS, spanDays: 365 },
  { project: "kernel", ref: "main", share: 0.02, targets: SMALL_TARGETS, spanDays: 365 },
  { project: "nfs-ganesha", ref: "next", share: 0.02, targets: SMALL_TARGETS, spanDays: 365 },
  { project: "nfs-ganesha", ref: "V6-stable", share: 0.01, targets: SMALL_TARGETS, spanDays: 365 },
  { project: "ceph-iscsi", ref: "main", share: 0.015, targets: SMALL_TARGETS, spanDays: 365 },
  { project: "tcmu-runner", ref: "main", share: 0.015, targets: SMALL_TARGETS, spanDays: 365 },
  // ceph-ci: many short-lived wip branches, a few pushes each.
  ...Array.from({ length: WIP_REFS }, (_, i) => ({
    project: "ceph-ci",
    ref: `wip-${pick(["yuri", "pdonnell", "batrick", "adk", "sjust", "rzarzynski", "vshankar", "jcollin", "mchangir", "ljflores"])}-${pick(["testing", "fix", "squid", "main", "crimson", "rgw", "mds", "osd"])}-${i}`,
    share: 0.55 / WIP_REFS,
    targets: CEPH_TARGETS,
    spanDays: -1,
  })),
];
/** The newest pushes of each ref are still building. */
const IN_FLIGHT = 3;
const CHACRA_HOSTS = ["chacra-01.ceph.com", "chacra-02.ceph.com", "chacra-03.ceph.com", "chacra-04.ceph.com"];
const DAY = 86_400_000;
const HOUR = 3_600_000;

interface SeedRow {
  readonly repo: NewRepo;
  readonly created: number;
  readonly modified: number;
}

function releaseKeys(distro: string, version: string) {
  const release = normalizeDistroRelease(distro, version);
  return { distroKey: release.distro, releaseKey: release.pathVersion };
}

function settledStatus(): RepoStatus {
  const r = random();
  return r < 0.93 ? "ready" : r < 0.97 ? "failed" : r < 0.99 ? "building" : "queued";
}
function inFlightStatus(): RepoStatus {
  const r = random();
  return r < 0.4 ? "ready" : r < 0.75 ? "building" : r < 0.95 ? "queued" : "requested";
}

/** Repos of one push: one per target and flavor, as chacra reports them. */
function reposOfPush(stream: Stream, sha1: string, pushed: number, inFlight: number | null): SeedRow[] {
  const rows: SeedRow[] = [];
  const version = `${stream.project === "ceph" || stream.project === "ceph-ci" ? "20.1.0" : "6.5"}-${Math.floor(pushed / HOUR) % 9000}-g${sha1.slice(0, 7)}`;
  for (const target of stream.targets) {
    const flavors = target.debug && random() < 0.5 ? ["default", "debug"] : ["default"];
    for (const flavor of flavors) {
      let status = inFlight === null ? settledStatus() : inFlightStatus();
      // The newest pushes of ceph/main have their centos repos ready (those builds finish first) and
      // noble still building: `latest` must skip them (and older incomplete ones) to find its answer.
      if (inFlight !== null && stream.project === "ceph" && stream.ref === "main") {
        if (target.distro === "centos") status = "ready";
        if (target.version === "noble") status = "building";
      }
      let archs = [...target.archs];
      const armIndex = archs.findIndex((arch) => arch === "arm64" || arch === "aarch64");
      const roll = random();
      if (armIndex >= 0 && roll < 0.25) archs.splice(armIndex, 1); // arm build not there
      else if (armIndex >= 0 && roll < 0.28) archs = [archs[armIndex]!]; // only the arm build made it (the x86_64 one failed)
      const host = pick(CHACRA_HOSTS);
      const path = `${stream.project}/${stream.ref}/${sha1}/${target.distro}/${target.version}/flavors/${flavor}/`;
      const created = pushed + between(5 * 60_000, HOUR);
      const modified = status === "ready" || status === "failed" ? created + between(HOUR, 8 * HOUR) : created + between(0, 20 * 60_000);
      const arch = archs.includes("x86_64") ? "x86_64" : archs[0]!;
      rows.push({
        created,
        modified,
        repo: {
          project: stream.project,
          ref: stream.ref,
          sha1,
          flavor,
          distro: target.distro,
          distro_version: target.version,
          ...releaseKeys(target.distro, target.version),
          status,
          generation: null,
          url: status === "ready" ? `https://${host}/r/${path}` : null,
          chacra_url: `https://${host}/repos/${path}`,
          archs,
          extra: {
            version,
            package_manager_version: target.distro === "ubuntu" || target.distro === "debian" ? `${version.replace("-g", "-1")}${target.version}` : `${version.replaceAll("-", ".")}.el9`,
            build_url: `https://jenkins.ceph.com/job/${stream.project}-dev-build/ARCH=${arch},AVAILABLE_ARCH=${arch},AVAILABLE_DIST=${target.version},DIST=${target.version},MACHINE_SIZE=gigantic/${Math.floor(random() * 90_000)}/`,
            root_build_cause: pick(["SCMTRIGGER", "MANUALTRIGGER"]),
            node_name: `172.21.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}+braggi${Math.floor(random() * 20)}`,
            job_name: `${stream.project}-dev-build/ARCH=${arch},DIST=${target.version},MACHINE_SIZE=gigantic`,
          },
        },
      });
    }
  }
  return rows;
}

function seedRows(total: number, now: number): SeedRow[] {
  // Repos per push are 4 to 7: size the streams for a few too many, then keep the newest `total`.
  const pushes = Math.ceil(total / 5);
  const rows: SeedRow[] = [];
  for (const stream of STREAMS) {
    const count = Math.max(1, Math.round(pushes * stream.share));
    // wip branches: a burst of pushes over a few days, somewhere in the last year.
    const spanDays = stream.spanDays > 0 ? stream.spanDays : between(1, 6);
    const end = stream.spanDays > 0 ? now - between(0.5, 2) * HOUR : now - between(0, 365) * DAY;
    const start = end - spanDays * DAY;
    for (let i = 0; i < count; i += 1) {
      const pushed = start + ((i + random() * 0.8) / count) * (end - start);
      const fromNewest = count - 1 - i;
      rows.push(...reposOfPush(stream, hex(40), pushed, fromNewest < IN_FLIGHT ? fromNewest : null));
    }
  }
  // Ids in the order chacra created the repos; the oldest trimmed to exactly `total`.
  rows.sort((a, b) => a.created - b.created);
  if (rows.length < total) throw new Error(`generated ${rows.length} repos, fewer than ${total}`);
  return rows.slice(Math.max(0, rows.length - total));
}

// ------------------------------------------------------------------ measuring helpers

const clockTicks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** User + system CPU time of a process so far, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** A field of /proc/PID/status in bytes (VmHWM = peak RSS, VmRSS = now). */
function procStatus(pid: number, field: "VmHWM" | "VmRSS"): number | null {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Busy and total CPU time of the whole machine so far (all cores), in ms, from /proc/stat. */
function machineCpuMs(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: ((total - idle) * 1000) / clockTicks, total: (total * 1000) / clockTicks };
}

function percentiles(samples: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1)! };
}

async function runLoad(load: LoadRequest): Promise<LoadReport> {
  const child = spawnTracked(process.execPath, ["--import", "tsx", loadHelper, JSON.stringify(load)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  const line = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !line.startsWith("{")) throw new Error(`load generator failed (${code}): ${stderr || stdout}`);
  return JSON.parse(line) as LoadReport;
}

// ------------------------------------------------------------------ servers

/** A chacra node as far as shaman cares: `/health/` answering 204. Counts the probes. */
async function startChacraNode(): Promise<{ server: Server; port: number; probes: () => number }> {
  let probes = 0;
  const server = createServer((request, response) => {
    if (request.url === "/health/") probes += 1;
    response.statusCode = request.url === "/health/" ? 204 : 404;
    response.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port, probes: () => probes };
}

/** Resolves with the first line of `child`'s stdout for which `pick` returns a value. */
function firstLine<T>(child: ChildProcess, what: string, pickLine: (line: string) => T | undefined, stderr: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onLine = (line: string) => {
      const found = pickLine(line);
      if (found === undefined) return;
      lines.off("line", onLine);
      resolve(found);
    };
    lines.on("line", onLine);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before it was ready: ${stderr()}`)));
  });
}

/** The floor: a bare node:http server answering 204, in its own process as shaman is. */
async function startStaticReference(): Promise<{ child: ChildProcess; url: string }> {
  const source = `require("node:http").createServer((q, s) => { s.statusCode = 204; s.end(); }).listen(0, "127.0.0.1", function () { console.log(this.address().port); });`;
  const child = spawnTracked(process.execPath, ["-e", source], { stdio: ["ignore", "pipe", "pipe"] });
  const port = await firstLine(child, "reference server", (line) => (/^\d+$/.test(line.trim()) ? Number(line) : undefined), () => "");
  return { child, url: `http://127.0.0.1:${port}/` };
}

/** Starts `quipu-shaman serve` and waits for the daemon contract's readiness: the listening line, then /_health/ 2xx. */
async function startShaman(dataDir: string, user: string, key: string): Promise<{ child: ChildProcess; url: string; logLines: () => number }> {
  const child = spawnTracked(
    process.execPath,
    [shamanBin, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, "--api-user", user, "--api-key", key, "--node-scheme", "http"],
    { cwd: work, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let logLines = 0;
  const url = await firstLine(
    child,
    "quipu-shaman serve",
    (line) => {
      try {
        const record = JSON.parse(line) as { msg?: string; url?: string };
        return record.msg === "listening" && typeof record.url === "string" ? record.url : undefined;
      } catch {
        return undefined;
      }
    },
    () => stderr,
  );
  // Keep draining stdout (one log line per request), so the pipe never fills.
  child.stdout!.on("data", (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 10) logLines += 1;
  });
  for (let attempt = 0; ; attempt += 1) {
    const health = await fetch(new URL("_health/", url)).catch(() => undefined);
    if (health && health.status < 300) break;
    if (attempt > 100) throw new Error(`serve at ${url} never became healthy (${health?.status ?? "unreachable"})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url: url.endsWith("/") ? url : `${url}/`, logLines: () => logLines };
}

// ------------------------------------------------------------------ the run

const SEARCH_PARAMS = "project=ceph&distros=centos/9/x86_64,ubuntu/22.04/x86_64,ubuntu/24.04/arm64&ref=main&sha1=latest&flavor=default&status=ready";
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const mb = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 1e6).toFixed(0)} MB`);

console.log(`quipu shaman benchmark — ${new Date().toISOString()}`);
console.log(
  `  ${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(`  ${ROWS} repo rows; ${RATE} req/s for ${DURATION} s per target, ${CONNECTIONS} connections, pacing ${PACINGS.join(" + ")}; files under ${work}`);

const dataDir = join(work, "shaman");
mkdirSync(dataDir, { recursive: true });
const user = "bench";
const key = randomBytes(12).toString("hex");
let exitCode = 0;
let shaman: Awaited<ReturnType<typeof startShaman>> | undefined;
try {
  // 1. Seed through the store API, in one transaction.
  const now = Date.now();
  let started = performance.now();
  const rows = seedRows(ROWS, now);
  const generated = performance.now() - started;
  const store = createSqliteShamanStore({ filename: join(dataDir, "shaman.db") });
  started = performance.now();
  store.transaction(() => {
    for (const project of new Set(rows.map((row) => row.repo.project))) store.ensureProject(project, now - 400 * DAY);
    for (const row of rows) {
      const record = store.insertRepo(row.repo, row.created);
      if (row.modified !== row.created) store.updateRepo(record.id, {}, row.modified, true);
    }
  });
  const inserted = performance.now() - started;
  const statusCounts = new Map<string, number>();
  for (const row of rows) statusCounts.set(row.repo.status, (statusCounts.get(row.repo.status) ?? 0) + 1);
  const sha1s = new Set(rows.map((row) => row.repo.sha1)).size;
  const refs = new Set(rows.map((row) => `${row.repo.project}/${row.repo.ref}`)).size;
  console.log(
    `  seeded ${store.countRepos()} repos (${sha1s} sha1s, ${refs} refs, ${[...statusCounts].map(([s, n]) => `${s} ${((n / rows.length) * 100).toFixed(1)} %`).join(", ")}) in ${((generated + inserted) / 1000).toFixed(1)} s (${(inserted / 1000).toFixed(1)} s in SQLite)`,
  );

  // 2. The search in-process (no HTTP), through the service the daemon uses: the answer, how far
  //    `latest` has to walk, and what the query costs without the network.
  const service = createShamanService({ store });
  const params = [...new URLSearchParams(SEARCH_PARAMS)];
  const answer = service.search(params);
  if (answer.length !== 3) throw new Error(`the search found ${answer.length} repos, expected 3: the seeded data does not answer it`);
  const answerSha1 = answer[0]!.sha1;
  const parts = parseDistroQuery("centos/9/x86_64,ubuntu/22.04/x86_64,ubuntu/24.04/arm64");
  const partQuery = (part: (typeof parts)[number]): RepoQuery => ({
    project: "ceph",
    ref: "main",
    flavor: "default",
    status: "ready",
    release: { distroKey: part.distro, releaseKey: part.pathVersion },
    anyArch: part.arch === null ? undefined : equivalentArchs(part.arch),
  });
  const merged: RepoRecord[] = parts.flatMap((part) => store.findRepos(partQuery(part))).sort((a, b) => b.modified - a.modified || b.id - a.id);
  const position = merged.findIndex((repo) => repo.sha1 === answerSha1);
  const walked = new Set(merged.slice(0, position).map((repo) => repo.sha1)).size;
  const mainRows = store.findRepos({ project: "ceph", ref: "main" }).length;
  console.log(
    `  search: ceph/main has ${mainRows} repos; latest skips ${walked} newer sha1s (${position} ready matching rows) before ${answerSha1.slice(0, 12)}, ready for all three`,
  );
  console.log(`  plan of one part's page: ${store.explainRepoQuery({ ...partQuery(parts[2]!), limit: 8 }).join("; ")}`);
  for (let i = 0; i < 200; i += 1) JSON.stringify(service.search(params).map((repo) => service.repoJson(repo)));
  const inProcess: number[] = [];
  for (let i = 0; i < 5_000; i += 1) {
    const t0 = process.hrtime.bigint();
    JSON.stringify(service.search(params).map((repo) => service.repoJson(repo)));
    inProcess.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  service.close();
  store.close();

  // 3. Servers: the static reference, three chacra nodes, shaman.
  const reference = await startStaticReference();
  const nodes = await Promise.all([startChacraNode(), startChacraNode(), startChacraNode()]);
  shaman = await startShaman(dataDir, user, key);
  const shamanPid = shaman.child.pid!;
  const basic = `Basic ${Buffer.from(`${user}:${key}`).toString("base64")}`;
  for (const node of nodes) {
    const response = await fetch(new URL(`api/nodes/127.0.0.1:${node.port}/`, shaman.url), {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/json" },
      body: "{}",
    });
    if (response.status !== 200) throw new Error(`registering node 127.0.0.1:${node.port} answered ${response.status}: ${await response.text()}`);
  }
  const searchUrl = new URL(`api/search/?${SEARCH_PARAMS}`, shaman.url).href;
  const nextUrl = new URL("api/nodes/next/", shaman.url).href;
  const overHttp = (await (await fetch(searchUrl)).json()) as { sha1: string }[];
  if (overHttp.length !== 3 || overHttp.some((repo) => repo.sha1 !== answerSha1)) throw new Error(`the search over HTTP disagrees: ${JSON.stringify(overHttp).slice(0, 300)}`);
  const next = await fetch(nextUrl, { headers: { authorization: basic } });
  if (next.status !== 200) throw new Error(`/api/nodes/next/ answered ${next.status}: ${await next.text()}`);
  console.log(`  shaman ${shaman.url} (pid ${shamanPid}), RSS after start ${mb(procStatus(shamanPid, "VmRSS"))}; nodes on ports ${nodes.map((n) => n.port).join(", ")}; static reference ${reference.url}`);

  // 4. Load, from a second process.
  interface Target {
    readonly label: string;
    readonly url: string;
    readonly headers?: Record<string, string>;
    readonly shaman: boolean;
    readonly measured: boolean;
  }
  const targets: Target[] = [
    { label: "reference: node:http 204", url: reference.url, shaman: false, measured: false },
    { label: "reference: shaman /_health/", url: new URL("_health/", shaman.url).href, shaman: true, measured: false },
    { label: "/api/search/ sha1=latest ×3", url: searchUrl, shaman: true, measured: true },
    { label: "/api/nodes/next/ (Basic)", url: nextUrl, headers: { authorization: basic }, shaman: true, measured: true },
  ];
  if (WARMUP > 0) {
    for (const target of targets.filter((t) => t.shaman)) {
      await runLoad({ url: target.url, pacing: "autocannon", rate: RATE, duration: WARMUP, connections: CONNECTIONS, ...(target.headers ? { headers: target.headers } : {}) });
    }
  }
  const results: { target: Target; pacing: string; report: LoadReport; cpuPerRequest: number | null; others: number }[] = [];
  const ours = () => cpuMs(shamanPid) + cpuMs(reference.child.pid!) + (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  for (const pacing of PACINGS) {
    for (const target of targets) {
      const machineBefore = machineCpuMs();
      const oursBefore = ours();
      const cpuBefore = target.shaman ? cpuMs(shamanPid) : cpuMs(reference.child.pid!);
      const report = await runLoad({
        url: target.url,
        pacing: pacing as LoadRequest["pacing"],
        rate: RATE,
        duration: DURATION,
        connections: CONNECTIONS,
        ...(target.headers ? { headers: target.headers } : {}),
      });
      const cpuAfter = target.shaman ? cpuMs(shamanPid) : cpuMs(reference.child.pid!);
      // What the rest of the machine (other users' tests, …) kept busy meanwhile, in cores.
      const machineAfter = machineCpuMs();
      const wall = (machineAfter.total - machineBefore.total) / cpus().length;
      const othersMs = machineAfter.busy - machineBefore.busy - (ours() - oursBefore) - (report.generatorCpuMs ?? 0);
      results.push({
        target,
        pacing,
        report,
        cpuPerRequest: report.requests > 0 ? (cpuAfter - cpuBefore) / report.requests : null,
        others: wall > 0 ? Math.max(0, othersMs / wall) : 0,
      });
    }
  }

  // 5. Figures.
  console.log("");
  console.log(
    `  ${"target".padEnd(30)} ${"pacing".padEnd(10)} ${"requests".padStart(8)} ${"non-2xx".padStart(7)} ${"err".padStart(3)} ${"req/s".padStart(6)} ${"p50".padStart(6)} ${"p90".padStart(6)} ${"p99".padStart(6)} ${"max".padStart(6)}  ${"CPU/req".padStart(7)}  ${"others".padStart(6)}  p99 < ${TARGET_P99_MS} ms`,
  );
  for (const { target, pacing, report, cpuPerRequest, others } of results) {
    const met = report.latency.p99 < TARGET_P99_MS && report.non2xx === 0 && report.errors === 0 && report.timeouts === 0;
    console.log(
      `  ${target.label.padEnd(30)} ${pacing.padEnd(10)} ${String(report.requests).padStart(8)} ${String(report.non2xx).padStart(7)} ${String(report.errors + report.timeouts).padStart(3)} ${(report.requests / report.seconds).toFixed(0).padStart(6)} ${fmt(report.latency.p50).padStart(6)} ${fmt(report.latency.p90).padStart(6)} ${fmt(report.latency.p99).padStart(6)} ${fmt(report.latency.max).padStart(6)}  ${(cpuPerRequest === null ? "n/a" : cpuPerRequest.toFixed(2)).padStart(7)}  ${others.toFixed(2).padStart(6)}  ${target.measured ? (met ? "met" : "NOT met") : "(reference)"}`,
    );
  }
  const inProc = percentiles(inProcess);
  console.log(
    `  ${"in-process search (no HTTP)".padEnd(30)} ${"serial".padEnd(10)} ${String(inProcess.length).padStart(8)} ${"".padStart(7)} ${"".padStart(3)} ${"".padStart(6)} ${fmt(inProc.p50).padStart(6)} ${fmt(inProc.p90).padStart(6)} ${fmt(inProc.p99).padStart(6)} ${fmt(inProc.max).padStart(6)}`,
  );
  console.log("");
  console.log(`  latencies in ms (client side, per request); err = connection errors + timeouts; CPU/req = the server's user+system CPU ms per request;`);
  console.log(`  others = cores kept busy by the rest of the machine during the phase (not shaman, the generator or this script), of ${cpus().length}`);
  const steady = results.filter((r) => r.pacing === "steady" && r.report.senderLagP99 !== undefined);
  if (steady.length > 0) console.log(`  steady sender lag p99 (how late the generator issued requests, not counted above): ${steady.map((r) => fmt(r.report.senderLagP99!)).join(" / ")} ms`);
  console.log(`  probes received by the chacra nodes: ${nodes.map((n) => n.probes()).join(" / ")}; shaman log lines: ${shaman.logLines()}`);
  console.log(`  shaman peak RSS: ${mb(procStatus(shamanPid, "VmHWM"))}`);
  const failing = results.filter((r) => r.target.measured && !(r.report.latency.p99 < TARGET_P99_MS && r.report.non2xx + r.report.errors + r.report.timeouts === 0));
  console.log(
    `  target p99 < ${TARGET_P99_MS} ms: ${failing.length === 0 ? "met" : `NOT met for ${failing.map((r) => `${r.target.label} (${r.pacing})`).join(", ")}`}`,
  );

  const stopped = await stop(shaman.child);
  if (stopped !== 0) console.log(`  note: quipu-shaman exited with ${stopped} on SIGTERM (expected 0)`);
  await stop(reference.child);
} catch (error) {
  console.error(`bench:shaman failed: ${error instanceof Error ? error.stack : String(error)}`);
  exitCode = 1;
} finally {
  killChildren("SIGTERM");
  for (const server of servers) server.close();
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
