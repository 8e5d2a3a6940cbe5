import { describe, expect, it } from "vitest";
import {
  RPM_BASE_DIRECTORIES,
  debCodenameOfPath,
  debFileKind,
  debPoolDirectory,
  debPoolPrefix,
  debPoolRoot,
  debStemOf,
  isDebianSourceName,
  isGeneratedDirectory,
  rpmDirectoryFromFileName,
  rpmDirectoryOf,
  rpmRepodataAtTop,
} from "./repo-layout.js";

describe("rpm arch directories", () => {
  it("come from the header, not the file name", () => {
    expect(rpmDirectoryOf("ceph-18.2.0-1.el9.x86_64.rpm", { isSource: false, arch: "x86_64" })).toBe("x86_64");
    // The original filed these under noarch/ because their names matched none of its patterns.
    expect(rpmDirectoryOf("ceph-18.2.0-1.el9.ppc64le.rpm", { isSource: false, arch: "ppc64le" })).toBe("ppc64le");
    expect(rpmDirectoryOf("ceph-18.2.0-1.el9.s390x.rpm", { isSource: false, arch: "s390x" })).toBe("s390x");
    // A misleading name does not matter once the header is read.
    expect(rpmDirectoryOf("renamed.noarch.rpm", { isSource: false, arch: "aarch64" })).toBe("aarch64");
    expect(rpmDirectoryOf("ceph-18.2.0-1.el9.rpm", { isSource: true, arch: "x86_64" })).toBe("SRPMS");
    expect(rpmDirectoryOf("python3-ceph-common-18.2.0-1.el9.noarch.rpm", { isSource: false, arch: "noarch" })).toBe("noarch");
  });

  it("use dnf's $basearch for arches that share a repository", () => {
    expect(rpmDirectoryOf("x.rpm", { isSource: false, arch: "i686" })).toBe("i386");
    expect(rpmDirectoryOf("x.rpm", { isSource: false, arch: "armv7hl" })).toBe("armhfp");
  });

  it("fall back to the file name for unreadable rpms and to noarch for other files", () => {
    expect(rpmDirectoryOf("broken-1-1.src.rpm", undefined)).toBe("SRPMS");
    expect(rpmDirectoryOf("broken-1-1.nosrc.rpm", undefined)).toBe("SRPMS");
    expect(rpmDirectoryOf("broken-1-1.x86_64.rpm", undefined)).toBe("x86_64");
    expect(rpmDirectoryOf("broken-1-1.i686.rpm", undefined)).toBe("i386");
    expect(rpmDirectoryOf("broken.rpm", undefined)).toBe("noarch");
    expect(rpmDirectoryOf("cephadm", undefined)).toBe("noarch");
    expect(rpmDirectoryOf("ceph.x86_64.zip", undefined)).toBe("noarch");
    expect(rpmDirectoryFromFileName("a-1-1.repodata.rpm")).toBe("noarch");
  });

  it("never become odd directory names", () => {
    for (const arch of ["", "..", ".hidden", "a/b", "repodata", "x".repeat(100)]) {
      expect(rpmDirectoryOf("x.rpm", { isSource: false, arch })).toBe("noarch");
    }
  });

  it("always include the directories the original created", () => {
    expect(RPM_BASE_DIRECTORIES).toEqual(["SRPMS", "noarch", "x86_64", "aarch64"]);
  });

  it("are replaced by one top-level repodata for SUSE distros only", () => {
    for (const distro of ["opensuse", "sle", "sles", "opensuse-leap", "opensuse-tumbleweed"]) expect(rpmRepodataAtTop(distro)).toBe(true);
    for (const distro of ["centos", "rocky", "rhel", "fedora", "ubuntu", "unknown"]) expect(rpmRepodataAtTop(distro)).toBe(false);
  });
});

describe("deb pool", () => {
  it("uses Debian's prefixes", () => {
    expect(debPoolPrefix("ceph")).toBe("c");
    expect(debPoolPrefix("librados2")).toBe("libr");
    expect(debPoolPrefix("lib")).toBe("l");
    expect(debPoolPrefix("python-rados")).toBe("p");
  });

  it("keeps the own codename in pool/main and every combined one apart", () => {
    expect(debPoolRoot("jammy", "jammy")).toBe("pool/main");
    expect(debPoolRoot("focal", "jammy")).toBe("pool/focal/main");
    expect(debPoolDirectory("pool/main", "ceph")).toBe("pool/main/c/ceph");
    expect(debPoolDirectory("pool/focal/main", "librbd")).toBe("pool/focal/main/libr/librbd");
    expect(debCodenameOfPath("pool/main/c/ceph/ceph_1_amd64.deb", "jammy")).toBe("jammy");
    expect(debCodenameOfPath("pool/focal/main/c/ceph/ceph_1_amd64.deb", "jammy")).toBe("focal");
    expect(debCodenameOfPath("dists/jammy/Release", "jammy")).toBeUndefined();
    expect(debCodenameOfPath("x86_64/a.rpm", "jammy")).toBeUndefined();
  });

  it("trusts only well-formed source names as directories", () => {
    for (const name of ["ceph", "librados2", "python3.11", "g++-12", "0ad"]) expect(isDebianSourceName(name)).toBe(true);
    for (const name of ["../../etc", "a", "Ceph", "ceph/x", "-x", "", "ceph_1"]) expect(isDebianSourceName(name)).toBe(false);
  });

  it("classifies files by extension", () => {
    expect(["a_1_amd64.deb", "a-dbgsym_1_amd64.ddeb", "a_1_amd64.udeb", "a_1.dsc", "a_1_amd64.changes", "a_1.orig.tar.gz", "cephadm"].map(debFileKind)).toEqual([
      "deb",
      "ddeb",
      "udeb",
      "dsc",
      "changes",
      "other",
      "other",
    ]);
  });

  it("places unknown files by the part of the name before the version", () => {
    expect(debStemOf("ceph_18.2.0.orig.tar.gz")).toBe("ceph");
    expect(debStemOf("ceph_18.2.0-1jammy.debian.tar.xz")).toBe("ceph");
    expect(debStemOf("cephadm")).toBe("cephadm");
    expect(debStemOf("ceph-18.2.0.tar.gz")).toBe("ceph-18.2.0");
    expect(debStemOf("ceph.zip")).toBe("ceph");
    expect(debStemOf(".tar.gz")).toBe(".tar.gz");
    expect(debStemOf("_x")).toBe("_x");
  });
});

describe("generated directories", () => {
  it("are the indexer's outputs for the repo's type only", () => {
    expect(isGeneratedDirectory("rpm", 0, "repodata")).toBe(true);
    expect(isGeneratedDirectory("rpm", 1, "repodata")).toBe(true);
    expect(isGeneratedDirectory("rpm", 2, "repodata")).toBe(false);
    expect(isGeneratedDirectory("deb", 0, "dists")).toBe(true);
    // A source package called "repodata" or "dists" in the pool is just a package.
    expect(isGeneratedDirectory("deb", 4, "dists")).toBe(false);
    expect(isGeneratedDirectory("deb", 1, "repodata")).toBe(false);
    expect(isGeneratedDirectory("raw", 0, "dists")).toBe(false);
    expect(isGeneratedDirectory("raw", 0, "repodata")).toBe(false);
  });
});
