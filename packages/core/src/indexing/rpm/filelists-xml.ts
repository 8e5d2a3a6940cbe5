import type { PackageFileFacts } from "./package-facts.js";
import { fileElements } from "./primary-xml.js";
import type { RepodataPackage } from "./repodata-package.js";
import { escapeXmlAttribute as a, XML_DECLARATION } from "./xml-writer.js";

export const FILELISTS_NS = "http://linux.duke.edu/metadata/filelists";

/** One `<package>` of filelists.xml: every file of the package, dirs and ghosts typed. */
export function renderFilelistsPackage(pkg: RepodataPackage, facts: Pick<PackageFileFacts, "pkgid">): string {
  return (
    `<package pkgid="${a(facts.pkgid)}" name="${a(pkg.name)}" arch="${a(pkg.arch)}">\n` +
    `  <version epoch="${a(pkg.epoch)}" ver="${a(pkg.version)}" rel="${a(pkg.release)}"/>\n` +
    fileElements(pkg.files, "  ", false) +
    `</package>\n`
  );
}

/** Everything before the first package element of filelists.xml. */
export function filelistsXmlHead(packageCount: number): string {
  return `${XML_DECLARATION}<filelists xmlns="${FILELISTS_NS}" packages="${packageCount}">\n`;
}

export const FILELISTS_XML_FOOT = "</filelists>";

/** The whole filelists.xml around already rendered package fragments. */
export function renderFilelistsXml(fragments: Iterable<string>, packageCount: number): string {
  let out = filelistsXmlHead(packageCount);
  for (const fragment of fragments) out += fragment;
  return out + FILELISTS_XML_FOOT;
}
