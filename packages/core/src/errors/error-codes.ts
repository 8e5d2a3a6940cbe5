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
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(errorCodes, value);
}
