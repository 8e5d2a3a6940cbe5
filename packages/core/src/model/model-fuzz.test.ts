import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../errors/error-codes.js";
import { isQuipuError } from "../errors/quipu-error.js";
import { AgentSchema } from "./agent.js";
import { BinarySchema } from "./binary.js";
import { BuildSchema } from "./build.js";
import { ChacraNodeSchema } from "./chacra-node.js";
import { parseDistroQuery } from "./distro-query.js";
import {
  equivalentDistroNames,
  equivalentDistroVersions,
  isSameDistroRelease,
  normalizeDistroRelease,
  packageTypeOf,
  resolveDistroVersion,
} from "./distro-release.js";
import { distroTable } from "./distro-table.js";
import { assertSafeSegment, refFromBranch } from "./names.js";
import { RepoSchema, RepoStatusReportSchema } from "./repo.js";
import { parseSha1 } from "./sha1.js";
import { TimestampSchema, normalizeTimestamp } from "./timestamp.js";

/** mulberry32: a tiny seeded PRNG, so a failure reproduces with the printed seed. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20260820;
const ROUNDS = 1000;
const ALPHABET = ["a", "z", "0", "9", ".", "/", "\\", ",", "-", "_", " ", "\u0000", "\n", "\u007f", "é", "\uD800", "😀", "A", "F", "%"];
const KNOWN_WORDS = [
  ...distroTable.flatMap((definition) => [definition.name, ...definition.aliases]),
  ...distroTable.flatMap((definition) => definition.releases.flatMap((release) => [release.version, release.codename ?? "9"])),
  "latest",
  "head",
  "x86_64",
  "stream9",
  "15-SP5",
  "..",
  "",
];

function generators(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const randomString = (): string => {
    if (random() < 0.4) return pick(KNOWN_WORDS);
    const length = Math.floor(random() * 12);
    return Array.from({ length }, () => pick(ALPHABET)).join("");
  };
  const randomValue = (): unknown => {
    const roll = random();
    if (roll < 0.6) return randomString();
    return pick<unknown>([
      undefined,
      null,
      true,
      0,
      -1,
      9,
      16.1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      10n,
      Symbol("s"),
      {},
      [],
      ["ubuntu/22.04"],
      { toString: () => "ubuntu" },
      () => "x",
      "a".repeat(5000),
    ]);
  };
  const randomQuery = (): string =>
    Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      Array.from({ length: Math.floor(random() * 5) }, randomString).join("/"),
    ).join(",");
  return { randomString, randomValue, randomQuery };
}

/** Runs `action`; it may return, or throw a QuipuError with one of `codes` — never anything else. */
function expectReturnsOrThrows(action: () => unknown, codes: readonly ErrorCode[], input: unknown): void {
  try {
    action();
  } catch (error) {
    if (!isQuipuError(error) || !codes.includes(error.code)) {
      throw new Error(`seed ${SEED}: unexpected ${String(error)} for input ${String(input)}`);
    }
    expect(() => JSON.stringify(error.toJSON())).not.toThrow();
  }
}

describe(`model functions under random input (seed ${SEED})`, () => {
  const random = createRandom(SEED);
  const { randomString, randomValue, randomQuery } = generators(random);

  it("only ever throw QuipuErrors with the documented codes", () => {
    const distroCodes: ErrorCode[] = ["QUIPU_MODEL_UNKNOWN_DISTRO", "QUIPU_MODEL_UNKNOWN_DISTRO_VERSION"];
    for (let round = 0; round < ROUNDS; round++) {
      const value = randomValue();
      const other = randomValue();
      expectReturnsOrThrows(() => assertSafeSegment(value, "project"), ["QUIPU_MODEL_INVALID_NAME"], value);
      expectReturnsOrThrows(() => refFromBranch(value), ["QUIPU_MODEL_INVALID_NAME"], value);
      expectReturnsOrThrows(() => parseSha1(value, { allow: ["latest", "head"] }), ["QUIPU_MODEL_INVALID_SHA1"], value);
      expectReturnsOrThrows(() => packageTypeOf(value as string), ["QUIPU_MODEL_UNKNOWN_DISTRO"], value);
      expectReturnsOrThrows(() => resolveDistroVersion(value as string, other as string), distroCodes, [value, other]);
      expectReturnsOrThrows(() => normalizeDistroRelease(value as string, other as string), distroCodes, [value, other]);
      expectReturnsOrThrows(() => equivalentDistroVersions(value as string, other as string), distroCodes, [value, other]);
      expectReturnsOrThrows(() => equivalentDistroNames(value as string), distroCodes, value);
      expectReturnsOrThrows(() => isSameDistroRelease(randomString(), value as string, other as string), distroCodes, [value, other]);
      const query = random() < 0.8 ? randomQuery() : value;
      expectReturnsOrThrows(() => parseDistroQuery(query as string), ["QUIPU_MODEL_INVALID_DISTRO_QUERY"], query);
    }
  });

  it("resolves known releases to spellings that resolve to the same release", () => {
    let resolvedCount = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const distro = randomString();
      const version = randomString();
      let release;
      try {
        release = resolveDistroVersion(distro, version);
      } catch {
        continue;
      }
      resolvedCount++;
      expect(resolveDistroVersion(release.distro, release.pathVersion)).toEqual(release);
      expect(equivalentDistroVersions(distro, version)).toContain(release.pathVersion);
    }
    expect(resolvedCount).toBeGreaterThan(0);
  });

  it("never throws from schemas or timestamp normalisation", () => {
    const schemas = [RepoSchema, RepoStatusReportSchema, BinarySchema, BuildSchema, ChacraNodeSchema, AgentSchema, TimestampSchema];
    for (let round = 0; round < ROUNDS / 3; round++) {
      const value = randomValue();
      const record = { project: value, ref: randomValue(), sha1: value, status: randomValue(), host: value, id: value, created_at: value };
      for (const schema of schemas) {
        expect(() => schema.safeParse(value)).not.toThrow();
        expect(() => schema.safeParse(record)).not.toThrow();
      }
      expect(() => normalizeTimestamp(randomString())).not.toThrow();
    }
  });
});
