/**
 * The distro table, kept as data so a new release is a one-line change (the originals hard-code
 * partial maps in two services and lag behind: shaman's maps lack noble, bookworm and trixie).
 *
 * Conventions it encodes (reference: chacra-shaman.md §2.6, §3.2):
 * - `name` is the spelling chacra URLs and shaman records use (`ubuntu`, `centos`, `rhel`,
 *   `opensuse`, `sle`); `aliases` are other spellings people and tools produce (os-release IDs
 *   such as `almalinux`, `ol`, `opensuse-leap`; lsb IDs such as `redhatenterpriseserver`).
 * - deb distros address a release by codename in paths (`ubuntu/jammy`, `debian/bookworm`),
 *   because the codename is also the apt suite; rpm distros by version (`centos/9`).
 * - rpm distros other than openSUSE Leap are listed per major version: repos are built per major
 *   (`centos/9` is CentOS Stream 9; RHEL 9.4 uses the `9` repo), so a point release such as
 *   `9.4`, `22.04.3` or `12.5` resolves to the release it updates. Leap's `15.5` and `15.6` are
 *   separate releases with separate repos, so Leap lists them and `15` alone is unknown.
 * - `releases` are oldest first; a release's `aliases` are extra version spellings (Debian `6`
 *   for `6.0`; not `3` for `3.0`, since Debian 3.0 and 3.1 are different releases).
 */

export type PackageType = "deb" | "rpm";

/** The distro family decides repository layout details (e.g. SUSE wants repodata at the top). */
export type DistroFamily = "debian" | "redhat" | "suse";

export interface DistroRelease {
  /** The release number (`22.04`, `12`, `9`, `15.6`); Debian unstable uses `unstable`. */
  readonly version: string;
  /** The codename (`jammy`, `bookworm`), or null for distros without codenames. */
  readonly codename: string | null;
  /** Other spellings of `version` that name this release. */
  readonly aliases?: readonly string[];
}

export interface DistroDefinition {
  readonly name: string;
  readonly displayName: string;
  readonly aliases: readonly string[];
  readonly packageType: PackageType;
  readonly family: DistroFamily;
  /** Which spelling chacra paths and shaman records use for a release (§3.2). */
  readonly pathSpelling: "codename" | "version";
  /** Rolling distros have one release; any `YYYYMMDD` snapshot version resolves to it. */
  readonly rolling?: boolean;
  readonly releases: readonly DistroRelease[];
}

function numbered(versions: readonly number[]): DistroRelease[] {
  return versions.map((version) => ({ version: String(version), codename: null }));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

const debianReleases: readonly DistroRelease[] = [
  { version: "1.1", codename: "buzz" },
  { version: "1.2", codename: "rex" },
  { version: "1.3", codename: "bo" },
  { version: "2.0", codename: "hamm" },
  { version: "2.1", codename: "slink" },
  { version: "2.2", codename: "potato" },
  { version: "3.0", codename: "woody" },
  { version: "3.1", codename: "sarge" },
  { version: "4.0", codename: "etch", aliases: ["4"] },
  { version: "5.0", codename: "lenny", aliases: ["5"] },
  { version: "6.0", codename: "squeeze", aliases: ["6"] },
  { version: "7", codename: "wheezy" },
  { version: "8", codename: "jessie" },
  { version: "9", codename: "stretch" },
  { version: "10", codename: "buster" },
  { version: "11", codename: "bullseye" },
  { version: "12", codename: "bookworm" },
  { version: "13", codename: "trixie" },
  { version: "14", codename: "forky" },
  { version: "15", codename: "duke" },
  // chacra's reprepro DISTRIBUTIONS include sid; it has no number, so its version is its suite.
  { version: "unstable", codename: "sid" },
];

const ubuntuReleases: readonly DistroRelease[] = [
  { version: "4.10", codename: "warty" },
  { version: "5.04", codename: "hoary" },
  { version: "5.10", codename: "breezy" },
  { version: "6.06", codename: "dapper" },
  { version: "6.10", codename: "edgy" },
  { version: "7.04", codename: "feisty" },
  { version: "7.10", codename: "gutsy" },
  { version: "8.04", codename: "hardy" },
  { version: "8.10", codename: "intrepid" },
  { version: "9.04", codename: "jaunty" },
  { version: "9.10", codename: "karmic" },
  { version: "10.04", codename: "lucid" },
  { version: "10.10", codename: "maverick" },
  { version: "11.04", codename: "natty" },
  { version: "11.10", codename: "oneiric" },
  { version: "12.04", codename: "precise" },
  { version: "12.10", codename: "quantal" },
  { version: "13.04", codename: "raring" },
  { version: "13.10", codename: "saucy" },
  { version: "14.04", codename: "trusty" },
  { version: "14.10", codename: "utopic" },
  { version: "15.04", codename: "vivid" },
  { version: "15.10", codename: "wily" },
  { version: "16.04", codename: "xenial" },
  { version: "16.10", codename: "yakkety" },
  { version: "17.04", codename: "zesty" },
  { version: "17.10", codename: "artful" },
  { version: "18.04", codename: "bionic" },
  { version: "18.10", codename: "cosmic" },
  { version: "19.04", codename: "disco" },
  { version: "19.10", codename: "eoan" },
  { version: "20.04", codename: "focal" },
  { version: "20.10", codename: "groovy" },
  { version: "21.04", codename: "hirsute" },
  { version: "21.10", codename: "impish" },
  { version: "22.04", codename: "jammy" },
  { version: "22.10", codename: "kinetic" },
  { version: "23.04", codename: "lunar" },
  { version: "23.10", codename: "mantic" },
  { version: "24.04", codename: "noble" },
  { version: "24.10", codename: "oracular" },
  { version: "25.04", codename: "plucky" },
  { version: "25.10", codename: "questing" },
  { version: "26.04", codename: "resolute" },
];

export const distroTable: readonly DistroDefinition[] = [
  {
    name: "debian",
    displayName: "Debian",
    aliases: [],
    packageType: "deb",
    family: "debian",
    pathSpelling: "codename",
    releases: debianReleases,
  },
  {
    name: "ubuntu",
    displayName: "Ubuntu",
    aliases: [],
    packageType: "deb",
    family: "debian",
    pathSpelling: "codename",
    releases: ubuntuReleases,
  },
  {
    // ceph's `centos/8`, `centos/9`, `centos/10` are the Stream releases; CentOS Linux 9 never existed.
    name: "centos",
    displayName: "CentOS / CentOS Stream",
    aliases: ["centos-stream", "centosstream"],
    packageType: "rpm",
    family: "redhat",
    pathSpelling: "version",
    releases: numbered([5, 6, 7, 8, 9, 10]),
  },
  {
    name: "rhel",
    displayName: "Red Hat Enterprise Linux",
    aliases: ["redhat", "red-hat", "redhatenterpriseserver", "redhatenterprise"],
    packageType: "rpm",
    family: "redhat",
    pathSpelling: "version",
    releases: numbered([5, 6, 7, 8, 9, 10]),
  },
  {
    name: "rocky",
    displayName: "Rocky Linux",
    aliases: ["rockylinux", "rocky-linux"],
    packageType: "rpm",
    family: "redhat",
    pathSpelling: "version",
    releases: numbered([8, 9, 10]),
  },
  {
    name: "alma",
    displayName: "AlmaLinux",
    aliases: ["almalinux", "alma-linux"],
    packageType: "rpm",
    family: "redhat",
    pathSpelling: "version",
    releases: numbered([8, 9, 10]),
  },
  {
    name: "oracle",
    displayName: "Oracle Linux",
    aliases: ["ol", "oraclelinux", "oracle-linux"],
    packageType: "rpm",
    family: "redhat",
    pathSpelling: "version",
    releases: numbered([6, 7, 8, 9, 10]),
  },
  {
    name: "fedora",
    displayName: "Fedora",
    aliases: [],
    packageType: "rpm",
    family: "redhat",
    pathSpelling: "version",
    releases: numbered(range(20, 44)),
  },
  {
    // chacra checks for exactly `opensuse` (flat repo layout); Leap releases are major.minor.
    name: "opensuse",
    displayName: "openSUSE Leap",
    aliases: ["opensuse-leap", "leap"],
    packageType: "rpm",
    family: "suse",
    pathSpelling: "version",
    releases: [
      ...["42.1", "42.2", "42.3"].map((version) => ({ version, codename: null })),
      ...range(0, 6).map((minor) => ({ version: `15.${minor}`, codename: null })),
      { version: "16.0", codename: null },
    ],
  },
  {
    name: "opensuse-tumbleweed",
    displayName: "openSUSE Tumbleweed",
    aliases: ["tumbleweed"],
    packageType: "rpm",
    family: "suse",
    pathSpelling: "version",
    rolling: true,
    releases: [{ version: "tumbleweed", codename: null }],
  },
  {
    // chacra checks for exactly `sle`; ceph-build's lsb helper says `sles`. Service packs share
    // the major's repos (SUSE keeps ABI compatibility within a major), so `15.5`/`15-SP5` → `15`.
    name: "sle",
    displayName: "SUSE Linux Enterprise",
    aliases: ["sles", "sled", "suse-linux-enterprise"],
    packageType: "rpm",
    family: "suse",
    pathSpelling: "version",
    releases: numbered([11, 12, 15, 16]),
  },
];
