/**
 * Typed SDK over chacra's HTTP API (wire-compatible with ceph/chacra, reference §1.3–1.4): the
 * discovery trees under `/binaries/` and `/repos/`, downloads, uploads following chacractl's
 * protocol (HEAD → POST or PUT multipart → verify the listed checksum), search, repo actions.
 *
 * `fetch` is injectable (tests, an in-process app); every answer is validated with zod; every
 * failure is a QuipuError whose details name the request — never the credentials, which may come
 * as options or in the URL (`http://user:key@host/`) and only ever travel in the Authorization
 * header.
 */
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import {
  BinarySchema,
  DEFAULT_FLAVOR,
  HttpUrlSchema,
  QuipuError,
  RepoTypeSchema,
  TimestampSchema,
  assertSafeSegment,
  formatZodIssues,
  isQuipuError,
  scrubSecrets,
  truncateText,
  type ErrorCode,
  type RepoType,
} from "@quipu/core";
import {
  createMultipartBody,
  fetchUploadTransport,
  nodeHttpUploadTransport,
  unreadable,
  type UploadTransport,
} from "./client-upload-body.js";

// ------------------------------------------------------------------ wire shapes

/** A binary as chacra lists it (`{name: BinaryJSON}` at arch/flavor level, `/search/`). */
export const ChacraBinarySchema = BinarySchema.extend({
  // "3 hours, 2 minutes ago": informative only.
  last_changed: z.string().optional(),
});
export type ChacraBinary = z.infer<typeof ChacraBinarySchema>;

/** Discovery levels of `/binaries/` and `/repos/`: each key lists the next level's names. */
const TreeSchema = z.record(z.string(), z.array(z.string()));
export type ChacraTree = z.infer<typeof TreeSchema>;

const BinaryMapSchema = z.record(z.string(), ChacraBinarySchema);
const NameListSchema = z.array(z.string());

/** `GET /`: project names with a built repo and with binaries. */
export const ChacraRootSchema = z.looseObject({
  description: z.string().optional(),
  documentation: z.string().optional(),
  repos: z.array(z.string()),
  binaries: z.array(z.string()),
});
export type ChacraRoot = z.infer<typeof ChacraRootSchema>;

/**
 * chacra's repo JSON (§1.2; not shaman's repo record). quipu adds `status`, `generation`,
 * `failure`; the loose object keeps them and anything a newer server adds.
 */
export const ChacraRepoSchema = z.looseObject({
  path: z.string().nullable(),
  project_name: z.string(),
  ref: z.string(),
  sha1: z.string(),
  distro: z.string(),
  distro_version: z.string(),
  flavor: z.string().default(DEFAULT_FLAVOR),
  modified: TimestampSchema,
  signed: z.boolean().default(false),
  needs_update: z.boolean(),
  is_updating: z.boolean(),
  is_queued: z.boolean(),
  type: RepoTypeSchema.nullable(),
  size: z.number().default(0),
  archs: z.array(z.string()).default([]),
  extra: z.record(z.string(), z.unknown()).default({}),
});
export type ChacraRepo = z.infer<typeof ChacraRepoSchema>;

// `/search/` with no parameter answers `{}` (the original's quirk), otherwise a list.
const SearchResultSchema = z.union([z.array(ChacraBinarySchema), z.strictObject({}).transform((): ChacraBinary[] => [])]);

// ------------------------------------------------------------------ addresses

/** An arch directory: `/binaries/{project}/{ref}/{sha1}/{distro}/{distro_version}/{arch}/[flavors/{flavor}/]`. */
export interface BinaryDirectory {
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly distro: string;
  readonly distro_version: string;
  readonly arch: string;
  /** Absent: the plain arch route (stores flavor `default`, lists every flavor), as chacractl without `flavors/`. */
  readonly flavor?: string | undefined;
}

export interface BinaryLocation extends BinaryDirectory {
  readonly name: string;
}

/** A repo: `/repos/{project}/{ref}/{sha1}/{distro}/{distro_version}/[flavors/{flavor}/]`. */
export interface RepoLocation {
  readonly project: string;
  readonly ref: string;
  readonly sha1: string;
  readonly distro: string;
  readonly distro_version: string;
  /** Absent: the plain route, which is flavor `default`. */
  readonly flavor?: string | undefined;
}

/** Exact filters of `/search/` (`name-has` is a substring match). */
export interface ChacraSearchParams {
  readonly project?: string;
  readonly ref?: string;
  readonly sha1?: string;
  readonly distro?: string;
  readonly distro_version?: string;
  readonly arch?: string;
  readonly flavor?: string;
  readonly built_by?: string;
  readonly size?: number;
  readonly name?: string;
  readonly "name-has"?: string;
}

/** Fields of a repo that `POST /repos/…/` may set (chacra's notario schema). */
export const RepoFieldsSchema = z
  .strictObject({
    distro: z.string().min(1).optional(),
    distro_version: z.string().min(1).optional(),
    ref: z.string().min(1).optional(),
    type: RepoTypeSchema.optional(),
    needs_update: z.boolean().optional(),
  })
  .refine((fields) => Object.keys(fields).length > 0, "set at least one of distro, distro_version, ref, type, needs_update");
export interface RepoFields {
  readonly distro?: string;
  readonly distro_version?: string;
  readonly ref?: string;
  readonly type?: RepoType;
  readonly needs_update?: boolean;
}

// ------------------------------------------------------------------ options and results

export interface RetryOptions {
  /** Attempts in all, the first included (chacractl's retry decorator: 3). 1 disables retries. */
  readonly attempts?: number;
  /** Wait before the second attempt; doubled for each further one. */
  readonly delayMs?: number;
}

export interface RetryNotice {
  readonly method: string;
  /** The URL without credentials. */
  readonly url: string;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly attempts: number;
  readonly delayMs: number;
  readonly error: QuipuError;
}

export interface ChacraClientOptions {
  /** Base URL of the node, e.g. `https://chacra.example/`; may carry `user:key@`. */
  readonly url: string | URL;
  readonly user?: string | undefined;
  readonly key?: string | undefined;
  /** Defaults to the global fetch. When given, uploads stream through it too. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Connection errors and 5xx are retried; 4xx never. Default 3 attempts, 1 s then 2 s apart. */
  readonly retry?: RetryOptions | undefined;
  /** Told before each retry (for a log line). */
  readonly onRetry?: ((notice: RetryNotice) => void) | undefined;
  /** Waits between attempts; tests pass an instant one. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface UploadBinaryOptions {
  /** Replace an existing binary (PUT), like `chacractl binary --force create`. */
  readonly force?: boolean | undefined;
  /** The binary's name on chacra; default the file's base name. */
  readonly name?: string | undefined;
  /** GET the listing afterwards and compare the checksum (default true). */
  readonly verify?: boolean | undefined;
  /**
   * Send the SHA-512 as a `checksum` form field after the file (default true): quipu's chacra then
   * refuses corrupted bytes before storing them; the original ignores unknown fields.
   */
  readonly checksumField?: boolean | undefined;
  /** File bytes handed to the connection so far, after each chunk. */
  readonly onProgress?: ((sent: number, total: number) => void) | undefined;
  /** Told when the transfer starts (after the existence check), once per attempt. */
  readonly onStart?: ((info: { readonly method: "POST" | "PUT"; readonly size: number }) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export type UploadStatus = "created" | "replaced" | "skipped";

export interface UploadResult {
  readonly file: string;
  readonly name: string;
  readonly status: UploadStatus;
  readonly size: number;
  /** SHA-512 hex of the bytes sent (verified against chacra's listing); null when skipped. */
  readonly checksum: string | null;
  /** The binary's URL (credentials removed). */
  readonly url: string;
  /** chacra's listing entry after the upload (when verified). */
  readonly binary?: ChacraBinary | undefined;
}

export interface ChacraDownload {
  readonly name: string;
  /** From Content-Length; null when the server did not say. */
  readonly size: number | null;
  readonly contentType: string | null;
  readonly body: ReadableStream<Uint8Array>;
}

export interface ChacraHealth {
  readonly healthy: boolean;
  readonly status: number;
  /** The body of an unhealthy answer (quipu lists its failing checks), when JSON. */
  readonly body?: unknown;
}

// ------------------------------------------------------------------ credentials and URLs

interface Credentials {
  readonly user: string;
  readonly key: string;
}

interface SplitUrl {
  /** The base URL without userinfo, ending in `/`. */
  readonly base: URL;
  readonly credentials: Credentials | undefined;
}

/** Splits `user:key@` off a URL; explicit `user`/`key` win over the URL's. */
export function splitCredentials(url: string | URL, user?: string, key?: string): SplitUrl {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new QuipuError("QUIPU_VALIDATION_FAILED", "invalid chacra URL: not an absolute URL", {
      details: { what: "chacra URL", issues: ["url: must be an absolute http(s) URL"] },
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new QuipuError("QUIPU_VALIDATION_FAILED", "invalid chacra URL: must be http or https", {
      details: { what: "chacra URL", issues: [`url: protocol ${parsed.protocol} is not http(s)`] },
    });
  }
  const fromUrl = parsed.username !== "" ? { user: decodeURIComponent(parsed.username), key: decodeURIComponent(parsed.password) } : undefined;
  parsed.username = "";
  parsed.password = "";
  parsed.search = "";
  parsed.hash = "";
  if (!parsed.pathname.endsWith("/")) parsed.pathname = `${parsed.pathname}/`;
  const chosenUser = user ?? fromUrl?.user;
  const chosenKey = key ?? fromUrl?.key;
  return { base: parsed, credentials: chosenUser !== undefined && chosenUser !== "" ? { user: chosenUser, key: chosenKey ?? "" } : undefined };
}

/** `url` with any userinfo removed, for messages and logs. */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = new URL(String(url));
    parsed.username = "";
    parsed.password = "";
    return parsed.href;
  } catch {
    return scrubSecrets(String(url));
  }
}

function basicAuth(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.user}:${credentials.key}`, "utf8").toString("base64")}`;
}

function segments(values: readonly [string, string][]): string {
  return values.map(([what, value]) => `${encodeURIComponent(assertSafeSegment(value, what))}/`).join("");
}

function binaryDirectoryPath(dir: BinaryDirectory): string {
  const base = segments([
    ["project", dir.project],
    ["ref", dir.ref],
    ["sha1", dir.sha1],
    ["distro", dir.distro],
    ["distro version", dir.distro_version],
    ["arch", dir.arch],
  ]);
  return `binaries/${base}${dir.flavor === undefined ? "" : `flavors/${segments([["flavor", dir.flavor]])}`}`;
}

function binaryPath(address: BinaryLocation): string {
  return `${binaryDirectoryPath(address)}${segments([["binary name", address.name]])}`;
}

function repoPath(repo: RepoLocation): string {
  const base = segments([
    ["project", repo.project],
    ["ref", repo.ref],
    ["sha1", repo.sha1],
    ["distro", repo.distro],
    ["distro version", repo.distro_version],
  ]);
  return `repos/${base}${repo.flavor === undefined ? "" : `flavors/${segments([["flavor", repo.flavor]])}`}`;
}

// ------------------------------------------------------------------ errors

const MAX_MESSAGE = 500;

/** Whether retrying the same request may succeed: connection failures and 5xx answers. */
export function isRetryableChacraError(error: unknown): boolean {
  if (!isQuipuError(error)) return false;
  if (error.code === "QUIPU_CHACRA_CLIENT_UNREACHABLE") return true;
  if (error.code === "QUIPU_CHACRA_CLIENT_HTTP_ERROR" || error.code === "QUIPU_CHACRA_NODE_LOOKUP_FAILED") {
    const status = error.details["status"];
    return typeof status === "number" && status >= 500;
  }
  return false;
}

/** chacra's error body is `{"message": …}` (quipu adds `error: {code, …}`); anything else is quoted as text. */
function serverMessage(text: string, secrets: readonly string[]): { message?: string; serverCode?: string } {
  try {
    const body = JSON.parse(text) as { message?: unknown; msg?: unknown; error?: { code?: unknown } };
    const message = typeof body.message === "string" ? body.message : typeof body.msg === "string" ? body.msg : undefined;
    const serverCode = typeof body.error?.code === "string" ? body.error.code : undefined;
    if (message !== undefined || serverCode !== undefined) {
      return { ...(message === undefined ? {} : { message: truncateText(scrubSecrets(message, secrets), MAX_MESSAGE) }), ...(serverCode === undefined ? {} : { serverCode }) };
    }
  } catch {
    // Not JSON: an HTML page from a proxy, a text 404 from shaman.
  }
  const trimmed = text.trim();
  return trimmed === "" ? {} : { message: truncateText(scrubSecrets(trimmed.replace(/\s+/g, " "), secrets), MAX_MESSAGE) };
}

export function httpError(
  method: string,
  url: URL,
  status: number,
  text: string,
  secrets: readonly string[],
  code: ErrorCode = "QUIPU_CHACRA_CLIENT_HTTP_ERROR",
): QuipuError {
  const { message, serverCode } = serverMessage(text, secrets);
  const where = redactUrl(url);
  return new QuipuError(code, `${method} ${where} answered ${status}${message === undefined ? "" : `: ${message}`}`, {
    details: { method, url: where, status, ...(message === undefined ? {} : { message }), ...(serverCode === undefined ? {} : { serverCode }) },
  });
}

function connectionReason(error: unknown): string {
  // undici wraps the socket error as `cause` of "fetch failed"; node:http gives it directly.
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

export function unreachableError(method: string, url: URL, error: unknown, secrets: readonly string[]): QuipuError {
  const where = redactUrl(url);
  const reason = truncateText(scrubSecrets(connectionReason(error), secrets), MAX_MESSAGE);
  return new QuipuError("QUIPU_CHACRA_CLIENT_UNREACHABLE", `${method} ${where} failed: ${reason}`, { details: { method, url: where, reason } });
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === "AbortError");
}

function invalidResponse(method: string, url: URL, issues: string[]): QuipuError {
  const where = redactUrl(url);
  return new QuipuError("QUIPU_CHACRA_CLIENT_RESPONSE_INVALID", `${method} ${where} answered an unexpected body: ${issues.slice(0, 5).join("; ")}`, {
    details: { method, url: where, issues },
  });
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ the client

export type ChacraClient = ReturnType<typeof createChacraClient>;

interface RequestOptions {
  readonly body?: unknown;
  /** Statuses returned to the caller instead of thrown (404 for existence checks). */
  readonly allow?: readonly number[];
  readonly retry?: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** Creates a client for the chacra node at `options.url`. Nothing is sent until a method is called. */
export function createChacraClient(options: ChacraClientOptions) {
  const { base, credentials } = splitCredentials(options.url, options.user, options.key);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const transport: UploadTransport = options.fetch ? fetchUploadTransport(options.fetch) : nodeHttpUploadTransport;
  const attempts = Math.max(1, options.retry?.attempts ?? 3);
  const delayMs = Math.max(0, options.retry?.delayMs ?? 1000);
  const sleep = options.sleep ?? realSleep;
  const secrets = credentials ? [credentials.key, basicAuth(credentials).slice(6)] : [];
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    "user-agent": "quipu-chacra-client",
    ...(credentials ? { authorization: basicAuth(credentials) } : {}),
    ...extra,
  });
  const url = (path: string, query?: URLSearchParams) => {
    const target = new URL(path, base);
    if (query !== undefined && [...query.keys()].length > 0) target.search = query.toString();
    return target;
  };

  /** Runs `attempt` up to `attempts` times while it fails with a retryable error. */
  async function withRetry<T>(method: string, target: URL, retry: boolean, attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (!retry || n >= attempts || !isRetryableChacraError(error)) throw error;
        const wait = delayMs * 2 ** (n - 1);
        options.onRetry?.({ method, url: redactUrl(target), attempt: n, attempts, delayMs: wait, error: error as QuipuError });
        await sleep(wait);
      }
    }
  }

  async function request(method: string, target: URL, init: RequestOptions = {}): Promise<Response> {
    return withRetry(method, target, init.retry ?? true, async () => {
      let response: Response;
      try {
        response = await fetchImpl(target, {
          method,
          headers: headers(init.body === undefined ? {} : { "content-type": "application/json" }),
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: init.signal,
          redirect: "follow",
        });
      } catch (error) {
        if (isAbort(error, init.signal)) throw error;
        throw unreachableError(method, target, error, secrets);
      }
      if (response.ok || init.allow?.includes(response.status)) return response;
      const text = await response.text().catch(() => "");
      throw httpError(method, target, response.status, text, secrets);
    });
  }

  async function readJson<S extends z.ZodType>(method: string, target: URL, response: Response, schema: S): Promise<z.output<S>> {
    const text = await response.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw invalidResponse(method, target, [`(root): not JSON (${truncateText(JSON.stringify(text.slice(0, 80)), 90)})`]);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw invalidResponse(method, target, formatZodIssues(parsed.error));
    return parsed.data;
  }

  async function getJson<S extends z.ZodType>(path: string, schema: S, query?: URLSearchParams): Promise<z.output<S>> {
    const target = url(path, query);
    return readJson("GET", target, await request("GET", target), schema);
  }

  async function postJson<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    const target = url(path);
    return readJson("POST", target, await request("POST", target, { body }), schema);
  }

  async function exists(path: string, signal?: AbortSignal): Promise<boolean> {
    const target = url(path);
    const response = await request("HEAD", target, { allow: [404], signal });
    await response.body?.cancel();
    return response.status !== 404;
  }

  async function remove(path: string): Promise<void> {
    const target = url(path);
    const response = await request("DELETE", target);
    await response.body?.cancel();
  }

  async function download(address: BinaryLocation, signal?: AbortSignal): Promise<ChacraDownload> {
    const target = url(binaryPath(address));
    const response = await request("GET", target, { signal });
    if (response.body === null) throw invalidResponse("GET", target, ["(root): no body"]);
    const length = response.headers.get("content-length");
    return { name: address.name, size: length === null ? null : Number(length), contentType: response.headers.get("content-type"), body: response.body };
  }

  /** One multipart POST/PUT of `file`, retried as a whole (the body is re-read from disk). */
  async function sendFile(method: "POST" | "PUT", target: URL, file: string, size: number, name: string, upload: UploadBinaryOptions): Promise<{ status: number; digest: string }> {
    return withRetry(method, target, true, async () => {
      upload.onStart?.({ method, size });
      const body = createMultipartBody({
        path: file,
        size,
        filename: name,
        // chacractl sends no `force` on PUT (the verb says it); POST needs none because HEAD said absent.
        fields: [],
        checksumField: upload.checksumField ?? true,
        onProgress: upload.onProgress,
      });
      let response;
      try {
        response = await transport({ method, url: target, headers: headers(), body, signal: upload.signal });
      } catch (error) {
        if (isQuipuError(error, "QUIPU_CHACRA_UPLOAD_FILE_UNREADABLE") || isAbort(error, upload.signal)) throw error;
        throw unreachableError(method, target, error, secrets);
      }
      if (response.status !== 200 && response.status !== 201) throw httpError(method, target, response.status, response.text, secrets);
      return { status: response.status, digest: body.digest() };
    });
  }

  return {
    /** The base URL (credentials removed). */
    url: base.href,

    /** `GET /`: project names with built repos and with binaries. */
    root: async () => getJson("", ChacraRootSchema),

    /** `GET /health/`: 204 healthy; a 5xx is "unhealthy", not an error. Not retried. */
    async health(): Promise<ChacraHealth> {
      const target = url("health/");
      const response = await request("GET", target, { allow: [500, 503], retry: false });
      const text = await response.text();
      if (response.ok) return { healthy: true, status: response.status };
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text === "" ? undefined : truncateText(text, MAX_MESSAGE);
      }
      return { healthy: false, status: response.status, ...(body === undefined ? {} : { body }) };
    },

    // --- /binaries/ discovery, one method per level

    /** `GET /binaries/` → `{project: [refs]}`. */
    listProjects: async () => getJson("binaries/", TreeSchema),
    /** `GET /binaries/{p}/` → `{ref: [sha1s]}`. */
    listRefs: async (at: { readonly project: string }) => getJson(`binaries/${segments([["project", at.project]])}`, TreeSchema),
    /** `GET /binaries/{p}/{ref}/` → `{sha1: [distros]}`. */
    listSha1s: async (at: { readonly project: string; readonly ref: string }) =>
      getJson(`binaries/${segments([["project", at.project], ["ref", at.ref]])}`, TreeSchema),
    /** `GET /binaries/{p}/{ref}/{sha1}/` → `{distro: [distro_versions]}`. */
    listDistros: async (at: { readonly project: string; readonly ref: string; readonly sha1: string }) =>
      getJson(`binaries/${segments([["project", at.project], ["ref", at.ref], ["sha1", at.sha1]])}`, TreeSchema),
    /** `GET /binaries/{p}/{ref}/{sha1}/{distro}/` → `{distro_version: [archs]}`. */
    listDistroVersions: async (at: { readonly project: string; readonly ref: string; readonly sha1: string; readonly distro: string }) =>
      getJson(`binaries/${segments([["project", at.project], ["ref", at.ref], ["sha1", at.sha1], ["distro", at.distro]])}`, TreeSchema),
    /** `GET /binaries/{p}/{ref}/{sha1}/{distro}/{ver}/` → `{arch: [file names]}`. */
    listArchs: async (at: Omit<BinaryDirectory, "arch" | "flavor">) =>
      getJson(
        `binaries/${segments([["project", at.project], ["ref", at.ref], ["sha1", at.sha1], ["distro", at.distro], ["distro version", at.distro_version]])}`,
        TreeSchema,
      ),
    /** `GET …/{arch}/flavors/` → `{flavor: [file names]}`. */
    listFlavors: async (at: Omit<BinaryDirectory, "flavor">) => getJson(`${binaryDirectoryPath({ ...at, flavor: undefined })}flavors/`, TreeSchema),
    /** `GET …/{arch}/[flavors/{f}/]` → `{name: binary}` (the plain arch level lists every flavor). */
    listBinaries: async (at: BinaryDirectory) => getJson(binaryDirectoryPath(at), BinaryMapSchema),

    /** `HEAD` of a binary's URL: true (200) or false (404). */
    binaryExists: async (address: BinaryLocation, signal?: AbortSignal) => exists(binaryPath(address), signal),

    /** `POST /binaries/{p}/`: create a project (chacractl `project create`). */
    createProject: async (project: string) => postJson(`binaries/${segments([["project", project]])}`, {}, TreeSchema),

    /** `GET` a binary's bytes as a stream (not buffered). */
    download,

    /** Downloads a binary into `path` (streamed); resolves to the bytes written. */
    async downloadToFile(address: BinaryLocation, path: string, signal?: AbortSignal): Promise<number> {
      const { body } = await download(address, signal);
      const source = Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
      let written = 0;
      source.on("data", (chunk: Buffer) => {
        written += chunk.length;
      });
      await pipeline(source, createWriteStream(path), ...(signal ? [{ signal }] : []));
      return written;
    },

    /**
     * Uploads `file` to `dir` the way chacractl does: HEAD the binary's URL; absent → multipart
     * POST to the directory; present and `force` → multipart PUT to the binary's URL; present
     * otherwise → skipped. The file is read once, streamed (flat memory) with an exact
     * Content-Length and hashed on the way; then the listing's checksum must equal that digest,
     * else a new upload is deleted again and QUIPU_CHACRA_UPLOAD_VERIFY_FAILED is thrown.
     */
    async uploadBinary(dir: BinaryDirectory, file: string, upload: UploadBinaryOptions = {}): Promise<UploadResult> {
      const name = upload.name ?? basename(file);
      const address: BinaryLocation = { ...dir, name };
      const binaryUrl = url(binaryPath(address));
      const dirUrl = url(binaryDirectoryPath(dir));
      let size: number;
      try {
        const info = await stat(file);
        if (!info.isFile()) throw unreadable(file, "not a regular file");
        size = info.size;
      } catch (error) {
        throw isQuipuError(error) ? error : unreadable(file, error);
      }
      const present = await exists(binaryPath(address), upload.signal);
      if (present && !upload.force) return { file, name, status: "skipped", size, checksum: null, url: redactUrl(binaryUrl) };

      const method = present ? "PUT" : "POST";
      const sent = await sendFile(method, present ? binaryUrl : dirUrl, file, size, name, upload);
      const status: UploadStatus = method === "POST" && sent.status === 201 ? "created" : "replaced";
      if (upload.verify === false) return { file, name, status, size, checksum: sent.digest, url: redactUrl(binaryUrl) };

      const listing = await readJson("GET", dirUrl, await request("GET", dirUrl, { signal: upload.signal }), BinaryMapSchema);
      const listed = listing[name];
      if (listed?.checksum === sent.digest) return { file, name, status, size, checksum: sent.digest, url: redactUrl(binaryUrl), binary: listed };

      // Like chacractl: a new upload that does not match is removed; a forced one keeps the old row.
      let deleted = false;
      if (method === "POST" && listed !== undefined) {
        try {
          await remove(binaryPath(address));
          deleted = true;
        } catch {
          // Reported through `deleted: false`; the mismatch is the error that matters.
        }
      }
      const actual = listed === undefined ? null : listed.checksum;
      throw new QuipuError(
        "QUIPU_CHACRA_UPLOAD_VERIFY_FAILED",
        listed === undefined
          ? `${name} is missing from ${redactUrl(dirUrl)} after the upload`
          : `checksum mismatch for ${name}: chacra lists ${actual ?? "none"}, the file sent has ${sent.digest}${deleted ? " (the upload was deleted)" : ""}`,
        { details: { name, url: redactUrl(binaryUrl), expected: sent.digest, actual, deleted } },
      );
    },

    /** `DELETE` a binary (its repo is marked for rebuild). */
    deleteBinary: async (address: BinaryLocation) => remove(binaryPath(address)),

    /** `GET /search/?…` → binaries matching every filter (none → an empty list, as chacra answers `{}`). */
    async search(params: ChacraSearchParams): Promise<ChacraBinary[]> {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value));
      return getJson("search/", SearchResultSchema, query);
    },

    // --- /repos/

    /** `GET /repos/` → `{project: [refs with repos]}`. */
    listRepoProjects: async () => getJson("repos/", TreeSchema),
    /** `GET /repos/{p}/` → `{ref: [sha1s]}`. */
    listRepoRefs: async (at: { readonly project: string }) => getJson(`repos/${segments([["project", at.project]])}`, TreeSchema),
    /** `GET /repos/{p}/{ref}/` → `{sha1: [distros]}`. */
    listRepoSha1s: async (at: { readonly project: string; readonly ref: string }) => getJson(`repos/${segments([["project", at.project], ["ref", at.ref]])}`, TreeSchema),
    /** `GET /repos/{p}/{ref}/{sha1}/` → `{distro: [distro_versions]}`. */
    listRepoDistros: async (at: { readonly project: string; readonly ref: string; readonly sha1: string }) =>
      getJson(`repos/${segments([["project", at.project], ["ref", at.ref], ["sha1", at.sha1]])}`, TreeSchema),
    /** `GET /repos/{p}/{ref}/{sha1}/{distro}/` → `[distro_versions]`. */
    listRepoDistroVersions: async (at: { readonly project: string; readonly ref: string; readonly sha1: string; readonly distro: string }) =>
      getJson(`repos/${segments([["project", at.project], ["ref", at.ref], ["sha1", at.sha1], ["distro", at.distro]])}`, NameListSchema),
    /** `GET …/{ver}/flavors/` → `[flavors]`. */
    listRepoFlavors: async (at: Omit<RepoLocation, "flavor">) => getJson(`${repoPath({ ...at, flavor: undefined })}flavors/`, NameListSchema),

    /** `GET` the repo JSON (also for repos not built yet). */
    repo: async (at: RepoLocation) => getJson(repoPath(at), ChacraRepoSchema),
    /** `POST …/update`: mark for rebuild (callback `requested`); returns the repo. */
    updateRepo: async (at: RepoLocation) => postJson(`${repoPath(at)}update`, undefined, ChacraRepoSchema),
    /** `POST …/recreate`: remove the built tree and rebuild. */
    recreateRepo: async (at: RepoLocation) => postJson(`${repoPath(at)}recreate`, undefined, ChacraRepoSchema),
    /** `POST …/extra/`: replace the repo's `extra` object (ceph-build's build metadata). */
    setRepoExtra: async (at: RepoLocation, extra: Readonly<Record<string, unknown>>) => postJson(`${repoPath(at)}extra/`, extra, ChacraRepoSchema),
    /** `POST` the repo: set `type` (`{"type":"raw"}` = chacractl `repo set-raw`), `needs_update`, … */
    async setRepoFields(at: RepoLocation, fields: RepoFields): Promise<ChacraRepo> {
      const parsed = RepoFieldsSchema.safeParse(fields);
      if (!parsed.success) {
        const issues = formatZodIssues(parsed.error);
        throw new QuipuError("QUIPU_VALIDATION_FAILED", `invalid repo fields: ${issues.join("; ")}`, { details: { what: "repo fields", issues } });
      }
      return postJson(repoPath(at), parsed.data, ChacraRepoSchema);
    },
    /** `DELETE` the repo, its binaries and files. */
    deleteRepo: async (at: RepoLocation) => remove(repoPath(at)),
    /** `GET …/repo`: the ready-to-use `.repo` file (rpm) or sources line (deb) as text. */
    async repoFile(at: RepoLocation): Promise<string> {
      const target = url(`${repoPath(at)}repo`);
      return (await request("GET", target)).text();
    },
  };
}

// ------------------------------------------------------------------ shaman

export interface NextChacraNodeOptions {
  /** shaman's base URL; may carry `user:key@` (the endpoint needs Basic auth). */
  readonly shamanUrl: string | URL;
  readonly user?: string | undefined;
  readonly key?: string | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/**
 * Asks shaman which chacra node to upload to (`GET {shaman}api/nodes/next/`, text/plain URL), as
 * ceph-build's setup_chacractl.sh does. 404 ("no healthy chacra nodes") → QUIPU_NODE_NONE_AVAILABLE.
 * Not retried: every call takes the next node in shaman's rotation.
 */
export async function nextChacraNode(options: NextChacraNodeOptions): Promise<string> {
  const { base, credentials } = splitCredentials(options.shamanUrl, options.user, options.key);
  const secrets = credentials ? [credentials.key, basicAuth(credentials).slice(6)] : [];
  const target = new URL("api/nodes/next/", base);
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(target, {
      headers: { accept: "text/plain", "user-agent": "quipu-chacra-client", ...(credentials ? { authorization: basicAuth(credentials) } : {}) },
    });
  } catch (error) {
    throw unreachableError("GET", target, error, secrets);
  }
  const text = await response.text();
  if (response.status === 404) {
    const { message } = serverMessage(text, secrets);
    throw new QuipuError("QUIPU_NODE_NONE_AVAILABLE", `shaman has no chacra node to hand out${message === undefined ? "" : `: ${message}`}`, {
      details: { url: redactUrl(target), status: 404, ...(message === undefined ? {} : { message }) },
    });
  }
  if (!response.ok) throw httpError("GET", target, response.status, text, secrets, "QUIPU_CHACRA_NODE_LOOKUP_FAILED");
  const node = HttpUrlSchema.safeParse(text.trim());
  if (!node.success) throw invalidResponse("GET", target, [`(root): not a chacra URL (${truncateText(JSON.stringify(scrubSecrets(text.trim(), secrets)), 90)})`]);
  return node.data.endsWith("/") ? node.data : `${node.data}/`;
}
