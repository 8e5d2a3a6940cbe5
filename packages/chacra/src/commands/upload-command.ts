/**
 * `quipu-chacra upload <files...>`: the chacractl-equivalent client (`chacractl binary create`).
 * Parses the command line, finds the node (directly, or through shaman's `/api/nodes/next/`), and
 * calls the client's `uploadBinary` per file. All the protocol is in `../client.ts`.
 */
import { stat } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isQuipuError, safeSegmentProblem, StoredSha1Schema, type QuipuError } from "@quipu/core";
import { createChacraClient, nextChacraNode, redactUrl, splitCredentials, type BinaryDirectory, type UploadResult } from "../client.js";
import { createUploadProgress, formatBytes, formatRate } from "../upload-progress.js";
import { COMMAND_SUMMARIES, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PROGRAM, UsageError, type CliIo, type Command } from "./command.js";

const OPTIONS = {
  url: { type: "string" },
  "shaman-url": { type: "string" },
  shaman: { type: "boolean" },
  project: { type: "string" },
  ref: { type: "string" },
  sha1: { type: "string" },
  distro: { type: "string" },
  "distro-version": { type: "string" },
  arch: { type: "string" },
  flavor: { type: "string" },
  force: { type: "boolean" },
  user: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

export const UPLOAD_HELP = `Usage:
  ${PROGRAM} upload <file>... --url <chacra URL> --project <p> --ref <ref> --sha1 <sha1>
                     --distro <d> --distro-version <v> --arch <a> [options]
  find . -name '*.deb' | ${PROGRAM} upload --url ... (one path per line on stdin when no file is named)

Uploads each file to {chacra}/binaries/{project}/{ref}/{sha1}/{distro}/{distro-version}/{arch}/
[flavors/{flavor}/] the way chacractl does: HEAD the binary; absent → multipart POST; present →
skipped, or replaced with PUT under --force. The file is streamed (memory stays flat) and hashed on
the way; afterwards the SHA-512 chacra lists must match, else a new upload is deleted and the
command fails. Connection errors and 5xx answers are retried (3 attempts); 4xx are not.

Where to upload (one of):
  --url <url>                a chacra node, e.g. https://chacra.example/ (may carry user:key@)
  --shaman-url <url>         a shaman: GET {shaman}api/nodes/next/ (Basic auth) names the node first
  --url <url> --shaman       the same, with the shaman URL given as --url
  The shaman is never guessed from the URL: asking /api/nodes/next/ moves shaman's rotation,
  and a chacra's 404 there would read like "no healthy node".

Address:
  --project <name>  --ref <branch>  --sha1 <40 hex | head>  --distro <name>
  --distro-version <version>  --arch <arch>
  --flavor <name>            upload under .../flavors/<name>/ (default: the plain arch URL = default)

Options:
  --force                    replace binaries that exist (default: skip them)
  --user <name>              API user (default: the URL's user:key@, else env QUIPU_CHACRA_API_USER,
                             else CHACRA_USER as chacractl)
  --key <key>                API key (default: the URL's, else env QUIPU_CHACRA_API_KEY, else CHACRA_KEY)
                             shaman's credentials: its URL's user:key@, else env QUIPU_SHAMAN_API_USER /
                             QUIPU_SHAMAN_API_KEY, else SHAMAN_API_USER / SHAMAN_API_KEY, else the above
  --json                     print a machine-readable summary on stdout
  -h, --help                 this help

Progress goes to stderr: a bar on a terminal, plain lines otherwise.
Exit status: 0 all uploaded or skipped, 1 a failure (the first one stops the run), 2 bad command line.
`;

type Values = ReturnType<typeof parseUploadArgs>["values"];

function parseUploadArgs(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, " ").trim());
  }
}

function required(values: Values, name: "project" | "ref" | "sha1" | "distro" | "distro-version" | "arch"): string {
  const value = values[name];
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

function segment(name: string, value: string): string {
  const problem = safeSegmentProblem(value);
  if (problem !== null) throw new UsageError(`--${name} ${problem}`);
  return value;
}

function directoryOf(values: Values): BinaryDirectory {
  const sha1 = StoredSha1Schema.safeParse(required(values, "sha1"));
  if (!sha1.success) throw new UsageError(`--sha1 must be 40 hexadecimal characters or head, got '${values.sha1}'`);
  return {
    project: segment("project", required(values, "project")),
    ref: segment("ref", required(values, "ref")),
    sha1: sha1.data,
    distro: segment("distro", required(values, "distro")),
    distro_version: segment("distro-version", required(values, "distro-version")),
    arch: segment("arch", required(values, "arch")),
    flavor: values.flavor === undefined ? undefined : segment("flavor", values.flavor),
  };
}

function firstSet(...values: (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && value !== "");
}

/** Files named on the command line, else one per line on stdin when it is not a terminal (chacractl). */
async function fileList(positionals: string[], io: CliIo): Promise<string[]> {
  if (positionals.length > 0) return positionals;
  if (io.stdin === undefined || io.stdin.isTTY) throw new UsageError("no files given (name them, or pipe one path per line on stdin)");
  const files = (await io.stdin.text())
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (files.length === 0) throw new UsageError("no files given: stdin had no paths");
  return files;
}

/** Every file must exist before anything is sent, so a typo does not leave half a set uploaded. */
async function checkFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    let regular: boolean;
    try {
      regular = (await stat(file)).isFile();
    } catch (error) {
      throw new UsageError(`cannot upload ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!regular) throw new UsageError(`cannot upload ${file}: not a regular file`);
  }
}

interface Target {
  /** The chacra node's URL, or the shaman's to ask for one. */
  readonly url: string;
  readonly shaman: boolean;
}

/** Where to upload, from --url / --shaman-url / --shaman; a malformed URL is a usage error. */
function targetOf(values: Values): Target {
  if (values.url !== undefined && values["shaman-url"] !== undefined) throw new UsageError("--url and --shaman-url exclude each other");
  if (values.shaman && values.url === undefined) throw new UsageError("--shaman needs --url <shaman URL>");
  const target = values["shaman-url"] !== undefined ? { url: values["shaman-url"], shaman: true } : values.url !== undefined ? { url: values.url, shaman: values.shaman ?? false } : undefined;
  if (target === undefined) throw new UsageError("where to? give --url <chacra URL> or --shaman-url <shaman URL>");
  try {
    splitCredentials(target.url);
  } catch {
    throw new UsageError(`${target.shaman ? "the shaman" : "--url"} must be an absolute http(s) URL, got '${redactUrl(target.url)}'`);
  }
  return target;
}

/** The chacra node to talk to: the URL given, or the one shaman hands out. */
async function chacraNodeOf(target: Target, io: CliIo, user: string | undefined, key: string | undefined, log: (line: string) => void): Promise<string> {
  if (!target.shaman) return target.url;
  const env = io.env;
  const inUrl = splitCredentials(target.url).credentials !== undefined;
  const node = await nextChacraNode({
    shamanUrl: target.url,
    user: inUrl ? undefined : firstSet(env["QUIPU_SHAMAN_API_USER"], env["SHAMAN_API_USER"], user),
    key: inUrl ? undefined : firstSet(env["QUIPU_SHAMAN_API_KEY"], env["SHAMAN_API_KEY"], key),
  });
  log(`shaman ${redactUrl(target.url)} chose chacra node ${redactUrl(node)}`);
  return node;
}

function resultLine(result: UploadResult): string {
  return `${result.status} ${result.name} ${result.url}\n`;
}

async function runUpload(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseUploadArgs(args);
  if (values.help) {
    io.stdout(UPLOAD_HELP);
    return EXIT_OK;
  }
  const directory = directoryOf(values);
  const user = firstSet(values.user, io.env["QUIPU_CHACRA_API_USER"], io.env["CHACRA_USER"]);
  const key = firstSet(values.key, io.env["QUIPU_CHACRA_API_KEY"], io.env["CHACRA_KEY"]);
  const target = targetOf(values);
  const files = await fileList(positionals, io);
  await checkFiles(files);

  const log = (line: string) => io.stderr(`${PROGRAM}: ${line}\n`);
  const progress = createUploadProgress({ write: io.stderr, tty: io.stderrIsTTY === true });
  const results: UploadResult[] = [];
  let chacraUrl: string | undefined;
  try {
    const nodeUrl = await chacraNodeOf(target, io, user, key, log);
    // Precedence: --user/--key, then credentials in the URL, then the environment.
    const inUrl = splitCredentials(nodeUrl).credentials !== undefined;
    const client = createChacraClient({
      url: nodeUrl,
      user: values.user ?? (inUrl ? undefined : user),
      key: values.key ?? (inUrl ? undefined : key),
      onRetry: (notice) => {
        progress.finish();
        log(`${notice.error.message}; retrying in ${notice.delayMs / 1000} s (attempt ${notice.attempt + 1} of ${notice.attempts})`);
      },
    });
    chacraUrl = client.url;
    for (const file of files) {
      let startedAt = 0;
      const result = await client.uploadBinary(directory, file, {
        force: values.force ?? false,
        onStart: ({ method, size }) => {
          startedAt = performance.now();
          progress.finish();
          log(`${method === "PUT" ? "replacing" : "uploading"} ${file} (${formatBytes(size)})`);
          progress.start(file, size);
        },
        onProgress: (sent) => progress.update(sent),
      });
      progress.finish();
      if (result.status === "skipped") log(`SKIP ${result.name}: it exists on ${client.url} and --force was not given`);
      else log(`${result.status} ${result.name}: ${formatBytes(result.size)} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s (${formatRate(result.size, performance.now() - startedAt)}), sha512 verified`);
      results.push(result);
      if (!values.json) io.stdout(resultLine(result));
    }
  } catch (error) {
    progress.finish();
    if (!isQuipuError(error)) throw error;
    return reportFailure(error, values.json ?? false, chacraUrl, results, io);
  }
  if (values.json) io.stdout(`${JSON.stringify({ ok: true, chacra: chacraUrl, files: results.map(summaryOf) })}\n`);
  return EXIT_OK;
}

function summaryOf(result: UploadResult): Record<string, unknown> {
  return { file: result.file, name: result.name, status: result.status, size: result.size, checksum: result.checksum, url: result.url };
}

function reportFailure(error: QuipuError, json: boolean, chacraUrl: string | undefined, results: readonly UploadResult[], io: CliIo): number {
  io.stderr(`${PROGRAM}: error: ${error.message.replace(/\s*\n\s*/g, " ")} [${error.code}]\n`);
  if (json) io.stdout(`${JSON.stringify({ ok: false, chacra: chacraUrl ?? null, files: results.map(summaryOf), error: error.toJSON() })}\n`);
  return EXIT_FAILURE;
}

export const uploadCommand: Command = {
  summary: COMMAND_SUMMARIES.upload,
  async run(args, io) {
    try {
      return await runUpload(args, io);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`${PROGRAM}: ${error.message}\n${PROGRAM}: see '${PROGRAM} upload --help'\n`);
      return EXIT_USAGE;
    }
  },
};
