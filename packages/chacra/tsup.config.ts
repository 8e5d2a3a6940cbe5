import { defineConfig } from "tsup";
import type { Plugin } from "esbuild";
import { packageBuild } from "../../tsup.base.js";

/**
 * The CLI loads `quipu-chacra index` from its own self-contained file (`dist/index-command.js`,
 * built below) instead of from the chunks it would share with `serve` and `upload`: shared chunks
 * carry the whole of zod and its locales, and compiling ~0.9 MB of JavaScript was a quarter of a
 * small index run. The source keeps a plain `import("./commands/index-command.js")`.
 */
const standaloneIndexCommand: Plugin = {
  name: "standalone-index-command",
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/index-command\.js$/ }, (args) =>
      args.kind === "dynamic-import" ? { path: "./index-command.js", external: true } : undefined,
    );
  },
};

export default defineConfig([
  packageBuild({ index: "src/index.ts", client: "src/client.ts" }, { external: ["openpgp", "fzstd"] }),
  // The command-line entry is bundled with the core and zod: resolving and linking dozens of ES
  // modules costs ~150 ms per start, which dominates a small index run.
  packageBuild(
    { cli: "src/cli.ts" },
    { clean: false, splitting: true, noExternal: ["@quipu/core", "zod"], external: ["openpgp", "fzstd"], esbuildPlugins: [standaloneIndexCommand] },
  ),
  // `quipu-chacra index`, in one file with only what indexing needs (zod/mini's core, the
  // indexer); signing stays a separate, lazily loaded chunk. esbuild's own tree shaking
  // (treeshake: false turns off tsup's extra rollup pass) drops the zod locales that a
  // namespace re-export would otherwise keep.
  packageBuild(
    { "index-command": "src/commands/index-command.ts" },
    { clean: false, dts: false, splitting: true, treeshake: false, noExternal: ["@quipu/core", "zod"], external: ["openpgp", "fzstd"] },
  ),
  // The indexer's parse worker, which the bundled CLI starts by file name (`dist/parse-worker.js`,
  // next to the CLI's own files): one self-contained file with only the package readers, so a
  // worker starts in a few tens of milliseconds instead of loading the whole CLI.
  packageBuild(
    { "parse-worker": "../core/src/adapters/fs-indexer/parse-worker.ts" },
    { clean: false, dts: false, sourcemap: false, splitting: false, noExternal: [/.*/], external: ["fzstd"] },
  ),
]);
