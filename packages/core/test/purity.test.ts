import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const srcDir = fileURLToPath(new URL("../src", import.meta.url));

// The root export of @quipu/core must stay pure: only zod (and its pure subpaths: the mini API,
// the core it shares, the English messages) and compute-only built-ins.
const allowedBare = new Set(["zod", "zod/mini", "zod/v4/core", "zod/v4/locales/en.js"]);
const allowedBuiltins = new Set(["node:crypto", "node:zlib", "node:buffer", "node:util", "node:stream/web"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === "adapters" ? [] : sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;
  for (const match of text.matchAll(pattern)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec) specifiers.push(spec);
  }
  return specifiers;
}

describe("core purity", () => {
  const files = sourceFiles(srcDir);

  it("finds the source files", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it("imports nothing but zod, compute-only built-ins and its own modules outside adapters/", () => {
    const offenders: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, "utf8"))) {
        if (spec.startsWith(".")) continue;
        if (allowedBare.has(spec) || allowedBuiltins.has(spec)) continue;
        offenders.push(`${relative(srcDir, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the import scanner sees forbidden imports", () => {
    expect(importsOf(`import { readFile } from "node:fs";\nconst x = await import("better-sqlite3");`)).toEqual([
      "node:fs",
      "better-sqlite3",
    ]);
  });
});
