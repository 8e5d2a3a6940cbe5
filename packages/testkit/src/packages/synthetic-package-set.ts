import { buildSyntheticDeb, debFileName, type SyntheticDebOptions } from "./synthetic-deb.js";
import { buildSyntheticRpm, rpmFileName, type SyntheticRpmOptions } from "./synthetic-rpm.js";
import { IssueCollector } from "./validation.js";

export type SyntheticPackageKind = "deb" | "rpm";

interface OptionsByKind {
  deb: SyntheticDebOptions;
  rpm: SyntheticRpmOptions;
}

export interface SyntheticPackageSetOptions<K extends SyntheticPackageKind = SyntheticPackageKind> {
  count: number;
  kind: K;
  /** Same seed → same names, versions, dependencies, contents and bytes. Default 1. */
  seed?: number | string;
  /** Default "synth". Names are `<prefix>-<word>-<index>`, valid for both Debian and RPM. */
  namePrefix?: string;
  /** Default "noarch" for rpm, "amd64" for deb. */
  arch?: string;
  /**
   * Files per package; default 3 for rpm (`/usr/bin/<name>`, `/etc/<name>/<name>.conf`,
   * `/usr/share/doc/<name>/README`, then more docs) and 1 for deb (`/usr/bin/<name>`, then docs).
   */
  filesPerPackage?: number;
  /** Bytes of pseudo-random text per file. Default 700 for rpm, 80 for deb. */
  fileSize?: number;
  /**
   * Each package depends on up to this many earlier packages of the set (`>=` their version), so the
   * set resolves on its own. Default 2.
   */
  maxDependencies?: number;
  /**
   * rpm only: RPMSIGTAG_RESERVEDSPACE as rpmbuild reserves it. Default 4,128, which with the defaults
   * above gives ~8 KB packages like the createrepo_c baseline fixtures (reference §3.5); defaults for
   * deb give ~850 B packages like the apt-ftparchive ones.
   */
  signatureReservedSpace?: number;
}

export interface SyntheticPackageSpec<K extends SyntheticPackageKind = SyntheticPackageKind> {
  kind: K;
  /** Conventional file name: `name-version-release.arch.rpm` or `name_version_arch.deb`. */
  fileName: string;
  /** The options the package is built from (pass them to buildSyntheticRpm / buildSyntheticDeb). */
  options: OptionsByKind[K];
}

export interface SyntheticPackage<K extends SyntheticPackageKind = SyntheticPackageKind> extends SyntheticPackageSpec<K> {
  bytes: Uint8Array;
}

/** Deterministic descriptions of `count` packages (nothing is built; cheap). */
export function syntheticPackageSpecs<K extends SyntheticPackageKind>(options: SyntheticPackageSetOptions<K>): SyntheticPackageSpec<K>[] {
  validate(options);
  const random = createRandom(options.seed ?? 1);
  const prefix = options.namePrefix ?? "synth";
  const width = Math.max(5, String(options.count - 1).length);
  const made: { name: string; debVersion: string; rpmVersion: string; rpmEvr: string }[] = [];
  const specs: SyntheticPackageSpec<K>[] = [];
  for (let index = 0; index < options.count; index++) {
    const name = `${prefix}-${word(random)}-${String(index).padStart(width, "0")}`;
    const upstream = `${1 + random.int(4)}.${random.int(20)}.${random.int(10)}`;
    const release = String(1 + random.int(3));
    const epoch = random.int(10) === 0 ? 1 : undefined;
    const depends: typeof made = [];
    const wanted = made.length === 0 ? 0 : random.int((options.maxDependencies ?? 2) + 1);
    for (let i = 0; i < wanted; i++) {
      const dep = made[random.int(made.length)];
      if (dep && !depends.includes(dep)) depends.push(dep);
    }
    const entry = {
      name,
      debVersion: `${epoch === undefined ? "" : `${epoch}:`}${upstream}-${release}`,
      rpmVersion: upstream,
      rpmEvr: `${epoch === undefined ? "" : `${epoch}:`}${upstream}-${release}`,
    };
    made.push(entry);
    const contents = fileContents(random, options, name);
    if (options.kind === "rpm") {
      const rpm: SyntheticRpmOptions = {
        name,
        version: upstream,
        release,
        ...(epoch === undefined ? {} : { epoch }),
        arch: options.arch ?? "noarch",
        summary: `Synthetic package ${index} of set ${String(options.seed ?? 1)}`,
        description: `${name} exists to exercise repository indexers.\nIt has ${contents.length} files.`,
        url: `https://example.invalid/${name}`,
        requires: depends.map((dep) => `${dep.name} >= ${dep.rpmEvr}`),
        provides: [`${name}-virtual = ${upstream}`],
        files: contents.map((file, i) => ({ ...file, ...(i === 0 ? { mode: 0o755 } : {}) })),
        signatureReservedSpace: options.signatureReservedSpace ?? 4128,
      };
      specs.push({ kind: options.kind, fileName: rpmFileName(rpm), options: rpm as OptionsByKind[K] });
    } else {
      const deb: SyntheticDebOptions = {
        name,
        version: entry.debVersion,
        architecture: options.arch ?? "amd64",
        description: `synthetic package ${index} of set ${String(options.seed ?? 1)}\n${name} exists to exercise repository indexers.`,
        depends: depends.map((dep) => `${dep.name} (>= ${dep.debVersion})`),
        extraFields: { Section: "misc", Priority: "optional", Homepage: `https://example.invalid/${name}` },
        files: contents.map((file, i) => ({ ...file, ...(i === 0 ? { mode: 0o755 } : {}) })),
      };
      specs.push({ kind: options.kind, fileName: debFileName(deb), options: deb as OptionsByKind[K] });
    }
  }
  return specs;
}

/**
 * Builds a deterministic set of `count` valid packages, e.g. 2,000 noarch rpms with 3 files each
 * (~8 KB) or 2,000 amd64 debs (~850 B), the fixtures of the indexing baselines. File names are unique.
 */
export function syntheticPackageSet<K extends SyntheticPackageKind>(options: SyntheticPackageSetOptions<K>): SyntheticPackage<K>[] {
  return syntheticPackageSpecs(options).map((spec) => ({ ...spec, bytes: buildSyntheticPackage(spec) }));
}

/** Builds one package from its spec. */
export function buildSyntheticPackage(spec: SyntheticPackageSpec): Uint8Array {
  return spec.kind === "rpm"
    ? buildSyntheticRpm(spec.options as SyntheticRpmOptions)
    : buildSyntheticDeb(spec.options as SyntheticDebOptions);
}

function fileContents(random: Random, options: SyntheticPackageSetOptions, name: string): { path: string; content: Uint8Array }[] {
  const count = options.filesPerPackage ?? (options.kind === "rpm" ? 3 : 1);
  const size = options.fileSize ?? (options.kind === "rpm" ? 700 : 80);
  const paths =
    options.kind === "rpm"
      ? [`/usr/bin/${name}`, `/etc/${name}/${name}.conf`, `/usr/share/doc/${name}/README`]
      : [`/usr/bin/${name}`, `/usr/share/doc/${name}/README`];
  const files: { path: string; content: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const path = paths[i] ?? `/usr/share/doc/${name}/extra-${i}.txt`;
    files.push({ path, content: text(random, size, i === 0 ? `#!/bin/sh\n# ${name}\n` : "") });
  }
  return files;
}

const ALPHABET = Buffer.from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n");
const SYLLABLES = ["ka", "lo", "mi", "ne", "pu", "ra", "si", "to", "vu", "ze", "bo", "du", "fi", "ga", "hu", "jo"];

/** Pseudo-random printable text (6 bits of entropy per byte): compresses like real files, not to nothing. */
function text(random: Random, size: number, head: string): Uint8Array {
  const headBytes = Buffer.from(head, "utf8");
  const out = Buffer.alloc(Math.max(size, headBytes.length));
  headBytes.copy(out);
  for (let i = headBytes.length; i < out.length; i += 4) {
    let bits = random.u32();
    for (let j = i; j < Math.min(i + 4, out.length); j++, bits >>>= 6) out[j] = ALPHABET[bits & 63] as number;
  }
  return out;
}

function word(random: Random): string {
  return `${SYLLABLES[random.int(SYLLABLES.length)]}${SYLLABLES[random.int(SYLLABLES.length)]}`;
}

interface Random {
  /** Integer in [0, below). */
  int(below: number): number;
  /** 32 random bits. */
  u32(): number;
}

/** mulberry32 seeded by FNV-1a of the seed's text: tiny, fast, and the same on every platform. */
function createRandom(seed: number | string): Random {
  let state = 0x811c9dc5;
  for (const char of String(seed)) state = Math.imul(state ^ char.charCodeAt(0), 0x01000193);
  const u32 = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { u32, int: (below) => Math.floor((u32() / 4294967296) * below) };
}

function validate(options: SyntheticPackageSetOptions): void {
  const issues = new IssueCollector();
  issues.check(Number.isInteger(options.count) && options.count >= 0, "count", "must be a non-negative integer");
  issues.check(options.kind === "deb" || options.kind === "rpm", "kind", 'must be "deb" or "rpm"');
  if (options.namePrefix !== undefined) issues.check(/^[a-z0-9][a-z0-9+.-]*$/.test(options.namePrefix), "namePrefix", "must be lowercase alphanumerics, '+', '.', '-'");
  if (options.filesPerPackage !== undefined) issues.check(Number.isInteger(options.filesPerPackage) && options.filesPerPackage >= 0, "filesPerPackage", "must be a non-negative integer");
  if (options.fileSize !== undefined) issues.check(Number.isInteger(options.fileSize) && options.fileSize >= 0, "fileSize", "must be a non-negative integer");
  if (options.maxDependencies !== undefined) issues.check(Number.isInteger(options.maxDependencies) && options.maxDependencies >= 0, "maxDependencies", "must be a non-negative integer");
  issues.throwIfAny("synthetic package set");
}
