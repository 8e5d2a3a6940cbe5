import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildSyntheticPackage,
  syntheticPackageSet,
  syntheticPackageSpecs,
  type SyntheticDebOptions,
  type SyntheticRpmOptions,
} from "../../src/index.js";
import { hasTool, run, runOk, tempDir, withoutDebianRpmNotice } from "./tools.js";

const dir = tempDir("synthetic-set");
afterAll(() => dir.remove());

describe("syntheticPackageSet", () => {
  it("is deterministic: the same seed gives the same packages, byte for byte", () => {
    for (const kind of ["rpm", "deb"] as const) {
      const a = syntheticPackageSet({ count: 40, kind, seed: "bench" });
      const b = syntheticPackageSet({ count: 40, kind, seed: "bench" });
      expect(a.map((p) => p.fileName)).toEqual(b.map((p) => p.fileName));
      a.forEach((p, i) => expect(Buffer.from(p.bytes).equals(Buffer.from(b[i]?.bytes ?? [])), p.fileName).toBe(true));
      const other = syntheticPackageSet({ count: 40, kind, seed: "other" });
      expect(other.map((p) => p.fileName)).not.toEqual(a.map((p) => p.fileName));
    }
  });

  it("builds from specs exactly what the set holds", () => {
    const set = syntheticPackageSet({ count: 5, kind: "rpm", seed: 3 });
    const specs = syntheticPackageSpecs({ count: 5, kind: "rpm", seed: 3 });
    specs.forEach((spec, i) => expect(Buffer.from(buildSyntheticPackage(spec)).equals(Buffer.from(set[i]?.bytes ?? []))).toBe(true));
  });

  it("gives unique file names, and dependencies only on earlier packages of the set", () => {
    for (const kind of ["rpm", "deb"] as const) {
      const specs = syntheticPackageSpecs({ count: 2000, kind, seed: 7 });
      expect(new Set(specs.map((s) => s.fileName)).size).toBe(2000);
      const seen = new Set<string>();
      let withDeps = 0;
      for (const spec of specs) {
        const deps =
          spec.kind === "rpm"
            ? ((spec.options as SyntheticRpmOptions).requires ?? []).map((r) => String(r).split(" ")[0])
            : [((spec.options as SyntheticDebOptions).depends ?? [])].flat().map((d) => d.split(" ")[0]);
        if (deps.length > 0) withDeps++;
        for (const dep of deps) expect(seen.has(dep ?? "")).toBe(true);
        seen.add(spec.options.name);
      }
      expect(withDeps).toBeGreaterThan(1000);
    }
  });

  it("matches the baseline fixtures' shape by default: 3-file ~8 KB rpms, ~850 B debs", () => {
    const rpms = syntheticPackageSet({ count: 200, kind: "rpm", seed: 1 });
    const debs = syntheticPackageSet({ count: 200, kind: "deb", seed: 1 });
    const average = (set: { bytes: Uint8Array }[]) => set.reduce((sum, p) => sum + p.bytes.length, 0) / set.length;
    expect(rpms.every((p) => p.options.files?.length === 3 && p.options.arch === "noarch")).toBe(true);
    expect(debs.every((p) => p.options.architecture === "amd64" && p.options.files?.length === 1)).toBe(true);
    expect(average(rpms)).toBeGreaterThan(7_000);
    expect(average(rpms)).toBeLessThan(9_000);
    expect(average(debs)).toBeGreaterThan(700);
    expect(average(debs)).toBeLessThan(1_000);
  });

  it("rejects bad options with every problem listed", () => {
    expect(() => syntheticPackageSpecs({ count: -1, kind: "rpm", namePrefix: "Bad Prefix", fileSize: 1.5 })).toThrow(
      expect.objectContaining({
        code: "QUIPU_VALIDATION_FAILED",
        details: expect.objectContaining({ issues: [expect.stringMatching(/^count: /), expect.stringMatching(/^namePrefix: /), expect.stringMatching(/^fileSize: /)] }),
      }),
    );
  });
});

describe.skipIf(!hasTool("createrepo_c") || !hasTool("rpm"))("a synthetic rpm set through the reference tools", () => {
  const repo = join(dir.path, "rpms");
  mkdirSync(repo);
  const set = syntheticPackageSet({ count: 200, kind: "rpm", seed: "tools" });
  for (const p of set) writeFileSync(join(repo, p.fileName), p.bytes);

  it("rpm -K reports digests OK for every package", () => {
    const result = run("rpm", ["-K", "--nosignature", ...set.map((p) => join(repo, p.fileName))]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split("\n").filter((line) => line.endsWith(": digests OK"))).toHaveLength(200);
  });

  it("createrepo_c indexes all of them without a warning", () => {
    const result = run("createrepo_c", ["--no-database", repo]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toMatch(/warn|error|critical/i);
    const primaryName = readdirSync(join(repo, "repodata")).find((name) => name.endsWith("primary.xml.gz")) ?? "";
    const primary = gunzipSync(readFileSync(join(repo, "repodata", primaryName))).toString();
    expect(primary).toContain('packages="200"');
    expect(primary.match(/<package type="rpm">/g)).toHaveLength(200);
  });

  it.skipIf(!hasTool("dnf"))("dnf resolves a package's dependencies within the set and installs them into a throwaway root", () => {
    if (!readdirSync(repo).includes("repodata")) runOk("createrepo_c", ["--no-database", repo]);
    const target = set.findLast((p) => (p.options.requires ?? []).length > 0);
    const dnfDir = join(dir.path, "dnf");
    mkdirSync(dnfDir);
    writeFileSync(join(dnfDir, "dnf.conf"), "[main]\ngpgcheck=0\nskip_if_unavailable=False\ninstall_weak_deps=False\n");
    const result = run("dnf", [
      "-y", "-c", join(dnfDir, "dnf.conf"), `--installroot=${join(dnfDir, "root")}`, "--releasever=1",
      "--setopt=reposdir=/dev/null", `--setopt=cachedir=${join(dnfDir, "cache")}`, `--repofrompath=t,file://${repo}`, "--repo=t",
      "install", target?.options.name ?? "",
    ]);
    expect(withoutDebianRpmNotice(result.stderr)).not.toMatch(/error|warning/i);
    expect(result.status).toBe(0);
    const installed = readdirSync(join(dnfDir, "root/usr/bin"));
    expect(installed).toContain(target?.options.name);
    expect(installed.length).toBeGreaterThan(1);
  });
});

describe.skipIf(!hasTool("apt-ftparchive") || !hasTool("dpkg-deb"))("a synthetic deb set through the reference tools", () => {
  const repo = join(dir.path, "debs");
  mkdirSync(repo);
  const set = syntheticPackageSet({ count: 200, kind: "deb", seed: "tools" });
  for (const p of set) writeFileSync(join(repo, p.fileName), p.bytes);

  it("apt-ftparchive indexes all of them without a warning", () => {
    const result = run("apt-ftparchive", ["packages", "."], { cwd: repo });
    expect(result.stderr).toBe("");
    expect(result.stdout.match(/^Package: /gm)).toHaveLength(200);
    writeFileSync(join(repo, "Packages"), result.stdout);
  });

  it("dpkg-deb reads every one", () => {
    for (const p of set.slice(0, 20)) {
      expect(runOk("dpkg-deb", ["--field", join(repo, p.fileName), "Package"]).trim()).toBe(p.options.name);
    }
  });

  it.skipIf(!hasTool("apt-get"))("apt resolves a package's dependencies within the set", () => {
    const apt = join(dir.path, "apt");
    for (const sub of ["state/lists/partial", "cache/archives/partial", "etc/apt.conf.d", "etc/sources.list.d", "etc/preferences.d", "etc/trusted.gpg.d"]) {
      mkdirSync(join(apt, sub), { recursive: true });
    }
    writeFileSync(join(apt, "state/status"), "");
    writeFileSync(join(repo, "Packages"), runOk("apt-ftparchive", ["packages", "."], { cwd: repo }));
    // runOk returns before the file is written, so apt-ftparchive never hashes a half-written Release.
    writeFileSync(join(repo, "Release"), runOk("apt-ftparchive", ["release", "."], { cwd: repo }));
    writeFileSync(join(apt, "etc/sources.list"), `deb [trusted=yes] file:${repo} ./\n`);
    writeFileSync(
      join(apt, "apt.conf"),
      [
        `Dir::State "${apt}/state"; Dir::State::status "${apt}/state/status"; Dir::Cache "${apt}/cache";`,
        `Dir::Etc::SourceList "${apt}/etc/sources.list"; Dir::Etc::SourceParts "${apt}/etc/sources.list.d";`,
        `Dir::Etc::Parts "${apt}/etc/apt.conf.d"; Dir::Etc::Preferences "${apt}/etc/preferences";`,
        `Dir::Etc::PreferencesParts "${apt}/etc/preferences.d";`,
        `Dir::Etc::Trusted "${apt}/etc/trusted.gpg"; Dir::Etc::TrustedParts "${apt}/etc/trusted.gpg.d";`,
        `Debug::NoLocking "true"; APT::Architecture "amd64"; APT::Architectures { "amd64"; };`,
        `Acquire::Languages "none"; APT::Sandbox::User "root";`,
        "",
      ].join("\n"),
    );
    const env = { APT_CONFIG: join(apt, "apt.conf") };
    const update = run("apt-get", ["update"], { env });
    expect(update.stderr).not.toMatch(/^[WE]:/m);
    expect(update.status).toBe(0);
    const target = set.findLast((p) => [p.options.depends ?? []].flat().length > 0);
    const simulate = run("apt-get", ["install", "-s", target?.options.name ?? ""], { env });
    expect(simulate.status).toBe(0);
    const inst = simulate.stdout.match(/^Inst /gm) ?? [];
    expect(simulate.stdout).toContain(`Inst ${target?.options.name} `);
    expect(inst.length).toBeGreaterThan(1);
  });
});
