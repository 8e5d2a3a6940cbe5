import { describe, expect, it } from "vitest";
import { isQuipuError } from "../../src/errors/quipu-error.js";
import { sniffCompression } from "../../src/indexing/codecs.js";
import { iterateArMembers } from "../../src/indexing/deb/ar-reader.js";
import { parseControlParagraphs } from "../../src/indexing/deb/control-fields.js";
import { readDebControl } from "../../src/indexing/deb/deb-reader.js";
import { readDsc } from "../../src/indexing/deb/dsc-reader.js";
import { buildAr, bytesOf } from "./archive-builders.js";
import { buildSourceFixture, debFixtures } from "./deb-fixtures.js";
import { createTestCodecs } from "./test-codecs.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const codecs = createTestCodecs();

/** mulberry32: a small seeded PRNG, so every failure is reproducible from its case number. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (input: Uint8Array, random: () => number) => Uint8Array;
const int = (random: () => number, n: number) => Math.floor(random() * n);

const mutations = {
  truncate: (input, random) => input.subarray(0, int(random, input.length)),
  flipHead: (input, random) => {
    const out = input.slice();
    const span = Math.min(out.length, 1200); // ar headers, debian-binary, control member
    for (let i = 0, n = 1 + int(random, 6); i < n; i += 1) {
      const at = int(random, span);
      out[at] = (out[at] ?? 0) ^ (1 << int(random, 8));
    }
    return out;
  },
  flipAnywhere: (input, random) => {
    const out = input.slice();
    for (let i = 0, n = 1 + int(random, 16); i < n; i += 1) out[int(random, out.length)] = int(random, 256);
    return out;
  },
  insert: (input, random) => {
    const at = int(random, input.length);
    const junk = Uint8Array.from({ length: 1 + int(random, 64) }, () => int(random, 256));
    const out = new Uint8Array(input.length + junk.length);
    out.set(input.subarray(0, at));
    out.set(junk, at);
    out.set(input.subarray(at), at + junk.length);
    return out;
  },
  garbage: (_input, random) => {
    const body = Uint8Array.from({ length: int(random, 2000) }, () => int(random, 256));
    if (random() < 0.5) return body;
    const prefix = bytesOf(random() < 0.5 ? "!<arch>\n" : "!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n");
    const out = new Uint8Array(prefix.length + body.length);
    out.set(prefix);
    out.set(body, prefix.length);
    return out;
  },
} satisfies Record<string, Mutation>;
type MutationName = keyof typeof mutations;

/** Rebuilds a .deb around a mutated, uncompressed control.tar, so the tar reader and control parser see the damage. */
function mutateControlTar(input: Uint8Array, random: () => number): Uint8Array {
  const members = [...iterateArMembers(input)];
  const control = members.find((m) => m.name.startsWith("control.tar"));
  const data = control?.data ?? new Uint8Array();
  const tar = codecs.decompress(sniffCompression(data), data);
  const damaged = random() < 0.3 ? mutations.truncate(tar, random) : mutations.flipAnywhere(tar.subarray(0, Math.min(tar.length, 2048)), random);
  const rest = tar.length > 2048 && damaged.length === Math.min(tar.length, 2048) ? tar.subarray(2048) : new Uint8Array();
  const rebuilt = new Uint8Array(damaged.length + rest.length);
  rebuilt.set(damaged);
  rebuilt.set(rest, damaged.length);
  return buildAr([
    { name: "debian-binary", data: "2.0\n" },
    { name: "control.tar", data: rebuilt },
    { name: "data.tar", data: new Uint8Array(1024) },
  ]);
}

function expectOnlyTypedErrors(run: () => unknown, allowed: readonly string[], label: string): "ok" | "error" {
  try {
    run();
    return "ok";
  } catch (error) {
    if (!isQuipuError(error) || !allowed.includes(error.code)) {
      throw new Error(`${label}: unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    expect(typeof error.details.reason, label).toBe("string");
    return "error";
  }
}

describe("fuzzing: damaged input gives a QuipuError or a result, never another exception", () => {
  const fixtures = debFixtures().filter((f, i, all) => all.findIndex((g) => g.spec.compression === f.spec.compression) === i);

  it("readDebControl on 400 mutated packages (seeded)", () => {
    const names = Object.keys(mutations) as MutationName[];
    const outcomes = { ok: 0, error: 0 };
    for (let n = 0; n < 400; n += 1) {
      const random = prng(0x9e3779b9 ^ n);
      const fixture = fixtures[n % fixtures.length] as (typeof fixtures)[number];
      const kind = n % 5 === 4 ? "controlTar" : (names[int(random, names.length)] as MutationName);
      const input = kind === "controlTar" ? mutateControlTar(fixture.bytes, random) : mutations[kind](fixture.bytes, random);
      const label = `case ${n} (${kind} of ${fixture.fileName})`;
      outcomes[expectOnlyTypedErrors(() => readDebControl(input, { codecs, fileName: "fuzz.deb" }), ["QUIPU_DEB_INVALID"], label)] += 1;
    }
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    expect(outcomes.ok).toBeGreaterThan(20);
    expect(outcomes.error).toBeGreaterThan(200);
  }, 60_000);

  it("readDsc and parseControlParagraphs on 300 mutated texts (seeded)", () => {
    const source = buildSourceFixture();
    const dsc = new Uint8Array(readFileSync(join(source.dir, source.dscName)));
    const signed = bytesOf(`-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${new TextDecoder().decode(dsc)}\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n`);
    const names: MutationName[] = ["truncate", "flipAnywhere", "insert", "garbage"];
    for (let n = 0; n < 300; n += 1) {
      const random = prng(0x85ebca6b ^ n);
      const base = n % 2 === 0 ? dsc : signed;
      const input = mutations[names[int(random, names.length)] as MutationName](base, random);
      expectOnlyTypedErrors(() => readDsc(input, { fileName: "fuzz.dsc" }), ["QUIPU_DEB_DSC_INVALID"], `dsc case ${n}`);
      const text = new TextDecoder().decode(input);
      expectOnlyTypedErrors(() => parseControlParagraphs(text), ["QUIPU_DEB_CONTROL_INVALID"], `control case ${n}`);
    }
  });
});
