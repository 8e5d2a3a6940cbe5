import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";

export default defineConfig([
  packageBuild({ index: "src/index.ts", client: "src/client.ts" }, { external: ["openpgp", "fzstd"] }),
  // The command-line entry is bundled into one file with the core and zod: resolving and linking
  // dozens of ES modules costs ~150 ms per start, which dominates a small index run.
  packageBuild(
    { cli: "src/cli.ts" },
    { clean: false, splitting: true, noExternal: ["@quipu/core", "zod"], external: ["openpgp", "fzstd"] },
  ),
  // The indexer's parse worker, which the bundled CLI starts by file name (`dist/parse-worker.js`,
  // next to the CLI's own files): one self-contained file with only the package readers, so a
  // worker starts in a few tens of milliseconds instead of loading the whole CLI.
  packageBuild(
    { "parse-worker": "../core/src/adapters/fs-indexer/parse-worker.ts" },
    { clean: false, dts: false, sourcemap: false, splitting: false, noExternal: [/.*/], external: ["fzstd"] },
  ),
]);
