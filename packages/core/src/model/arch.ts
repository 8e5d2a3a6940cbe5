/**
 * Spellings of the same architecture across package formats and tools. Stored names are kept
 * verbatim (ceph-build uploads `arm64`, RPMs say `aarch64`); these groups are only for matching,
 * so asking for `aarch64` can find an `arm64` repo. The original matched exactly, one source of
 * the arch mix-ups in §4.1.
 */
const ARCH_EQUIVALENTS: readonly (readonly string[])[] = [
  ["x86_64", "amd64"],
  ["aarch64", "arm64"],
  ["ppc64le", "ppc64el"],
  ["i386", "i686"],
  ["noarch", "all"],
  ["source", "src"],
];

/** Every spelling of `arch` (itself first); an unknown arch gives `[arch]`. */
export function equivalentArchs(arch: string): string[] {
  const group = ARCH_EQUIVALENTS.find((spellings) => spellings.includes(arch));
  return group ? [arch, ...group.filter((spelling) => spelling !== arch)] : [arch];
}

export function isSameArch(a: string, b: string): boolean {
  return a === b || equivalentArchs(a).includes(b);
}
