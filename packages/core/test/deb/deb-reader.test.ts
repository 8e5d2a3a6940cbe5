import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { compareDebianVersions } from "../../src/indexing/deb/debian-version.js";
import { readDebControl } from "../../src/indexing/deb/deb-reader.js";
import { formatControlParagraph } from "../../src/indexing/deb/control-fields.js";
import { debFixtures } from "./deb-fixtures.js";
import { createTestCodecs } from "./test-codecs.js";

const codecs = createTestCodecs();
const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: "utf8" });

describe("readDebControl against dpkg-deb on real packages", { timeout: 30_000 }, () => {
  const fixtures = debFixtures();

  it.each(fixtures.map((f) => [f.fileName, f.spec.compression, f] as const))("%s (%s): the control paragraph and fields equal dpkg-deb's", (_name, compression, fixture) => {
    const deb = readDebControl(fixture.bytes, { codecs, fileName: fixture.fileName });
    expect(deb.controlCompression).toBe(compression);
    expect(deb.dataCompression).toBe(compression);
    // One shell per package (dpkg-deb is slow to start): the whole paragraph, the Description alone, the identity, the control.tar listing.
    const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
    const SEP = "\n@@quipu@@\n";
    const commands = [
      `dpkg-deb --field ${quote(fixture.path)}`,
      `dpkg-deb --field ${quote(fixture.path)} description`,
      `dpkg-deb --show --showformat='\${Package}\\n\${Version}\\n\${Architecture}' ${quote(fixture.path)}`,
      `dpkg-deb --ctrl-tarfile ${quote(fixture.path)} | tar -t`,
    ];
    const outputs = run("sh", ["-c", commands.join(`; printf '${SEP.replace(/\n/g, "\\n")}'; `)]).split(SEP);
    expect(outputs).toHaveLength(commands.length);
    expect(formatControlParagraph(deb.control)).toBe(outputs[0]);
    expect(`${deb.control.get("Description")}\n`).toBe(outputs[1]);
    expect([deb.package, deb.version, deb.architecture].join("\n")).toBe(outputs.at(-2));
    const members = (outputs.at(-1) ?? "").trim().split("\n");
    expect(deb.controlFiles).toEqual(members.map((m) => m.replace(/^\.\/?/, "").replace(/\/$/, "")));
  });

  it("compares versions like dpkg --compare-versions", () => {
    const versions = ["1.0", "1.0-1", "1:0.9", "1.0~rc1", "1.0+b1", "1.0a", "1.0-1~bpo1"];
    const pairs = versions.flatMap((a) => versions.map((b) => [a, b] as const));
    const script = pairs.map(([a, b]) => `if dpkg --compare-versions '${a}' lt '${b}'; then echo lt; elif dpkg --compare-versions '${a}' eq '${b}'; then echo eq; else echo gt; fi`).join("\n");
    const expected = run("sh", ["-c", script]).trim().split("\n");
    const actual = pairs.map(([a, b]) => {
      const c = compareDebianVersions(a, b);
      return c < 0 ? "lt" : c === 0 ? "eq" : "gt";
    });
    expect(actual).toEqual(expected);
  });
});
