import type { Options } from "tsup";

/**
 * One shared build definition for every package, so that a later move to another bundler
 * (tsdown) is a change to this file only.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    ...overrides,
  };
}
