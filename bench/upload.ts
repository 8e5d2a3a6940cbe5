/**
 * Upload benchmark: `quipu-chacra upload` of one large file to a local `quipu-chacra serve`,
 * against `cp` of the same file on the same disk in the same run (so machine noise cancels out).
 * Prints throughput, the ratio to cp, and the peak RSS of the server and the client. Asserts
 * nothing.
 *
 *   pnpm build && pnpm bench:upload [--size 2G] [--runs 2] [--from-source]
 *
 * The upload does more than cp: the client reads and hashes (SHA-512), the bytes cross a loopback
 * socket, the server hashes again, writes a temporary file and fsyncs it before the atomic rename
 * (cp does not fsync). So `cp + fsync` is printed too: the same bytes made durable.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "2G" },
    runs: { type: "string", default: "2" },
    // Run the TypeScript sources through tsx instead of the build (slower start, more memory).
    "from-source": { type: "boolean", default: false },
  },
});

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) {
    console.error(`--size: expected a size like 2G, 512M, 100000, got '${text}'`);
    process.exit(2);
  }
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as "" | "k" | "m" | "g"];
  return Math.round(Number(match[1]) * unit);
}

const size = parseSize(values.size);
const runs = Math.max(1, Number(values.runs));
const root = fileURLToPath(new URL("..", import.meta.url));
// Under the repository, i.e. on the same disk as the data directory and the cp target.
const work = join(root, ".bench-work/upload");
const TIME = "/usr/bin/time";
const fromSource = values["from-source"] === true;
/** The command line that runs `quipu-chacra` (node + arguments before the subcommand). */
const quipu: string[] = fromSource
  ? [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { main } from ${JSON.stringify(join(root, "packages/chacra/src/cli.ts"))}; process.exitCode = await main(process.argv.slice(1));`,
    ]
  : [join(root, "packages/chacra/bin/quipu-chacra.js")];

if (!fromSource && !existsSync(join(root, "packages/chacra/dist/cli.js"))) {
  console.error("bench:upload runs the built CLI: run `pnpm build` first (or pass --from-source)");
  process.exit(2);
}
const help = spawnSync(process.execPath, [...quipu, "serve", "--help"], { cwd: root, encoding: "utf8" });
if (help.status !== 0) {
  console.error(`bench:upload needs 'quipu-chacra serve' (exit ${help.status}): ${(help.stderr || help.stdout).trim().split("\n")[0]}`);
  process.exit(2);
}
const hasTime = spawnSync(TIME, ["-f", "%M", "true"], { stdio: "ignore" }).status === 0;

const MB = (bytes: number, seconds: number) => bytes / 1e6 / seconds;
const fmtSize = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`);

/** Random-looking content, fast: a 16 MiB random block written repeatedly, each copy stamped with its index. */
function writeInput(path: string, bytes: number): void {
  const block = randomBytes(16 * 1024 * 1024);
  const fd = openSync(path, "w");
  try {
    for (let offset = 0, index = 0; offset < bytes; offset += block.length, index += 1) {
      block.writeUInt32LE(index, 0);
      const length = Math.min(block.length, bytes - offset);
      writeSync(fd, block, 0, length, offset);
    }
  } finally {
    closeSync(fd);
  }
  // Flush it now, so the first contender does not pay for writing the input back.
  spawnSync("sync", [path]);
}

/** Runs a command to completion; returns wall seconds and (with /usr/bin/time) its peak RSS in bytes. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; peakRss: number | null } {
  const rssFile = join(work, "time-rss.txt");
  const [exe, argv] = hasTime ? [TIME, ["-f", "%M", "-o", rssFile, command, ...args]] : [command, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(exe, argv, { env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 16 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr.toString().slice(-2000)}`);
  }
  const peakRss = hasTime ? Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) * 1024 : null;
  return { seconds, peakRss };
}

/** Peak RSS (VmHWM) of a live process, in bytes. */
function vmHwm(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Starts `quipu-chacra serve` and waits for the daemon contract's readiness: the listening line, then /health/ 2xx. */
async function startServer(dataDir: string, user: string, key: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...quipu, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir], {
    env: { ...process.env, QUIPU_CHACRA_API_USER: user, QUIPU_CHACRA_API_KEY: key },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      try {
        const record = JSON.parse(line) as { msg?: string; url?: string };
        if (record.msg === "listening" && typeof record.url === "string") resolve(record.url);
      } catch {
        // Not a JSON log line.
      }
    });
    child.on("exit", (code) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
  // Keep draining stdout (the server logs each request), so the pipe never fills.
  child.stdout!.resume();
  for (let attempt = 0; ; attempt += 1) {
    const health = await fetch(new URL("health/", url)).catch(() => undefined);
    if (health && health.status < 300) break;
    if (attempt > 50) throw new Error(`serve at ${url} never became healthy (${health?.status ?? "unreachable"})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url: url.endsWith("/") ? url : `${url}/` };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const input = join(work, "input.bin");
const copy = join(work, "copy.bin");
const dataDir = join(work, "chacra");

console.log(`quipu upload benchmark — ${fmtSize(size)}, ${runs} run(s) each (best), files under ${work}${fromSource ? ", CLI from sources (tsx)" : ""}`);
writeInput(input, size);
const user = "bench";
const key = randomBytes(12).toString("hex");
const server = await startServer(dataDir, user, key);
console.log(`  server ${server.url} (pid ${server.child.pid})`);

const samples = { cp: [] as number[], cpSync: [] as number[], upload: [] as number[] };
let clientRss: number | null = null;
let serverRss: number | null = null;
try {
  for (let run = 0; run < runs; run += 1) {
    rmSync(copy, { force: true });
    samples.cp.push(timed("cp", [input, copy]).seconds);
    rmSync(copy, { force: true });
    // coreutils `sync FILE` fsyncs just that file: cp's bytes made durable, as the upload's are.
    samples.cpSync.push(timed("sh", ["-c", 'cp "$0" "$1" && sync "$1"', input, copy]).seconds);
    rmSync(copy, { force: true });
    const upload = timed(
      process.execPath,
      [...quipu, "upload", input, "--url", server.url, "--project", "bench", "--ref", `run-${run}`, "--sha1", "head", "--distro", "ubuntu", "--distro-version", "noble", "--arch", "x86_64"],
      { ...process.env, QUIPU_CHACRA_API_USER: user, QUIPU_CHACRA_API_KEY: key },
    );
    samples.upload.push(upload.seconds);
    if (upload.peakRss !== null) clientRss = Math.max(clientRss ?? 0, upload.peakRss);
    // Keep the disk from filling up with one copy per run.
    rmSync(join(dataDir, "binaries", "bench", `run-${run}`), { recursive: true, force: true });
  }
} finally {
  serverRss = vmHwm(server.child.pid!);
  await stopServer(server.child);
}

const best = (list: number[]) => Math.min(...list);
const rows: [string, number][] = [
  ["cp", best(samples.cp)],
  ["cp + fsync", best(samples.cpSync)],
  ["quipu-chacra upload (HEAD, POST, verify)", best(samples.upload)],
];
console.log("");
for (const [label, seconds] of rows) console.log(`  ${label.padEnd(42)} ${seconds.toFixed(2).padStart(7)} s ${MB(size, seconds).toFixed(0).padStart(6)} MB/s`);
const uploadRate = MB(size, best(samples.upload));
console.log("");
console.log(`  upload / cp            ${((uploadRate / MB(size, best(samples.cp))) * 100).toFixed(0)} %   (target ≥ 80 %)`);
console.log(`  upload / (cp + fsync)  ${((uploadRate / MB(size, best(samples.cpSync))) * 100).toFixed(0)} %`);
const rss = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 1e6).toFixed(0)} MB`);
console.log(`  peak RSS: server ${rss(serverRss)}, client ${rss(clientRss)}   (target < 150 MB each)`);
console.log(`  (input ${statSync(input).size} bytes; sizes in MB = 10^6 bytes)`);
rmSync(work, { recursive: true, force: true });
