/**
 * The registry of every stable error code quipu can raise. A code is never reused or renamed:
 * callers match on it. `docs/errors.md` is generated from this table (`pnpm docs:errors`) and a
 * test fails when the two drift apart.
 *
 * `status` is the HTTP status a daemon answers with; `transient` says whether retrying the same
 * call later may succeed.
 */
export interface ErrorCodeInfo {
  readonly area: string;
  readonly status: number;
  readonly transient: boolean;
  readonly description: string;
}

function code(area: string, status: number, description: string, transient = false): ErrorCodeInfo {
  return { area, status, transient, description };
}

export const errorCodes = {
  // --- generic boundary validation
  QUIPU_VALIDATION_FAILED: code("validation", 400, "An input (HTTP body, config, query, remote response) failed its schema; `details.issues` lists every problem as `path: message`."),
  QUIPU_CONFIG_INVALID: code("config", 400, "A configuration file, environment variable or flag is invalid; `details.issues` lists every problem at once."),

  // --- data model
  QUIPU_MODEL_INVALID_SHA1: code("model", 400, "A sha1 is neither 40 hexadecimal characters nor an allowed alias (`latest`, `head`); `details.value` holds it."),
  QUIPU_MODEL_INVALID_NAME: code("model", 400, "A project, ref, flavor, arch or other path segment is empty, a dot segment, contains a slash or control characters, or is too long."),
  QUIPU_MODEL_UNKNOWN_DISTRO: code("model", 400, "A distro name is not in the distro table; `details.distro` holds it."),
  QUIPU_MODEL_UNKNOWN_DISTRO_VERSION: code("model", 400, "A distro version or codename is not known for that distro; `details.distro` and `details.version` hold them."),
  QUIPU_MODEL_INVALID_DISTRO_QUERY: code("model", 400, "A `distro/version[/arch]` query part is malformed; `details.value` holds it."),

  // --- Jenkins label expressions and queue demand
  QUIPU_LABEL_SYNTAX: code("labels", 400, "A Jenkins label expression does not parse; `details.expression`, `details.position` (0-based) and `details.expected` say where and why."),

  // --- node selection
  QUIPU_NODE_NONE_AVAILABLE: code("nodes", 404, "No registered node is healthy, enabled and reachable, so none can be handed out.", true),
  QUIPU_NODE_NOT_FOUND: code("nodes", 404, "No node is registered under that host; `details.host` holds it."),

  // --- provisioning port
  QUIPU_PROVIDER_NOT_FOUND: code("provider", 404, "The provider has no machine with that id; `details.id` holds it."),
  QUIPU_PROVIDER_QUOTA_EXCEEDED: code("provider", 409, "The provider refused to create a machine because a quota (instances, cores, RAM, volumes) is exhausted.", true),
  QUIPU_PROVIDER_TRANSIENT: code("provider", 503, "The provider failed in a way that may succeed when retried (timeout, 5xx, rate limit).", true),
  QUIPU_PROVIDER_PERMANENT: code("provider", 502, "The provider failed in a way that retrying will not fix (bad image, bad flavor, rejected request)."),
  QUIPU_PROVIDER_AUTH_FAILED: code("provider", 502, "The provider rejected the credentials; the credentials themselves are never included."),
  QUIPU_PROVIDER_INVALID_REQUEST: code("provider", 400, "A machine request failed validation before reaching the provider (name, image, size, tags)."),
  QUIPU_PROVIDER_UNSUPPORTED: code("provider", 501, "The provider lacks the capability a request needs (for example a volume); `details.capability` names it."),
  QUIPU_PROVIDER_ALREADY_EXISTS: code("provider", 409, "A machine with that name already exists at the provider and the provider requires unique names."),

  // --- repository indexing
  QUIPU_CODEC_CORRUPT: code("indexing", 400, "Compressed data could not be decompressed (bad header, checksum or truncation); `details.format` names the format."),
  QUIPU_CODEC_UNSUPPORTED: code("indexing", 500, "A compression format is needed (to read a package or write an index) but no codec for it is configured; `details.format` names it."),
  QUIPU_RPM_INVALID: code("indexing", 400, "A file is not a readable rpm package (empty, truncated, corrupt header, or not an rpm at all); `details.file` names it, `details.reason` says what is wrong and `details.offset` where."),
  QUIPU_RPM_ENTRY_INVALID: code("indexing", 400, "A package entry given to the rpm repository builder is unusable (href not a relative path inside the repository, duplicate href, malformed pkgid, negative size or mtime); `details.href` and `details.reason` say which and why."),
  QUIPU_XZ_INVALID: code("indexing", 400, "An .xz input is malformed, truncated, corrupt (CRC or size mismatch, bad LZMA data), uses an unsupported filter or check, or decodes to more than the output limit; `details.reason` says why and `details.offset` at which input byte."),
  QUIPU_DEB_INVALID: code("indexing", 400, "A .deb file is not a readable Debian binary package (not an ar archive, truncated, corrupt or undecompressible member, unsupported format version, missing control file or required field); `details.file`, `details.reason` and `details.offset` (byte offset, when known) say what and where."),
  QUIPU_DEB_CONTROL_INVALID: code("indexing", 400, "A Debian control paragraph does not parse the way dpkg would accept it, or a field would not serialise safely (bad field name, missing colon, blank or unindented continuation line, duplicate field); `details.file`, `details.line`, `details.field` and `details.reason` say where."),
  QUIPU_DEB_DSC_INVALID: code("indexing", 400, "A .dsc source control file is malformed (broken PGP armor, missing Source/Version/Files, bad checksum line, checksum lists that disagree); `details.file` and `details.reason` say what."),
  QUIPU_DEB_REPO_INVALID: code("indexing", 400, "The input of an apt repository build is inconsistent (bad codename, component or architecture name, unsafe file path, missing or malformed hash, architecture not listed, weak-only Release hashes); `details.reason` says what and names the package or option."),
  QUIPU_SIGNING_KEY_INVALID: code("indexing", 400, "A repository signing key is unusable: `details.reason` is one of `unreadable`, `several-keys`, `not-private`, `passphrase-required`, `wrong-passphrase`, `unsupported-key-version`, `revoked`, `expired`, `cannot-sign`, `weak-binding-hash`, `signing-failed`; `details.fingerprint` names the key when it could be read. The key material and passphrase are never included."),
  QUIPU_SIGNING_INPUT_INVALID: code("indexing", 400, "What was given to sign is unusable: a Release that is not UTF-8 text, is empty or holds carriage returns or NUL bytes (a clear signature cannot carry it faithfully), or a file list with no `Release` / `repodata/repomd.xml` (or without a path that was named); `details.reason` and `details.path` say what."),
  QUIPU_DEB_DUPLICATE_PACKAGE: code("indexing", 409, "Two different files carry the same Package, Version and Architecture in one component; `details.package`, `details.version`, `details.architecture` and `details.files` name them."),
  QUIPU_INDEX_DIRECTORY_INVALID: code("indexing", 400, "The directory to index does not exist, is not a directory, or cannot be read or written; `details.directory` names it and `details.reason` says why."),
  QUIPU_INDEX_FILE_UNREADABLE: code("indexing", 400, "A package file found while indexing a directory could not be read (permissions, I/O error, removed while reading); `details.file` names it and `details.reason` gives the system error."),
  QUIPU_INDEX_STRICT_FAILED: code("indexing", 422, "A strict index run found problems (unreadable, corrupt or duplicate packages) and wrote nothing; `details.problems` lists each as `{ file, code, message }`."),
  QUIPU_INDEX_LOCKED: code("indexing", 409, "Another index run holds the directory's lock (`details.lockFile`, `details.pid`, `details.host`); a lock left by a process that no longer runs on this host is taken over.", true),
  QUIPU_INDEX_PUBLISH_FAILED: code("indexing", 500, "Writing or renaming the new index files failed (disk full, permissions) or was interrupted; the previous repository is left as it was; `details.path` and `details.reason` say where and why."),

  // --- remote execution port
  QUIPU_REMOTE_CONNECT_FAILED: code("remote", 502, "Connecting to a remote host failed (refused, unreachable, authentication); `details.host` names it.", true),
  QUIPU_REMOTE_COMMAND_FAILED: code("remote", 502, "A remote command exited non-zero; `details.exitCode` and the tail of stderr are included."),
  QUIPU_REMOTE_TIMEOUT: code("remote", 504, "A remote command or copy did not finish in time.", true),

  // --- stores and HTTP access
  QUIPU_STORE_UNAVAILABLE: code("store", 503, "The database cannot be opened or queried (missing directory, corrupt file, newer schema than this release); `details.filename` names it.", true),
  QUIPU_AUTH_REQUIRED: code("auth", 401, "A write (or other protected call) came without valid Basic credentials; the credentials themselves are never echoed."),
  QUIPU_HTTP_NOT_FOUND: code("http", 404, "No resource at that path; `details.path` holds it."),
  QUIPU_HTTP_METHOD_NOT_ALLOWED: code("http", 405, "The resource exists but does not accept that method; `details.method` and `details.path` say which."),
  QUIPU_HTTP_BODY_INVALID: code("http", 400, "A request body is not what the endpoint takes (malformed JSON, wrong content type, empty); `details.reason` says why."),
  QUIPU_HTTP_BODY_TOO_LARGE: code("http", 413, "A request body is larger than the configured limit; `details.limit` gives it in bytes."),

  // --- chacra
  QUIPU_CHACRA_REPO_NOT_FOUND: code("chacra", 404, "No repo with that project/ref/sha1/distro/version/flavor on this node; `details` names the key."),
  QUIPU_CHACRA_BINARY_EXISTS: code("chacra", 400, "A binary already exists at that address and the upload did not say `force`; `details.name` names it."),
  QUIPU_CHACRA_UPLOAD_INVALID: code("chacra", 400, "An upload is malformed: no `file` part in the multipart body, a bad file name, or the body ended early; `details.reason` says which."),
  QUIPU_CHACRA_CHECKSUM_MISMATCH: code("chacra", 400, "The uploaded bytes do not match the checksum the client sent with them; nothing was stored; `details.name`, `details.expected` and `details.actual` say which."),
  QUIPU_CHACRA_REPO_BUILD_FAILED: code("chacra", 500, "Building a repository failed; the repo is marked `failed` with the reason and retried with backoff; `details.repo` and `details.reason` say which and why.", true),
  QUIPU_CHACRA_REPO_INPUT_SKIPPED: code("chacra", 422, "A binary was left out of its repository while the rest was built: its stored file is missing or not a regular file, its name starts with a dot (hidden files are never served), or another binary already takes the same repository path with different content; reported as a build problem whose `file` is that repository path and whose message gives the reason."),
  // --- chacra client and upload command
  QUIPU_CHACRA_CLIENT_HTTP_ERROR: code("chacra-client", 502, "A chacra node answered a client request with an error status; `details.status`, `details.method`, `details.url` (credentials removed) and `details.message` (chacra's `{\"message\"}` body, when it sent one) say which and why."),
  QUIPU_CHACRA_CLIENT_UNREACHABLE: code("chacra-client", 502, "A chacra or shaman node could not be reached (connection refused or reset, DNS failure, TLS failure); `details.url` (credentials removed) and `details.reason` say where and why.", true),
  QUIPU_CHACRA_CLIENT_RESPONSE_INVALID: code("chacra-client", 502, "A chacra or shaman node answered with a body that is not the documented shape; `details.url` and `details.issues` say where and what."),
  QUIPU_CHACRA_UPLOAD_FILE_UNREADABLE: code("chacra-client", 400, "A file to upload does not exist, is not a regular file, cannot be read, or changed size while it was being sent; `details.file` and `details.reason` say which and why."),
  QUIPU_CHACRA_UPLOAD_VERIFY_FAILED: code("chacra-client", 502, "After an upload, the checksum chacra lists for the binary differs from the SHA-512 computed while sending it (or the binary is missing from the listing); a new upload is deleted again; `details.name`, `details.expected`, `details.actual` and `details.deleted` say which."),
  QUIPU_CHACRA_NODE_LOOKUP_FAILED: code("chacra-client", 502, "Asking shaman for a chacra node (`GET /api/nodes/next/`) failed with an error other than \"no node available\"; `details.status` and `details.url` (credentials removed) say how."),
  // --- chacra → shaman (callbacks and self-registration)
  QUIPU_CHACRA_CALLBACK_FAILED: code("chacra", 502, "Delivering a repo status callback to shaman failed in a way that may succeed later (connection refused, timeout, 5xx, 408, 429, or 401/403/404 which point at chacra's shaman URL or credentials); the callback stays queued and is retried with backoff; `details.url` (credentials removed), `details.project`, `details.callbackId`, `details.status` (when shaman answered) and `details.reason` say which and why.", true),
  QUIPU_CHACRA_CALLBACK_REJECTED: code("chacra", 502, "shaman refused a repo status callback with a 4xx status that resending the same body cannot change (400 malformed payload, 413, 422, …); the callback is dropped so the repo's later callbacks still go out; `details.url` (credentials removed), `details.project`, `details.callbackId`, `details.status` and `details.message` say which and why."),
  QUIPU_CHACRA_REGISTRATION_FAILED: code("chacra", 502, "Registering this node with shaman (`POST /api/nodes/{host}/`) failed; the registration loop tries again at its next interval; `details.url` (credentials removed), `details.host`, `details.status` (when shaman answered) and `details.reason` say why.", true),
  // --- shaman
  QUIPU_SHAMAN_NOT_READY: code("shaman", 504, "No ready repository answers a `latest` lookup or a redirect (`…/repo`, `…/{arch}/…`) yet; the wire body is the original's text `no repository is ready for: {project}/{ref}`; `details.project`, `details.ref` and the rest of the lookup say which.", true),
  QUIPU_SHAMAN_SEARCH_INVALID: code("shaman", 400, "A `/api/search/` query has a parameter shaman does not know, a parameter given twice, or no parameter at all; `details.unknown` and `details.allowed` say which."),
  // --- shaman client
  QUIPU_SHAMAN_CLIENT_HTTP_ERROR: code("shaman-client", 502, "shaman answered a client request with an error status; `details.status`, `details.method`, `details.url` (credentials removed) and `details.message` (shaman's error text or code, when it sent one) say which and why."),
  QUIPU_SHAMAN_CLIENT_UNREACHABLE: code("shaman-client", 502, "shaman could not be reached (connection refused or reset, DNS failure, TLS failure); `details.url` (credentials removed) and `details.reason` say where and why.", true),
  QUIPU_SHAMAN_CLIENT_RESPONSE_INVALID: code("shaman-client", 502, "shaman answered with a body that is not the documented shape; `details.url` and `details.issues` say where and what."),
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(errorCodes, value);
}
