import type { PackageFileFacts } from "./package-facts.js";
import { isPrimaryPath, type RepodataDependency, type RepodataFile, type RepodataPackage } from "./repodata-package.js";
import { escapeXmlAttribute as a, escapeXmlText as t, XML_DECLARATION } from "./xml-writer.js";

export const COMMON_NS = "http://linux.duke.edu/metadata/common";
export const RPM_NS = "http://linux.duke.edu/metadata/rpm";

/**
 * One `<package type="rpm">` element of primary.xml, newline-terminated, laid out exactly like
 * createrepo_c's (libxml2 formatting, two-space indent). Cacheable per package: it depends only on
 * the package and its file facts.
 */
export function renderPrimaryPackage(pkg: RepodataPackage, facts: PackageFileFacts): string {
  const base = facts.locationBase ? ` xml:base="${a(facts.locationBase.startsWith("/") ? `file://${facts.locationBase}` : facts.locationBase)}"` : "";
  return (
    `<package type="rpm">\n` +
    `  <name>${t(pkg.name)}</name>\n` +
    `  <arch>${t(pkg.arch)}</arch>\n` +
    `  <version epoch="${a(pkg.epoch)}" ver="${a(pkg.version)}" rel="${a(pkg.release)}"/>\n` +
    `  <checksum type="${a(facts.checksumType)}" pkgid="YES">${t(facts.pkgid)}</checksum>\n` +
    `  <summary>${t(pkg.summary)}</summary>\n` +
    `  <description>${t(pkg.description)}</description>\n` +
    `  <packager>${t(pkg.packager)}</packager>\n` +
    `  <url>${t(pkg.url)}</url>\n` +
    `  <time file="${facts.fileMtime}" build="${pkg.buildTime}"/>\n` +
    `  <size package="${facts.size}" installed="${pkg.installedSize}" archive="${pkg.archiveSize}"/>\n` +
    `  <location${base} href="${a(facts.href)}"/>\n` +
    `  <format>\n` +
    `    <rpm:license>${t(pkg.license)}</rpm:license>\n` +
    `    <rpm:vendor>${t(pkg.vendor)}</rpm:vendor>\n` +
    `    <rpm:group>${t(pkg.group)}</rpm:group>\n` +
    `    <rpm:buildhost>${t(pkg.buildHost)}</rpm:buildhost>\n` +
    `    <rpm:sourcerpm>${t(pkg.sourceRpm)}</rpm:sourcerpm>\n` +
    `    <rpm:header-range start="${pkg.headerRange.start}" end="${pkg.headerRange.end}"/>\n` +
    dependencyList("provides", pkg.provides) +
    dependencyList("requires", pkg.requires) +
    dependencyList("conflicts", pkg.conflicts) +
    dependencyList("obsoletes", pkg.obsoletes) +
    dependencyList("suggests", pkg.suggests) +
    dependencyList("enhances", pkg.enhances) +
    dependencyList("recommends", pkg.recommends) +
    dependencyList("supplements", pkg.supplements) +
    fileElements(pkg.files, "    ", true) +
    `  </format>\n` +
    `</package>\n`
  );
}

function dependencyList(kind: string, list: readonly RepodataDependency[]): string {
  if (list.length === 0) return "";
  let body = "";
  for (const dep of list) {
    if (dep.name === "") continue;
    body += `      <rpm:entry name="${a(dep.name)}"`;
    if (dep.flags !== undefined) {
      body += ` flags="${dep.flags}"`;
      if (dep.epoch) body += ` epoch="${a(dep.epoch)}"`;
      if (dep.version) body += ` ver="${a(dep.version)}"`;
      if (dep.release) body += ` rel="${a(dep.release)}"`;
    }
    if (dep.pre) body += ` pre="1"`;
    body += "/>\n";
  }
  return body === "" ? `    <rpm:${kind}/>\n` : `    <rpm:${kind}>\n${body}    </rpm:${kind}>\n`;
}

/** `<file>` elements (shared with filelists.xml); `primaryOnly` applies the primary-files rule. */
export function fileElements(files: readonly RepodataFile[], indent: string, primaryOnly: boolean): string {
  let out = "";
  for (const file of files) {
    if (primaryOnly && !isPrimaryPath(file.path)) continue;
    out += file.type === "file" ? `${indent}<file>${t(file.path)}</file>\n` : `${indent}<file type="${file.type}">${t(file.path)}</file>\n`;
  }
  return out;
}

/** Everything before the first package element of primary.xml. */
export function primaryXmlHead(packageCount: number): string {
  return `${XML_DECLARATION}<metadata xmlns="${COMMON_NS}" xmlns:rpm="${RPM_NS}" packages="${packageCount}">\n`;
}

export const PRIMARY_XML_FOOT = "</metadata>";

/** The whole primary.xml around already rendered package fragments. */
export function renderPrimaryXml(fragments: Iterable<string>, packageCount: number): string {
  let out = primaryXmlHead(packageCount);
  for (const fragment of fragments) out += fragment;
  return out + PRIMARY_XML_FOOT;
}
