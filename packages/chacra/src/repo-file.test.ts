import { isQuipuError } from "@quipu/core";
import { describe, expect, it } from "vitest";
import { renderRepoFile, type RepoFileOptions } from "./repo-file.js";

const base = "https://chacra.example/r/ceph/main/45b4cbe8de1ba3b4d3e2a1b0c9d8e7f6a5b4c3d2/";

function sections(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of text.split("\n")) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) out[header[1]!] = current = {};
    else if (line.includes("=")) current![line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

describe("renderRepoFile", () => {
  it("gives apt one trusted sources line for the codename", () => {
    expect(renderRepoFile({ type: "deb", project: "ceph", distro: "ubuntu", distroVersion: "jammy", baseUrl: `${base}ubuntu/jammy/flavors/default` })).toBe(
      `deb [trusted=yes] ${base}ubuntu/jammy/flavors/default/ jammy main\n`,
    );
  });

  it("points apt at a keyring instead when the repo is signed", () => {
    const text = renderRepoFile({ type: "deb", project: "ceph", distro: "debian", distroVersion: "bookworm", baseUrl: base, keyUrl: "https://chacra.example/key.asc" });
    const lines = text.trimEnd().split("\n");
    expect(lines).toEqual([
      "# signed repository: first save its key with  curl -fsSL https://chacra.example/key.asc -o /etc/apt/keyrings/ceph.asc",
      `deb [signed-by=/etc/apt/keyrings/ceph.asc] ${base} bookworm main`,
    ]);
    const custom = renderRepoFile({ type: "deb", project: "ceph", distro: "debian", distroVersion: "bookworm", baseUrl: base, keyUrl: "https://k/", keyringPath: "/tmp/k.asc" });
    expect(custom).toContain("deb [signed-by=/tmp/k.asc] ");
  });

  it("gives dnf the arch, noarch and source repositories", () => {
    const text = renderRepoFile({ type: "rpm", project: "ceph", distro: "centos", distroVersion: "9", baseUrl: base });
    const parsed = sections(text);
    expect(Object.keys(parsed)).toEqual(["ceph", "ceph-noarch", "ceph-source"]);
    expect(parsed["ceph"]).toMatchObject({ baseurl: `${base}$basearch`, enabled: "1", gpgcheck: "0", type: "rpm-md" });
    expect(parsed["ceph-noarch"]!.baseurl).toBe(`${base}noarch`);
    expect(parsed["ceph-source"]!.baseurl).toBe(`${base}SRPMS`);
    for (const section of Object.values(parsed)) expect(section.name).toMatch(/^ceph \(centos 9, /);
    expect(text).not.toContain("repo_gpgcheck");
  });

  it("adds the metadata signature check when a key URL is given", () => {
    const parsed = sections(renderRepoFile({ type: "rpm", project: "ceph", distro: "rocky", distroVersion: "9", baseUrl: base, keyUrl: "https://k.example/key.asc" }));
    for (const section of Object.values(parsed)) expect(section).toMatchObject({ gpgcheck: "0", repo_gpgcheck: "1", gpgkey: "https://k.example/key.asc" });
  });

  it("gives SUSE one repository at the top", () => {
    for (const distro of ["opensuse", "sle"]) {
      const parsed = sections(renderRepoFile({ type: "rpm", project: "ceph", distro, distroVersion: "15", baseUrl: base.slice(0, -1) }));
      expect(Object.keys(parsed)).toEqual(["ceph"]);
      expect(parsed["ceph"]!.baseurl).toBe(base);
    }
  });

  it("is empty for raw repos", () => {
    expect(renderRepoFile({ type: "raw", project: "ceph", distro: "windows", distroVersion: "1809", baseUrl: base })).toBe("");
  });

  it("makes a valid dnf id of any project name", () => {
    expect(Object.keys(sections(renderRepoFile({ type: "rpm", project: "ceph+extra", distro: "centos", distroVersion: "9", baseUrl: base })))).toEqual([
      "ceph_extra",
      "ceph_extra-noarch",
      "ceph_extra-source",
    ]);
  });

  it("refuses values that would add lines or break the syntax, naming each", () => {
    const bad = { type: "deb", project: "ceph]", distro: "ubuntu", distroVersion: "jammy main\n", baseUrl: "ftp://x/", keyUrl: "not a url" } as unknown as RepoFileOptions;
    try {
      renderRepoFile(bad);
      expect.unreachable();
    } catch (error) {
      expect(isQuipuError(error, "QUIPU_VALIDATION_FAILED")).toBe(true);
      const issues = (error as { details: { issues: string[] } }).details.issues.join("\n");
      for (const field of ["project", "distroVersion", "baseUrl", "keyUrl"]) expect(issues).toContain(field);
    }
  });
});
