import type { PackageFileFacts } from "./package-facts.js";
import type { RepodataPackage } from "./repodata-package.js";
import { escapeXmlAttribute as a, escapeXmlText as t, XML_DECLARATION } from "./xml-writer.js";

export const OTHER_NS = "http://linux.duke.edu/metadata/other";

/** One `<package>` of other.xml: the selected changelog entries, oldest first. */
export function renderOtherPackage(pkg: RepodataPackage, facts: Pick<PackageFileFacts, "pkgid">): string {
  let out =
    `<package pkgid="${a(facts.pkgid)}" name="${a(pkg.name)}" arch="${a(pkg.arch)}">\n` +
    `  <version epoch="${a(pkg.epoch)}" ver="${a(pkg.version)}" rel="${a(pkg.release)}"/>\n`;
  for (const entry of pkg.changelogs) {
    out += `  <changelog author="${a(entry.author)}" date="${entry.date}">${t(entry.text)}</changelog>\n`;
  }
  return `${out}</package>\n`;
}

/** Everything before the first package element of other.xml. */
export function otherXmlHead(packageCount: number): string {
  return `${XML_DECLARATION}<otherdata xmlns="${OTHER_NS}" packages="${packageCount}">\n`;
}

export const OTHER_XML_FOOT = "</otherdata>";

/** The whole other.xml around already rendered package fragments. */
export function renderOtherXml(fragments: Iterable<string>, packageCount: number): string {
  let out = otherXmlHead(packageCount);
  for (const fragment of fragments) out += fragment;
  return out + OTHER_XML_FOOT;
}
