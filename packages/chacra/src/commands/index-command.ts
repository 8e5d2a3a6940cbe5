/**
 * `quipu-chacra index rpm <dir>` and `quipu-chacra index deb <dir> --codename <name>`: parse the
 * command line, call `@quipu/core/indexer`, report. All the work is in the core.
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isQuipuError, type QuipuError } from "@quipu/core/errors";
import {
  indexDebDirectory,
  indexRpmDirectory,
  type DebDirectoryIndexResult,
  type DirectoryIndexOptions,
  type IndexDebDirectoryOptions,
  type IndexRpmDirectoryOptions,
  type RpmDirectoryIndexResult,
} from "@quipu/core/indexer";
import { COMMAND_SUMMARIES, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PROGRAM, UsageError, type CliIo, type Command } from "./command.js";

const OPTIONS = {
  codename: { type: "string" },
  component: { type: "string" },
  suite: { type: "string" },
  origin: { type: "string" },
  label: { type: "string" },
  architectures: { type: "string" },
  flat: { type: "boolean" },
  "sign-key": { type: "string" },
  checksums: { type: "string" },
  compression: { type: "string" },
  "changelog-limit": { type: "string" },
  "source-date-epoch": { type: "string" },
  "no-cache": { type: "boolean" },
  "cache-file": { type: "string" },
  strict: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

export const INDEX_HELP = `Usage:
  ${PROGRAM} index rpm <dir> [options]                       like createrepo_c <dir>: writes <dir>/repodata/
  ${PROGRAM} index deb <dir> --codename <name> [options]     writes <dir>/dists/<name>/ (Filename: relative to <dir>)

Indexes every package under <dir> (recursively; hidden entries and the output are skipped).
Incremental (a cache in <dir>/.quipu/), atomic (entry points renamed last), deterministic with
--source-date-epoch. Unreadable packages are reported as warnings and left out.

Options (both):
  --sign-key <file>          armored OpenPGP private key; signs repomd.xml.asc / InRelease + Release.gpg
                             (passphrase from the environment variable QUIPU_SIGN_KEY_PASSPHRASE)
  --checksums <list>         rpm: one of sha256 (default), sha512, sha384, sha224, sha1, md5
                             deb: digests in Packages and Release, default md5,sha256 (needs sha256 or sha512)
  --compression <c>          rpm: gzip (default), zstd, xz, bzip2, none
                             deb: list of index compressions, default gzip (also none, xz, zstd, bzip2)
  --source-date-epoch <s>    fixed timestamps (Unix seconds); default: the SOURCE_DATE_EPOCH variable, else none
  --no-cache                 read every package again, and do not keep a cache
  --cache-file <path>        cache location (default <dir>/.quipu/<kind>-index-cache)
  --strict                   any problem fails the run, and nothing is written
  --json                     print a machine-readable summary on stdout
  -h, --help                 this help

Options (rpm):
  --changelog-limit <n>      changelog entries kept per package (default 10)

Options (deb):
  --codename <name>          dists/<name> and the Codename field (required unless --flat)
  --component <name>         the component (default main)
  --suite <name>             Suite field (default: the codename)
  --origin <text>            Origin field (default none)
  --label <text>             Label field (default none)
  --architectures <list>     e.g. amd64,arm64 (default: those of the packages)
  --flat                     flat repository: Packages and Release at the top of <dir>

Exit status: 0 indexed (problems are warnings), 1 failed (nothing published), 2 bad command line.
`;

type Values = ReturnType<typeof parseIndexArgs>["values"];

function parseIndexArgs(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(oneLine((error as Error).message));
  }
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== "");
  if (items.length === 0) throw new UsageError(`empty list '${value}'`);
  return items;
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a non-negative whole number, got '${value}'`);
  return Number(value.trim());
}

const COMPRESSION_ALIASES: Readonly<Record<string, "none" | "gzip" | "xz" | "zstd" | "bzip2">> = {
  none: "none",
  gzip: "gzip",
  gz: "gzip",
  xz: "xz",
  zstd: "zstd",
  zst: "zstd",
  bzip2: "bzip2",
  bz2: "bzip2",
};

function compression(value: string): "none" | "gzip" | "xz" | "zstd" | "bzip2" {
  const known = COMPRESSION_ALIASES[value];
  if (known === undefined) throw new UsageError(`unknown compression '${value}' (use ${Object.keys(COMPRESSION_ALIASES).join(", ")})`);
  return known;
}

const RPM_CHECKSUMS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"] as const;
const DEB_CHECKSUMS = ["md5", "sha1", "sha256", "sha512"] as const;

function rpmChecksum(values: string[] | undefined): IndexRpmDirectoryOptions["checksumType"] {
  if (values === undefined) return undefined;
  if (values.length !== 1) throw new UsageError("rpm repositories use one checksum type (--checksums sha256)");
  const name = values[0] === "sha" ? "sha1" : values[0]!;
  if (!(RPM_CHECKSUMS as readonly string[]).includes(name)) throw new UsageError(`unknown checksum '${name}' (use ${RPM_CHECKSUMS.join(", ")})`);
  return name as IndexRpmDirectoryOptions["checksumType"];
}

function debChecksums(values: string[] | undefined): IndexDebDirectoryOptions["checksums"] {
  if (values === undefined) return undefined;
  const names = values.map((v) => (v === "md5sum" ? "md5" : v));
  for (const name of names) if (!(DEB_CHECKSUMS as readonly string[]).includes(name)) throw new UsageError(`unknown checksum '${name}' (use ${DEB_CHECKSUMS.join(", ")})`);
  return names as IndexDebDirectoryOptions["checksums"];
}

function sourceDateEpoch(values: Values, env: CliIo["env"]): number | undefined {
  if (values["source-date-epoch"] !== undefined) return integer("source-date-epoch", values["source-date-epoch"]);
  const fromEnv = env["SOURCE_DATE_EPOCH"];
  if (fromEnv === undefined || fromEnv.trim() === "") return undefined;
  if (!/^\d+$/.test(fromEnv.trim())) throw new UsageError(`SOURCE_DATE_EPOCH must be a whole number of seconds, got '${fromEnv}'`);
  return Number(fromEnv.trim());
}

/** The rpm-only / deb-only options given to the other kind are mistakes, not silently ignored. */
function refuseForeign(kind: "rpm" | "deb", values: Values): void {
  const foreign = kind === "rpm" ? ["codename", "component", "suite", "origin", "label", "architectures", "flat"] : ["changelog-limit"];
  for (const name of foreign) if (values[name as keyof Values] !== undefined) throw new UsageError(`--${name} does not apply to ${kind} repositories`);
}

async function loadSigner(path: string | undefined, env: CliIo["env"]): Promise<DirectoryIndexOptions["signer"]> {
  if (path === undefined) return undefined;
  let armoredPrivateKey: string;
  try {
    armoredPrivateKey = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the signing key ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // openpgp is only loaded when signing.
  const { createRepositorySigner } = await import("@quipu/core/signing");
  return createRepositorySigner({ armoredPrivateKey, passphrase: env["QUIPU_SIGN_KEY_PASSPHRASE"] });
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

function summary(result: RpmDirectoryIndexResult | DebDirectoryIndexResult): Record<string, unknown> {
  return { ok: true, ...result };
}

async function runIndex(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseIndexArgs(args);
  if (values.help) {
    io.stdout(INDEX_HELP);
    return EXIT_OK;
  }
  const [kind, directory, ...extra] = positionals;
  if (kind !== "rpm" && kind !== "deb") throw new UsageError(kind === undefined ? "index what? (rpm or deb)" : `unknown repository kind '${kind}' (rpm or deb)`);
  if (directory === undefined) throw new UsageError(`index ${kind}: no directory given`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  refuseForeign(kind, values);

  const common: DirectoryIndexOptions = {
    cache: !values["no-cache"],
    cacheFile: values["cache-file"],
    strict: values.strict ?? false,
    sourceDateEpoch: sourceDateEpoch(values, io.env),
  };
  const checksums = list(values.checksums);
  const compressions = list(values.compression)?.map(compression);
  let options: IndexRpmDirectoryOptions | IndexDebDirectoryOptions;
  if (kind === "rpm") {
    if (compressions !== undefined && compressions.length !== 1) throw new UsageError("rpm repositories use one compression (--compression gzip)");
    options = {
      ...common,
      checksumType: rpmChecksum(checksums),
      compression: compressions?.[0],
      changelogLimit: integer("changelog-limit", values["changelog-limit"]),
    };
  } else {
    if (values.codename === undefined && !values.flat) throw new UsageError("index deb needs --codename <name> (or --flat)");
    if (values.codename !== undefined && values.flat) throw new UsageError("--codename and --flat exclude each other");
    options = {
      ...common,
      codename: values.codename,
      component: values.component,
      layout: values.flat ? "flat" : "dists",
      suite: values.suite,
      origin: values.origin,
      label: values.label,
      architectures: list(values.architectures),
      checksums: debChecksums(checksums),
      compressions,
    };
  }

  try {
    const signer = await loadSigner(values["sign-key"], io.env);
    const result = kind === "rpm" ? await indexRpmDirectory(directory, { ...options, signer }) : await indexDebDirectory(directory, { ...(options as IndexDebDirectoryOptions), signer });
    for (const problem of result.problems) io.stderr(`${PROGRAM}: warning: ${oneLine(problem.message)} [${problem.code}]\n`);
    if (values.json) {
      io.stdout(`${JSON.stringify(summary(result))}\n`);
    } else {
      const entry = result.kind === "rpm" ? result.repomd : (result.inRelease ?? result.release);
      io.stdout(
        `indexed ${result.packages} package${result.packages === 1 ? "" : "s"} in ${result.directory} (${result.indexed} read, ${result.reused} from cache, ${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}) → ${entry} in ${Math.round(result.durationMs)} ms\n`,
      );
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (!isQuipuError(error)) throw error;
    return reportFailure(error, values.json ?? false, io);
  }
}

function reportFailure(error: QuipuError, json: boolean, io: CliIo): number {
  const problems = error.code === "QUIPU_INDEX_STRICT_FAILED" ? ((error.details["problems"] ?? []) as { message: string; code: string }[]) : [];
  for (const problem of problems) io.stderr(`${PROGRAM}: problem: ${oneLine(problem.message)} [${problem.code}]\n`);
  io.stderr(`${PROGRAM}: error: ${oneLine(error.message)} [${error.code}]\n`);
  if (json) io.stdout(`${JSON.stringify({ ok: false, error: error.toJSON() })}\n`);
  return EXIT_FAILURE;
}

export const indexCommand: Command = {
  summary: COMMAND_SUMMARIES.index,
  async run(args, io) {
    try {
      return await runIndex(args, io);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`${PROGRAM}: ${error.message}\n${PROGRAM}: see '${PROGRAM} index --help'\n`);
      return EXIT_USAGE;
    }
  },
};
