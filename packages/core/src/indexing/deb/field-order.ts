/**
 * The canonical field orders apt-ftparchive (apt 2.6) rewrites stanzas into, measured against its
 * output. Known fields are written in this order with this spelling; unknown fields follow in
 * their original order and spelling.
 */
export const PACKAGES_FIELD_ORDER: readonly string[] = [
  "Package",
  "Package-Type",
  "Architecture",
  "Subarchitecture",
  "Version",
  "Kernel-Version",
  "Built-Using",
  "Static-Built-Using",
  "Built-For-Profiles",
  "Auto-Built-Package",
  "Multi-Arch",
  "Status",
  "Priority",
  "Build-Essential",
  "Protected",
  "Important",
  "Essential",
  "Installer-Menu-Item",
  "Section",
  "Source",
  "Origin",
  "Phased-Update-Percentage",
  "Maintainer",
  "Original-Maintainer",
  "Bugs",
  "Config-Version",
  "Conffiles",
  "Triggers-Awaited",
  "Triggers-Pending",
  "Installed-Size",
  "Provides",
  "Pre-Depends",
  "Depends",
  "Recommends",
  "Suggests",
  "Conflicts",
  "Breaks",
  "Replaces",
  "Enhances",
  "Filename",
  "MSDOS-Filename",
  "Size",
  "MD5sum",
  "SHA1",
  "SHA256",
  "SHA512",
  "Homepage",
  "Description",
  "Description-md5",
  "Tag",
  "Task",
];

export const SOURCES_FIELD_ORDER: readonly string[] = [
  "Package",
  "Source",
  "Format",
  "Binary",
  "Architecture",
  "Version",
  "Priority",
  "Section",
  "Origin",
  "Maintainer",
  "Original-Maintainer",
  "Uploaders",
  "Dm-Upload-Allowed",
  "Standards-Version",
  "Build-Depends",
  "Build-Depends-Arch",
  "Build-Depends-Indep",
  "Build-Conflicts",
  "Build-Conflicts-Arch",
  "Build-Conflicts-Indep",
  "Testsuite",
  "Testsuite-Triggers",
  "Homepage",
  "Description",
  "Vcs-Browser",
  "Vcs-Browse",
  "Vcs-Arch",
  "Vcs-Bzr",
  "Vcs-Cvs",
  "Vcs-Darcs",
  "Vcs-Git",
  "Vcs-Hg",
  "Vcs-Mtn",
  "Vcs-Svn",
  "Directory",
  "Package-List",
  "Files",
  "Checksums-Md5",
  "Checksums-Sha1",
  "Checksums-Sha256",
  "Checksums-Sha512",
];

/** Each order table's lower-cased names and their ranks, built once (an indexer orders thousands of stanzas). */
const ranks = new WeakMap<readonly string[], Map<string, number>>();

/**
 * Reorders `[name, value]` pairs: names found in `order` (any case) first, in that order and with
 * its spelling, then the others in their original order and spelling.
 */
export function orderFields(pairs: ReadonlyArray<readonly [string, string]>, order: readonly string[]): Array<[string, string]> {
  let rank = ranks.get(order);
  if (rank === undefined) {
    rank = new Map(order.map((name, i) => [name.toLowerCase(), i]));
    ranks.set(order, rank);
  }
  const known: Array<[number, string, string]> = [];
  const unknown: Array<[string, string]> = [];
  for (const [name, value] of pairs) {
    const at = rank.get(name.toLowerCase());
    if (at === undefined) unknown.push([name, value]);
    else known.push([at, order[at] as string, value]);
  }
  known.sort((a, b) => a[0] - b[0]);
  return [...known.map(([, name, value]): [string, string] => [name, value]), ...unknown];
}
