import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandResult } from "../deb/repo-harness.js";

export interface DnfRepository {
  /** Base URL of the repository (http://127.0.0.1:…/repo or file:///…). */
  readonly url: string;
  /** With a key URL, dnf checks `repomd.xml.asc` against it (`repo_gpgcheck=1`). */
  readonly gpgKeyUrl?: string;
}

/**
 * One dnf call isolated from the host, the dnf twin of `createAptSandbox` (recipe §7.2 of the
 * indexing reference): its own dnf.conf with `skip_if_unavailable=False` (Debian's default would
 * hide a broken repository), installroot and cache under `dir`, and no host repositories. Reusing
 * `dir` reuses its cache and installroot. `env` replaces the environment (Debian's rpm keeps its
 * database under `$HOME/.rpmdb`, so HOME decides where an install is recorded). Asynchronous, so
 * a server in the same process keeps answering.
 */
export function runDnf(
  dir: string,
  repository: DnfRepository,
  args: readonly string[],
  env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C.UTF-8" },
): Promise<CommandResult> {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, "dnf.conf");
  writeFileSync(conf, "[main]\ngpgcheck=0\nskip_if_unavailable=False\ninstall_weak_deps=False\n");
  const argv = [
    "-y",
    "-c",
    conf,
    `--installroot=${join(dir, "root")}`,
    "--releasever=1",
    // dnf-plugins-core's `local` plugin would copy every installed package into the host's
    // /var/lib/dnf/plugins/local and show it as an extra repository.
    "--disableplugin=local",
    "--setopt=reposdir=/dev/null",
    `--setopt=cachedir=${join(dir, "cache")}`,
    `--repofrompath=t,${repository.url}`,
    "--repo=t",
    ...(repository.gpgKeyUrl === undefined ? [] : ["--setopt=t.repo_gpgcheck=1", `--setopt=t.gpgkey=${repository.gpgKeyUrl}`]),
    ...args,
  ];
  return new Promise((resolve) => {
    execFile("dnf", argv, { encoding: "utf8", timeout: 120_000, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
