import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/adapters/daemon/index.js";
import { isQuipuError } from "../../src/errors/index.js";

const dir = mkdtempSync(join(tmpdir(), "quipu-config-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function failure(path: string): Promise<{ issues: string[]; details: Record<string, unknown> }> {
  try {
    await loadConfigFile(path);
  } catch (error) {
    if (isQuipuError(error, "QUIPU_CONFIG_INVALID")) return { issues: error.details["issues"] as string[], details: error.details };
    throw error;
  }
  throw new Error("expected QUIPU_CONFIG_INVALID");
}

describe("loadConfigFile", () => {
  it("reads YAML, and JSON by extension", async () => {
    const yaml = write("chacra.yaml", "port: 8081\nrepos:\n  ceph:\n    automatic: false\n    combined: [jammy, noble]\n");
    expect(await loadConfigFile(yaml)).toEqual({ port: 8081, repos: { ceph: { automatic: false, combined: ["jammy", "noble"] } } });
    const json = write("chacra.json", '{ "port": 8082, "users": [{ "user": "a", "key": "k" }] }');
    expect(await loadConfigFile(json)).toEqual({ port: 8082, users: [{ user: "a", key: "k" }] });
  });

  it("reads an empty file as no options", async () => {
    expect(await loadConfigFile(write("empty.yaml", "\n# only a comment\n"))).toEqual({});
    expect(await loadConfigFile(write("blank.json", "  \n"))).toEqual({});
  });

  it("names the file, line and column of a YAML syntax error without quoting the text", async () => {
    const path = write("bad.yaml", "port: 1\napiKey: [unclosed-secret-value\nhost: x\n");
    const { issues, details } = await failure(path);
    expect(issues[0]).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line \\d+, column \\d+: `));
    expect(details).toMatchObject({ file: path, line: expect.any(Number), column: expect.any(Number) });
    expect(JSON.stringify(issues)).not.toContain("unclosed-secret-value");
  });

  it("reports duplicate keys in YAML", async () => {
    const { issues } = await failure(write("dup.yaml", "port: 1\nport: 2\n"));
    expect(issues).toEqual([expect.stringMatching(/dup\.yaml: line 2, column 1: Map keys must be unique/)]);
  });

  it("names the line and column of a JSON syntax error without quoting the text", async () => {
    const path = write("bad.json", '{\n  "apiKey": "json-secret-value" x\n}\n');
    const { issues, details } = await failure(path);
    expect(issues).toEqual([`${path}: line 2, column 33: invalid JSON`]);
    expect(details).toMatchObject({ line: 2, column: 33 });
  });

  it("says why a file cannot be read", async () => {
    const missing = join(dir, "missing.yaml");
    expect((await failure(missing)).issues).toEqual([`${missing}: cannot read the config file: no such file`]);
    const directory = join(dir, "a-directory.yaml");
    mkdirSync(directory);
    expect((await failure(directory)).issues).toEqual([`${directory}: cannot read the config file: is a directory, not a file`]);
  });
});
