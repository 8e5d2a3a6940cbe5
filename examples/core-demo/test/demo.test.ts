import { describe, expect, it } from "vitest";
import { runDemo } from "../src/demo.js";

describe("core demo", () => {
  it("runs end to end and tells the story it promises", async () => {
    const lines = await runDemo();
    const text = lines.join("\n");
    expect(text).toContain("ubuntu/24.04 -> ubuntu 24.04 (noble, deb)");
    expect(text).toContain("debian/trixie -> debian 13 (trixie, deb)");
    expect(text).toContain("canonical: centos9&&(huge||x-large)");
    expect(text).toMatch(/#1: -> centos9-huge/);
    expect(text).toMatch(/#2: -> jammy-arm/);
    expect(text).toMatch(/#3: -> centos9-small/);
    expect(text).toContain("#4: not about capacity");
    expect(text).toMatch(/#5: no template/);
    expect(text).toMatch(/handed out: chacra-1\.example, chacra-3\.example, chacra-1\.example, chacra-3\.example/);
    expect(text).toMatch(/re-probe: 1 recovered; next -> chacra-2\.example/);
    expect(text).toContain("destroy: destroyed, again: already-gone");
  });
});
