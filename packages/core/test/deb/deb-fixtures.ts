import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export type FixtureCompression = "gzip" | "xz" | "zstd" | "none";

export interface DebFixtureSpec {
  /** The DEBIAN/control text, exactly. */
  readonly control: string;
  readonly compression: FixtureCompression;
  /** Payload files by path. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface DebFixture {
  readonly spec: DebFixtureSpec;
  /** Cached .deb on disk. */
  readonly path: string;
  readonly bytes: Uint8Array;
  /** The conventional file name `<package>_<version without epoch>_<arch>.deb`. */
  readonly fileName: string;
}

const CACHE = join(tmpdir(), "quipu-deb-fixtures-v1");

function field(control: string, name: string): string {
  const match = new RegExp(`^${name}:\\s*(.*)$`, "m").exec(control);
  if (!match?.[1]) throw new Error(`fixture control lacks ${name}`);
  return match[1].trim();
}

/**
 * Builds (once, cached by content hash under the OS temp dir) a real .deb with
 * `dpkg-deb --root-owner-group -Z<compression> --build`, with a fixed SOURCE_DATE_EPOCH so the
 * bytes are reproducible.
 */
export function buildDebFixture(spec: DebFixtureSpec): DebFixture {
  const key = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 24);
  const path = join(CACHE, `${key}.deb`);
  if (!existsSync(path)) {
    mkdirSync(CACHE, { recursive: true });
    const work = mkdtempSync(join(CACHE, "build-"));
    try {
      mkdirSync(join(work, "root", "DEBIAN"), { recursive: true });
      writeFileSync(join(work, "root", "DEBIAN", "control"), spec.control);
      for (const [file, content] of Object.entries(spec.files ?? { "usr/share/doc/quipu/README": "quipu fixture\n" })) {
        mkdirSync(dirname(join(work, "root", file)), { recursive: true });
        writeFileSync(join(work, "root", file), content);
      }
      const out = join(work, "out.deb");
      execFileSync("dpkg-deb", ["--root-owner-group", `-Z${spec.compression}`, "--build", join(work, "root"), out], {
        env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      renameSync(out, path);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const version = field(spec.control, "Version").replace(/^\d+:/, "");
  return {
    spec,
    path,
    bytes: new Uint8Array(readFileSync(path)),
    fileName: `${field(spec.control, "Package")}_${version}_${field(spec.control, "Architecture")}.deb`,
  };
}

/** The fixture set: multi-line and UTF-8 text, epochs, arch:all and amd64/arm64, alternatives, Multi-Arch, every compression. */
export const FIXTURE_SPECS: readonly DebFixtureSpec[] = [
  {
    compression: "gzip",
    control: `Package: quipu-lib
Version: 1:2.0-1
Architecture: amd64
Maintainer: Zoë Ünïcödé <zoe@example.invalid>
Installed-Size: 12
Depends: libc6 (>= 2.34) | libc6-compat, quipu-data (= 0.5-1)
Multi-Arch: same
Section: libs
Priority: optional
Homepage: https://quipu.example.invalid/
X-Custom-Field: kept as is
Description: quipu shared library — ünïcödé
 The quipu library, with a long description
 spanning several lines.
 .
 A second paragraph: 日本語のテキスト.
`,
  },
  {
    compression: "xz",
    control: `Package: quipu-lib
Version: 1:2.1-1
Architecture: amd64
Maintainer: Zoë Ünïcödé <zoe@example.invalid>
Depends: libc6 (>= 2.34) | libc6-compat, quipu-data (>= 0.5)
Multi-Arch: same
Section: libs
Priority: optional
Description: quipu shared library — ünïcödé
 Newer version of the library.
`,
  },
  {
    compression: "xz",
    control: `Package: quipu-data
Version: 0.5-1
Architecture: all
Maintainer: Q <q@example.invalid>
Multi-Arch: foreign
Section: misc
Description: architecture-independent data for quipu
 Preformatted:
   line one
   line two
 .
 End.
`,
  },
  {
    compression: "zstd",
    control: `Package: quipu-app
Version: 3.0~rc1-1
Architecture: amd64
Maintainer: Q <q@example.invalid>
Pre-Depends: quipu-data
Depends: quipu-lib (>= 1:2.0) | quipu-missing (>> 9), quipu-data
Recommends: quipu-missing-too
Provides: quipu-frontend
Section: utils
Description: quipu command line tool
`,
  },
  {
    compression: "none",
    control: `Package: quipu-tool
Version: 1.0
Architecture: arm64
Maintainer: Q <q@example.invalid>
Description: an arm64-only tool
`,
  },
];

let cached: DebFixture[] | undefined;

/** All fixtures, built on first use. */
export function debFixtures(): DebFixture[] {
  cached ??= FIXTURE_SPECS.map(buildDebFixture);
  return cached;
}

export interface SourceFixture {
  /** Directory holding the .dsc and the files it lists. */
  readonly dir: string;
  readonly dscName: string;
  /** Every file of the source package (the .dsc first). */
  readonly files: readonly string[];
}

/** A native source package `quipu-src 1.0` built once with `dpkg-source -b` (cached). */
export function buildSourceFixture(): SourceFixture {
  const dir = join(CACHE, "source-quipu-src-1.0");
  const dscName = "quipu-src_1.0.dsc";
  const files = [dscName, "quipu-src_1.0.tar.xz"];
  if (!existsSync(join(dir, dscName))) {
    mkdirSync(CACHE, { recursive: true });
    const work = mkdtempSync(join(CACHE, "build-src-"));
    try {
      const tree = join(work, "quipu-src-1.0");
      mkdirSync(join(tree, "debian", "source"), { recursive: true });
      writeFileSync(
        join(tree, "debian", "control"),
        "Source: quipu-src\nSection: misc\nPriority: optional\nMaintainer: Zoë <zoe@example.invalid>\nBuild-Depends: debhelper-compat (= 13)\nStandards-Version: 4.6.2\nHomepage: https://quipu.example.invalid/\nVcs-Git: https://quipu.example.invalid/quipu.git\n\nPackage: quipu-src\nArchitecture: all\nDescription: quipu source test\n Long text.\n",
      );
      writeFileSync(join(tree, "debian", "changelog"), "quipu-src (1.0) unstable; urgency=low\n\n  * Initial.\n\n -- Zoë <zoe@example.invalid>  Mon, 01 Jan 2024 00:00:00 +0000\n");
      writeFileSync(join(tree, "debian", "rules"), "#!/usr/bin/make -f\n%:\n\tdh $@\n", { mode: 0o755 });
      writeFileSync(join(tree, "debian", "source", "format"), "3.0 (native)\n");
      execFileSync("dpkg-source", ["-b", "quipu-src-1.0"], { cwd: work, env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" }, stdio: ["ignore", "ignore", "pipe"] });
      const staging = join(work, "out");
      mkdirSync(staging);
      for (const file of files) renameSync(join(work, file), join(staging, file));
      renameSync(staging, dir);
    } catch (error) {
      if (!existsSync(join(dir, dscName))) throw error;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return { dir, dscName, files };
}
