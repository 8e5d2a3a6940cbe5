/**
 * Real packages built with rpmbuild from generated spec files, cached under
 * `os.tmpdir()/quipu-rpm-fixtures/<hash of specs + rpmbuild version>` so only the first test run on a
 * machine pays for the builds (≈2 s). Safe when several test files ask at once: each builds into its
 * own staging directory and renames it into place; the loser of the race uses the winner's copy.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export interface RpmFixture {
  /** Absolute path of the built file. */
  readonly path: string;
  /** File name, e.g. `quipu-tools-1.2.3-4.q1.noarch.rpm`. */
  readonly fileName: string;
}

export interface RpmFixtures {
  readonly dir: string;
  readonly all: readonly RpmFixture[];
  /** The fixture whose file name starts with `prefix` (exactly one must). */
  get(prefix: string): RpmFixture;
}

/** Changelog entries must be in descending date order for rpmbuild; ties are allowed (and tested). */
const toolsChangelog = [
  "* Wed Mar 06 2024 Zoë Quipu <zoe@example.invalid> - 3:1.2.3-4.q1",
  "- Ünïcödé & <markup> \"quotes\" ✓",
  "- second line",
  "",
  "* Wed Mar 06 2024 Same Day <same@example.invalid> - 3:1.2.3-3",
  "- same day as the newer entry",
  "",
  "* Wed Mar 06 2024 Same Day <same@example.invalid> - 3:1.2.3-2",
  "- a third entry on that day",
  "",
  ...Array.from({ length: 10 }, (_, i) => [`* Mon Jan ${String(20 - i).padStart(2, "0")} 2023 Old Timer <old@example.invalid> - 3:1.0-${10 - i}`, `- release ${10 - i}`, ""]).flat(),
].join("\n");

const specs: Record<string, { spec: string; mode: "-bb" | "-ba"; defines?: string[] }> = {
  "quipu-tools": {
    mode: "-bb",
    spec: `Name: quipu-tools
Epoch: 3
Version: 1.2.3
Release: 4.q1
Summary: Quipu tools: naïve café & <tags> "quoted" ✓
License: MIT and (GPL-2.0-or-later or Apache-2.0)
URL: https://example.invalid/quipu?x=1&y=2
Vendor: Quipu Test Vendor
Packager: Tëster <tester@example.invalid>
Group: Development/Tools
BuildArch: noarch
Provides: quipu-virtual = 1.0
Provides: quipu-cap(feature)
Requires: quipu-virtual = 1.0
Requires: /usr/bin/quipu-tool
Requires: /usr/share/quipu-tools/data.txt
Requires: /bin/sh
Requires(pre): /usr/sbin/useradd
Requires(post): coreutils
Requires: (quipu-a or quipu-b)
Requires: (quipu-c if quipu-d)
Requires: quipu-lib >= 2:1.0-1
Requires: libc.so.6()(64bit)
Requires: libc.so.6(GLIBC_2.2.5)(64bit)
Requires: libc.so.6(GLIBC_2.14)(64bit)
Requires: libc.so.6(GLIBC_2.3.4)(64bit)
Recommends: quipu-extra >= 1.2
Suggests: quipu-docs
Supplements: (quipu-core and quipu-lang-fr)
Enhances: quipu-core < 5
Conflicts: quipu-old <= 0.9
Obsoletes: quipu-legacy < 1.0-1

%description
Déscription with ümlauts, & ampersands and <angle brackets>.

A second paragraph.

%install
mkdir -p %{buildroot}/etc/quipu %{buildroot}/usr/bin %{buildroot}/opt/quipu/sbin %{buildroot}/usr/share/quipu-tools/empty %{buildroot}/usr/lib
echo 'key = value' > %{buildroot}/etc/quipu/quipu.conf
touch %{buildroot}/etc/quipu/state.db
printf '#!/bin/sh\\necho quipu\\n' > %{buildroot}/usr/bin/quipu-tool
printf '#!/bin/sh\\necho admin\\n' > %{buildroot}/opt/quipu/sbin/quipu-admin
printf '#!/bin/sh\\n' > %{buildroot}/usr/lib/sendmail
echo data > %{buildroot}/usr/share/quipu-tools/data.txt
echo 'ü' > "%{buildroot}/usr/share/quipu-tools/naïve & <odd>.txt"
chmod 755 %{buildroot}/usr/bin/quipu-tool %{buildroot}/opt/quipu/sbin/quipu-admin %{buildroot}/usr/lib/sendmail

%pre
true

%post
true

%files
%dir /etc/quipu
%config(noreplace) /etc/quipu/quipu.conf
%ghost /etc/quipu/state.db
/usr/bin/quipu-tool
/opt/quipu/sbin/quipu-admin
/usr/lib/sendmail
/usr/share/quipu-tools/data.txt
"/usr/share/quipu-tools/naïve & <odd>.txt"
%dir /usr/share/quipu-tools
%dir /usr/share/quipu-tools/empty

%changelog
${toolsChangelog}
`,
  },
  "quipu-daemon": {
    mode: "-ba",
    defines: ["_binary_payload w2.xzdio"],
    spec: `Name: quipu-daemon
Version: 0.9
Release: 1
Summary: An x86_64 package without compiled content
License: Apache-2.0
URL: https://example.invalid/daemon
BuildArch: x86_64
Requires: quipu-tools >= 3:1.0
Requires: /usr/sbin/quipud

%description
Arch-specific package; also built as a source rpm.

%install
mkdir -p %{buildroot}/usr/sbin %{buildroot}/usr/lib64/quipu
printf '#!/bin/sh\\n' > %{buildroot}/usr/sbin/quipud
chmod 755 %{buildroot}/usr/sbin/quipud
echo lib > %{buildroot}/usr/lib64/quipu/libquipu.txt

%files
/usr/sbin/quipud
/usr/lib64/quipu

%changelog
* Fri Feb 02 2024 Daemon Author <daemon@example.invalid> - 0.9-1
- first release
`,
  },
  "quipu-nodeps-1.0": {
    mode: "-bb",
    defines: ["_binary_payload w19.zstdio"],
    spec: nodepsSpec("1.0", "1"),
  },
  "quipu-nodeps-1.1": {
    mode: "-bb",
    spec: nodepsSpec("1.1", "2"),
  },
};

function nodepsSpec(version: string, release: string): string {
  return `Name: quipu-nodeps
Version: ${version}
Release: ${release}
Summary: Installable into an empty root
License: MIT
BuildArch: noarch
AutoReqProv: no

%description
No dependencies at all, so dnf can install it into a throwaway installroot.

%install
mkdir -p %{buildroot}/usr/share/quipu-nodeps %{buildroot}/etc %{buildroot}/usr/bin
echo 'version ${version}' > %{buildroot}/usr/share/quipu-nodeps/README
echo 'x = 1' > %{buildroot}/etc/quipu-nodeps.conf
printf '#!/bin/sh\\necho nodeps\\n' > %{buildroot}/usr/bin/quipu-nodeps
chmod 755 %{buildroot}/usr/bin/quipu-nodeps

%files
%config /etc/quipu-nodeps.conf
/usr/bin/quipu-nodeps
/usr/share/quipu-nodeps

%changelog
* Thu Feb 01 2024 Nodeps Author <nodeps@example.invalid> - ${version}-${release}
- version ${version}
`;
}

/** Same for every spec; `__os_install_post` off skips the brp-* scripts (nothing to strip or compress). */
const COMMON_DEFINES = ["_buildhost quipu-fixtures", "__os_install_post %{nil}"];

function rpmbuildVersion(): string {
  const r = spawnSync("rpmbuild", ["--version"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`rpmbuild is not available: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}

function listRpms(dir: string): RpmFixture[] {
  const out: RpmFixture[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".rpm")) out.push({ path, fileName: entry.name });
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
}

let cached: RpmFixtures | undefined;

/** Builds (once per machine) and returns the fixture packages. Synchronous: call it in `beforeAll`. */
export function rpmFixtures(): RpmFixtures {
  if (cached) return cached;
  const hash = createHash("sha256").update(rpmbuildVersion()).update(JSON.stringify({ COMMON_DEFINES, specs })).digest("hex").slice(0, 16);
  const root = join(tmpdir(), "quipu-rpm-fixtures");
  const dir = join(root, hash);
  if (!existsSync(join(dir, "done"))) {
    mkdirSync(root, { recursive: true });
    const staging = join(root, `${hash}.staging-${process.pid}-${Math.random().toString(36).slice(2)}`);
    try {
      for (const [name, { spec, mode, defines = [] }] of Object.entries(specs)) {
        const top = join(staging, "build", name);
        mkdirSync(join(top, "SPECS"), { recursive: true });
        writeFileSync(join(top, "SPECS", `${name}.spec`), spec);
        const args = [...COMMON_DEFINES.flatMap((d) => ["--define", d]), "--define", `_topdir ${top}`, "--define", `_rpmdir ${join(staging, "rpms")}`, "--define", `_srcrpmdir ${join(staging, "rpms")}`];
        for (const d of defines) args.push("--define", d);
        const r = spawnSync("rpmbuild", [...args, mode, join(top, "SPECS", `${name}.spec`)], { encoding: "utf8", env: { ...process.env, LC_ALL: "C.UTF-8" } });
        if (r.status !== 0) throw new Error(`rpmbuild ${name} failed:\n${r.stderr}`);
      }
      rmSync(join(staging, "build"), { recursive: true, force: true });
      writeFileSync(join(staging, "done"), "");
      try {
        renameSync(staging, dir);
      } catch {
        // another worker won the race; its copy is identical
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const all = listRpms(dir);
  cached = {
    dir,
    all,
    get(prefix) {
      const found = all.filter((f) => f.fileName.startsWith(prefix));
      if (found.length !== 1) throw new Error(`${found.length} fixtures match ${prefix}: ${all.map((f) => relative(dir, f.path)).join(", ")}`);
      return found[0]!;
    },
  };
  return cached;
}
