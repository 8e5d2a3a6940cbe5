import { describe, expect, it } from "vitest";
import { createCodecs } from "../../indexing/codecs.js";
import { buildAptRepository } from "../../indexing/deb/apt-repository.js";
import type { AptPackageEntry } from "../../indexing/deb/package-entry.js";
import { ControlParagraph } from "../../indexing/deb/control-fields.js";
import { buildRpmRepository } from "../../indexing/rpm/rpm-repository.js";
import type { RepositorySigner } from "./repository-signer.js";
import { signAptRelease, signRpmRepomd, type RepositoryFile } from "./repository-signing.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A signer that writes what it was asked to sign, so the tests can see which bytes went where. */
function fakeSigner(): RepositorySigner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fingerprint: "F".repeat(40),
    signingKeyFingerprint: "F".repeat(40),
    expiresAt: undefined,
    publicKeyArmored: "",
    publicKeyBinary: new Uint8Array(0),
    signInRelease: async (release) => {
      calls.push(`inrelease:${decoder.decode(release)}`);
      return encoder.encode(`clearsigned(${decoder.decode(release)})`);
    },
    signDetached: async (data, options) => {
      calls.push(`detached:${options?.armor === false ? "binary" : "armor"}:${decoder.decode(data)}`);
      return encoder.encode(`detached(${decoder.decode(data)})`);
    },
  };
}

const file = (path: string, text = path): RepositoryFile & { kind?: string } => ({ path, bytes: encoder.encode(text) });
const paths = (files: readonly RepositoryFile[]) => files.map((f) => f.path);

describe("signAptRelease", () => {
  it("adds Release.gpg before and InRelease after each top-level Release, signing its bytes", async () => {
    const signer = fakeSigner();
    const out = await signAptRelease([file("dists/x/main/binary-amd64/Packages"), file("dists/x/Release", "Origin: q\n")], signer);
    expect(paths(out)).toEqual(["dists/x/main/binary-amd64/Packages", "dists/x/Release.gpg", "dists/x/Release", "dists/x/InRelease"]);
    expect(decoder.decode(out[1]?.bytes)).toBe("detached(Origin: q\n)");
    expect(decoder.decode(out[3]?.bytes)).toBe("clearsigned(Origin: q\n)");
    expect(out[3]).toMatchObject({ kind: "signature", signs: "dists/x/Release" });
    expect(signer.calls).toEqual(["detached:armor:Origin: q\n", "inrelease:Origin: q\n"]);
  });

  it("leaves per-index Release files alone and signs a flat Release at the root", async () => {
    const nested = await signAptRelease([file("dists/x/main/binary-amd64/Release"), file("dists/x/main/binary-amd64/Packages"), file("dists/x/Release")], fakeSigner());
    expect(paths(nested).filter((p) => /InRelease|\.gpg$/.test(p))).toEqual(["dists/x/Release.gpg", "dists/x/InRelease"]);
    const flat = await signAptRelease([file("Packages.gz"), file("Release")], fakeSigner(), { armorReleaseGpg: false });
    expect(paths(flat)).toEqual(["Packages.gz", "Release.gpg", "Release", "InRelease"]);
  });

  it("signs several distributions, each group after its own files", async () => {
    const out = await signAptRelease([file("dists/a/Packages"), file("dists/a/Release"), file("dists/b/Packages"), file("dists/b/Release")], fakeSigner());
    expect(paths(out)).toEqual([
      "dists/a/Packages",
      "dists/a/Release.gpg",
      "dists/a/Release",
      "dists/a/InRelease",
      "dists/b/Packages",
      "dists/b/Release.gpg",
      "dists/b/Release",
      "dists/b/InRelease",
    ]);
  });

  it("moves a Release that came before some of its indexes after them", async () => {
    const out = await signAptRelease([file("dists/a/Release"), file("dists/a/main/Packages"), file("dists/b/x")], fakeSigner());
    expect(paths(out)).toEqual(["dists/a/main/Packages", "dists/a/Release.gpg", "dists/a/Release", "dists/a/InRelease", "dists/b/x"]);
  });

  it("replaces earlier signatures instead of writing them twice", async () => {
    const out = await signAptRelease([file("dists/a/InRelease", "old"), file("dists/a/Packages"), file("dists/a/Release"), file("dists/a/Release.gpg", "old")], fakeSigner());
    expect(paths(out)).toEqual(["dists/a/Packages", "dists/a/Release.gpg", "dists/a/Release", "dists/a/InRelease"]);
    expect(out.some((f) => decoder.decode(f.bytes) === "old")).toBe(false);
  });

  it("signs only the Release files named in options.releases", async () => {
    const out = await signAptRelease([file("dists/a/Release"), file("dists/b/Release")], fakeSigner(), { releases: ["dists/b/Release"] });
    expect(paths(out)).toEqual(["dists/a/Release", "dists/b/Release.gpg", "dists/b/Release", "dists/b/InRelease"]);
  });

  it.each([
    ["no Release at all", [file("Packages")], {}],
    ["a named path that is not in the list", [file("dists/a/Release")], { releases: ["dists/b/Release"] }],
    ["a named path that is not a Release", [file("dists/a/Packages")], { releases: ["dists/a/Packages"] }],
  ])("refuses %s", async (_, files, options) => {
    await expect(signAptRelease(files, fakeSigner(), options)).rejects.toMatchObject({ code: "QUIPU_SIGNING_INPUT_INVALID" });
  });

  it("works on buildAptRepository's output, signing the Release it names", async () => {
    const control = ControlParagraph.from([
      ["Package", "q"],
      ["Version", "1"],
      ["Architecture", "amd64"],
      ["Maintainer", "Q <q@example.invalid>"],
      ["Description", "q"],
    ]);
    const entry: AptPackageEntry = { control, filename: "pool/main/q/q_1_amd64.deb", size: 1, hashes: { md5: "0".repeat(32), sha256: "0".repeat(64) } };
    const repo = buildAptRepository({ packages: [entry], codecs: createCodecs(), codename: "bookworm", date: new Date(0), componentReleaseFiles: true });
    const signer = fakeSigner();
    const out = await signAptRelease(repo.files, signer);
    expect(out).toHaveLength(repo.files.length + 2);
    expect(paths(out).slice(-3)).toEqual([`${repo.releaseDirectory}/Release.gpg`, repo.release.path, `${repo.releaseDirectory}/InRelease`]);
    expect(signer.calls).toEqual([`detached:armor:${decoder.decode(repo.release.bytes)}`, `inrelease:${decoder.decode(repo.release.bytes)}`]);
  });
});

describe("signRpmRepomd", () => {
  it("puts repomd.xml.asc just before repomd.xml, which stays last", async () => {
    const files = buildRpmRepository([]);
    const out = await signRpmRepomd(files, fakeSigner());
    expect(paths(out)).toEqual([...paths(files).slice(0, -1), "repodata/repomd.xml.asc", "repodata/repomd.xml"]);
    expect(decoder.decode(out.at(-2)?.bytes)).toBe(`detached(${decoder.decode(files.at(-1)?.bytes)})`);
    expect(out.at(-2)).toMatchObject({ kind: "signature", signs: "repodata/repomd.xml" });
  });

  it("signs each repository of a list holding several, and replaces an old signature", async () => {
    const out = await signRpmRepomd(
      [file("el9/repodata/repomd.xml.asc", "old"), file("el9/repodata/p.xml.gz"), file("el9/repodata/repomd.xml"), file("el10/repodata/p.xml.gz"), file("el10/repodata/repomd.xml")],
      fakeSigner(),
    );
    expect(paths(out)).toEqual([
      "el9/repodata/p.xml.gz",
      "el9/repodata/repomd.xml.asc",
      "el9/repodata/repomd.xml",
      "el10/repodata/p.xml.gz",
      "el10/repodata/repomd.xml.asc",
      "el10/repodata/repomd.xml",
    ]);
  });

  it("refuses a list without repomd.xml", async () => {
    await expect(signRpmRepomd([file("repodata/primary.xml.gz")], fakeSigner())).rejects.toMatchObject({ code: "QUIPU_SIGNING_INPUT_INVALID" });
  });
});
