/**
 * Indexing benchmark: quipu's indexer against the reference tools, in the same run so machine
 * noise cancels out. Prints figures; asserts nothing.
 *
 *   pnpm bench:index [--rpm 2000] [--deb 2000] [--incremental 10000] [--runs 3] [--cli path/to/bin.js]
 *
 * Needs the built CLI (`pnpm build`) and createrepo_c + apt-ftparchive on PATH. Packages come from
 * the synthetic writers of @quipu/testkit (real rpmbuild/dpkg-deb would take minutes for 2,000).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { syntheticPackageSet, type SyntheticPackageKind } from "@quipu/testkit/packages";
import { indexRpmDirectory } from "@quipu/core/indexer";

const { values } = parseArgs({
  options: {
    rpm: { type: "string", default: "2000" },
    deb: { type: "string", default: "2000" },
    incremental: { type: "string", default: "10000" },
    runs: { type: "string", default: "3" },
    cli: { type: "string" },
  },
});
const rpmCount = Number(values.rpm);
const debCount = Number(values.deb);
const incrementalCount = Number(values.incremental);
const runs = Math.max(1, Number(values.runs));

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = values.cli ?? join(root, "packages/chacra/bin/quipu-chacra.js");
const work = join(root, ".bench-work/index");

function requireTool(command: string, args: string[]): void {
  const probe = spawnSync(command, args, { stdio: "ignore" });
  if (probe.error || probe.status !== 0) {
    console.error(`bench:index needs ${command} (${probe.error?.message ?? `exit ${probe.status}`})`);
    process.exit(2);
  }
}

if (values.cli === undefined && !existsSync(join(root, "packages/chacra/dist/cli.js"))) {
  console.error("bench:index runs the built CLI: run `pnpm build` first");
  process.exit(2);
}
if (values.cli === undefined && !existsSync(join(root, "packages/chacra/dist/parse-worker.js"))) {
  console.warn("warning: packages/chacra/dist/parse-worker.js is missing: the CLI reads packages on one thread (rebuild)");
}
requireTool("createrepo_c", ["--version"]);
requireTool("apt-ftparchive", ["--help"]);

/** Runs a command, fails loudly on a non-zero exit, and returns wall seconds. */
function timed(command: string, args: string[], cwd = root): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr?.toString().slice(-2000)}`);
  }
  return seconds;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function writePackages(kind: SyntheticPackageKind, count: number, dir: string, seed: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const pkg of syntheticPackageSet({ kind, count, seed })) writeFileSync(join(dir, pkg.fileName), pkg.bytes);
}

/** Reads every file once so that every contender starts with a warm page cache. */
function warm(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) readFileSync(join(entry.parentPath, entry.name));
  }
}

function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

type Row = { label: string; seconds: number };
const rows: Row[] = [];
function record(label: string, seconds: number): number {
  rows.push({ label, seconds });
  console.log(`  ${label.padEnd(58)} ${seconds.toFixed(3)} s`);
  return seconds;
}

/** Alternates the contenders run by run, so drift in machine load hits them alike. */
function compare(contenders: { label: string; prepare?: () => void; run: () => number }[]): Map<string, number> {
  const samples = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  for (const contender of contenders) {
    contender.prepare?.();
    contender.run(); // warm-up, not counted
  }
  for (let i = 0; i < runs; i++) {
    for (const contender of contenders) {
      contender.prepare?.();
      samples.get(contender.label)!.push(contender.run());
    }
  }
  const medians = new Map<string, number>();
  for (const [label, list] of samples) medians.set(label, record(label, median(list)));
  return medians;
}

mkdirSync(work, { recursive: true });
console.log(`quipu indexing benchmark — ${runs} runs each, median, warm page cache`);
// Other work on the machine slows the contenders unequally (Node's start-up and page faults
// suffer more than the C tools): say how busy it was, so figures can be judged.
const loadNote = () => `load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores`;
console.log(`  (${loadNote()} at the start)`);

// --- rpm: createrepo_c vs quipu-chacra index rpm
const rpmQuipuDir = join(work, "rpm-quipu");
const rpmReferenceDir = join(work, "rpm-createrepo");
console.log(`\nrpm: ${rpmCount} synthetic packages`);
writePackages("rpm", rpmCount, rpmQuipuDir, 1);
writePackages("rpm", rpmCount, rpmReferenceDir, 1);
warm(rpmQuipuDir);
warm(rpmReferenceDir);
console.log(`  (${(sizeOf(rpmQuipuDir) / 1e6).toFixed(1)} MB of packages)`);
const rpmResults = compare([
  {
    label: "createrepo_c (default: sqlite databases too)",
    prepare: () => rmSync(join(rpmReferenceDir, "repodata"), { recursive: true, force: true }),
    run: () => timed("createrepo_c", ["-q", rpmReferenceDir]),
  },
  {
    label: "createrepo_c --no-database",
    prepare: () => rmSync(join(rpmReferenceDir, "repodata"), { recursive: true, force: true }),
    run: () => timed("createrepo_c", ["-q", "--no-database", rpmReferenceDir]),
  },
  {
    label: "quipu-chacra index rpm --no-cache",
    prepare: () => rmSync(join(rpmQuipuDir, "repodata"), { recursive: true, force: true }),
    run: () => timed(process.execPath, [cli, "index", "rpm", rpmQuipuDir, "--no-cache"]),
  },
]);

// --- deb: apt-ftparchive vs quipu-chacra index deb
const debQuipuDir = join(work, "deb-quipu");
const debReferenceDir = join(work, "deb-ftparchive");
console.log(`\ndeb: ${debCount} synthetic packages`);
writePackages("deb", debCount, join(debQuipuDir, "pool/main"), 2);
writePackages("deb", debCount, join(debReferenceDir, "pool/main"), 2);
warm(debQuipuDir);
warm(debReferenceDir);
const ftparchivePipeline = [
  "set -e",
  "mkdir -p dists/stable/main/binary-amd64",
  "apt-ftparchive --arch amd64 packages pool/main > dists/stable/main/binary-amd64/Packages",
  "gzip -9nkf dists/stable/main/binary-amd64/Packages",
  "xz -kf dists/stable/main/binary-amd64/Packages",
  "apt-ftparchive -o APT::FTPArchive::Release::Codename=stable -o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main release dists/stable > /tmp/quipu-bench-Release",
  "mv /tmp/quipu-bench-Release dists/stable/Release",
].join("\n");
const debResults = compare([
  {
    label: "apt-ftparchive packages (Packages only)",
    run: () => timed("sh", ["-c", "apt-ftparchive --arch amd64 packages pool/main > /dev/null"], debReferenceDir),
  },
  {
    label: "apt-ftparchive pipeline (Packages+gz+xz+Release)",
    prepare: () => rmSync(join(debReferenceDir, "dists"), { recursive: true, force: true }),
    run: () => timed("sh", ["-c", ftparchivePipeline], debReferenceDir),
  },
  {
    label: "quipu-chacra index deb --no-cache (Packages+gz+xz+Release)",
    prepare: () => rmSync(join(debQuipuDir, "dists"), { recursive: true, force: true }),
    run: () => timed(process.execPath, [cli, "index", "deb", debQuipuDir, "--codename", "stable", "--compression", "none,gzip,xz", "--no-cache"]),
  },
]);

// --- incremental: add one package to a large repository
console.log(`\nincremental: add 1 rpm to ${incrementalCount}`);
const incrementalDir = join(work, "rpm-incremental");
writePackages("rpm", incrementalCount, incrementalDir, 3);
warm(incrementalDir);
/**
 * Full index (cache cold, which builds the cache), then add one package and re-index;
 * repeated, the first round a warm-up. `index` gets the added file's name on the incremental run
 * and returns how many packages it parsed, where it can tell.
 */
async function measureAddOne(
  label: string,
  seed: number,
  index: (added: string | undefined) => Promise<number | undefined>,
): Promise<{ full: number; incremental: number }> {
  const full: number[] = [];
  const incremental: number[] = [];
  const added = syntheticPackageSet({ kind: "rpm", count: runs + 1, seed, namePrefix: `added${seed}` });
  const seconds = async (file: string | undefined) => {
    const start = process.hrtime.bigint();
    const indexed = await index(file);
    return { indexed, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  };
  for (let i = 0; i <= runs; i++) {
    rmSync(join(incrementalDir, "repodata"), { recursive: true, force: true });
    rmSync(join(incrementalDir, ".quipu"), { recursive: true, force: true }); // the indexer's cache
    const cold = await seconds(undefined);
    const pkg = added[i]!;
    writeFileSync(join(incrementalDir, pkg.fileName), pkg.bytes);
    const warmRun = await seconds(pkg.fileName);
    rmSync(join(incrementalDir, pkg.fileName));
    if (warmRun.indexed !== undefined && warmRun.indexed !== 1) {
      throw new Error(`expected 1 package parsed on the incremental run, got ${warmRun.indexed}`);
    }
    if (i > 0) {
      full.push(cold.seconds);
      incremental.push(warmRun.seconds);
    }
  }
  return {
    full: record(`${label}: full index of ${incrementalCount} (cache cold)`, median(full)),
    incremental: record(`${label}: re-index after adding 1 package (cache warm)`, median(incremental)),
  };
}

const viaCli = await measureAddOne("CLI", 4, async () => {
  timed(process.execPath, [cli, "index", "rpm", incrementalDir]);
  return undefined;
});
// The chacra daemon re-indexes in-process after an upload, so the library call is what a user
// waits for; a separate process adds Node's start-up and module loading (~0.1–0.2 s, itself
// more than 5 % of this full index). The daemon also knows which file it just wrote: the
// `changedPaths` hint lets the indexer skip the scan of the whole directory.
const library = await measureAddOne("library, directory scanned", 5, async () => (await indexRpmDirectory(incrementalDir)).indexed);
const hinted = await measureAddOne("library, changedPaths hint", 6, async (added) =>
  (await indexRpmDirectory(incrementalDir, added === undefined ? {} : { changedPaths: [added] })).indexed,
);
const nodeStart = median(Array.from({ length: runs + 1 }, () => timed(process.execPath, ["-e", "0"])));
record("node -e 0 (process start-up alone)", nodeStart);

// --- summary
const ratio = (a: number, b: number) => a / b;
const rpmRatio = ratio(rpmResults.get("quipu-chacra index rpm --no-cache")!, rpmResults.get("createrepo_c (default: sqlite databases too)")!);
const rpmRatioNoDb = ratio(rpmResults.get("quipu-chacra index rpm --no-cache")!, rpmResults.get("createrepo_c --no-database")!);
const debRatio = ratio(
  debResults.get("quipu-chacra index deb --no-cache (Packages+gz+xz+Release)")!,
  debResults.get("apt-ftparchive pipeline (Packages+gz+xz+Release)")!,
);
const debRatioBare = ratio(
  debResults.get("quipu-chacra index deb --no-cache (Packages+gz+xz+Release)")!,
  debResults.get("apt-ftparchive packages (Packages only)")!,
);
const incrementalShare = viaCli.incremental / viaCli.full;
const libraryShare = library.incremental / library.full;
const hintedShare = hinted.incremental / hinted.full;
const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
console.log(`\n  (${loadNote()} at the end)`);
console.log("\nsummary (time ratio quipu / reference; lower is better)");
console.log(`  rpm full index vs createrepo_c            ${rpmRatio.toFixed(2)}×  (target ≤ 1.0×: ${verdict(rpmRatio <= 1)})`);
console.log(`  rpm full index vs createrepo_c --no-db    ${rpmRatioNoDb.toFixed(2)}×`);
console.log(`  deb full index vs apt-ftparchive pipeline ${debRatio.toFixed(2)}×  (target ≤ 1.0×: ${verdict(debRatio <= 1)})`);
console.log(`  deb full index vs apt-ftparchive packages ${debRatioBare.toFixed(2)}×`);
console.log(`  incremental / full, CLI processes          ${(incrementalShare * 100).toFixed(1)} %  (target < 5 %: ${verdict(incrementalShare < 0.05)})`);
console.log(`    of which Node's start-up alone            ${((nodeStart / viaCli.full) * 100).toFixed(1)} % of the CLI full index`);
console.log(`  incremental / full, library, scan          ${(libraryShare * 100).toFixed(1)} %  (target < 5 %: ${verdict(libraryShare < 0.05)})`);
console.log(`  incremental / full, library, changedPaths  ${(hintedShare * 100).toFixed(1)} %  (target < 5 %: ${verdict(hintedShare < 0.05)})`);
