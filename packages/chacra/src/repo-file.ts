/**
 * The body of `GET /repos/…/repo`: what a machine adds to its package manager configuration to use
 * a repo (scripts save it straight into `/etc/yum.repos.d/` or `/etc/apt/sources.list.d/`).
 *
 * - deb: one sources line for the repo's codename. Unsigned repos are marked `[trusted=yes]`, as
 *   chacra always did. With `keyUrl` the line says `signed-by=` a keyring path instead, preceded by
 *   a comment telling how to fetch the key there (apt takes a local file, not a URL).
 * - rpm: three repositories — packages for the client's own arch (`$basearch`, expanded by dnf),
 *   `noarch` and `SRPMS`. SUSE distros get a single repository at the top, where their repodata is.
 *   With `keyUrl`, dnf checks the signed metadata (`repo_gpgcheck`); packages themselves are not
 *   signed by chacra, so `gpgcheck` stays off.
 * - raw: nothing to configure; the body is empty.
 */
import { z } from "zod";
import { parseOrThrow, safeSegmentSchema, type RepoType } from "@quipu/core";
import { rpmRepodataAtTop } from "./repo-layout.js";

export interface RepoFileOptions {
  readonly type: RepoType;
  readonly project: string;
  readonly distro: string;
  /** The codename, for apt. */
  readonly distroVersion: string;
  /** The repo's browsable root (`https://node/r/ceph/main/<sha1>/ubuntu/jammy/flavors/default/`); a trailing slash is added if missing. */
  readonly baseUrl: string;
  /** Where clients fetch the public key of a signed repo. Without it the repo is declared unsigned. */
  readonly keyUrl?: string | undefined;
  /** deb with `keyUrl`: where the comment says to save the key (default `/etc/apt/keyrings/<project>.asc`). */
  readonly keyringPath?: string | undefined;
}

// Everything ends up in a line-oriented config file: a newline in any value would add lines of its own.
const oneLine = z.string().refine((value) => !/[\r\n\0]/.test(value), "must be a single line");
const url = oneLine.refine((value) => {
  try {
    return ["http:", "https:", "file:"].includes(new URL(value).protocol) && !/\s/.test(value);
  } catch {
    return false;
  }
}, "must be an http(s) or file URL without spaces");

const RepoFileOptionsSchema = z.object({
  type: z.enum(["rpm", "deb", "raw"]),
  project: safeSegmentSchema("project").refine((value) => !/[\s\]]/.test(value), "project must not contain spaces or ']'"),
  distro: safeSegmentSchema("distro"),
  distroVersion: safeSegmentSchema("distro version").refine((value) => !/\s/.test(value), "distro version must not contain spaces"),
  baseUrl: url,
  keyUrl: url.optional(),
  keyringPath: oneLine.refine((value) => value.startsWith("/") && !/[\s\]]/.test(value), "must be an absolute path without spaces").optional(),
});

interface Section {
  readonly id: string;
  readonly name: string;
  readonly baseurl: string;
}

/** dnf accepts only ASCII letters, digits and `-_.:` in a repository id. */
function repoId(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:-]/g, "_");
}

function renderSection(section: Section, keyUrl: string | undefined): string {
  const lines = [`[${repoId(section.id)}]`, `name=${section.name}`, `baseurl=${section.baseurl}`, "enabled=1", "gpgcheck=0"];
  if (keyUrl !== undefined) lines.push("repo_gpgcheck=1", `gpgkey=${keyUrl}`);
  lines.push("type=rpm-md");
  return `${lines.join("\n")}\n`;
}

export function renderRepoFile(input: RepoFileOptions): string {
  const options = parseOrThrow(RepoFileOptionsSchema, input, "repo file options");
  if (options.type === "raw") return "";
  const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
  const { project, keyUrl } = options;

  if (options.type === "deb") {
    const line = (attributes: string) => `deb [${attributes}] ${base} ${options.distroVersion} main\n`;
    if (keyUrl === undefined) return line("trusted=yes");
    const keyring = options.keyringPath ?? `/etc/apt/keyrings/${project}.asc`;
    return `# signed repository: first save its key with  curl -fsSL ${keyUrl} -o ${keyring}\n${line(`signed-by=${keyring}`)}`;
  }

  const where = `${options.distro} ${options.distroVersion}`;
  if (rpmRepodataAtTop(options.distro)) {
    return renderSection({ id: project, name: `${project} (${where})`, baseurl: base }, keyUrl);
  }
  return [
    renderSection({ id: project, name: `${project} (${where}, $basearch)`, baseurl: `${base}$basearch` }, keyUrl),
    renderSection({ id: `${project}-noarch`, name: `${project} (${where}, noarch)`, baseurl: `${base}noarch` }, keyUrl),
    renderSection({ id: `${project}-source`, name: `${project} (${where}, sources)`, baseurl: `${base}SRPMS` }, keyUrl),
  ].join("\n");
}
