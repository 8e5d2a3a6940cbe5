import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";

export default defineConfig([
  packageBuild({ index: "src/index.ts" }, { external: ["openpgp", "fzstd"] }),
  // The command-line entry is bundled into one file with the core and zod: resolving and linking
  // dozens of ES modules costs ~150 ms per start, which dominates a small index run.
  packageBuild(
    { cli: "src/cli.ts" },
    { clean: false, splitting: true, noExternal: ["@quipu/core", "zod"], external: ["openpgp", "fzstd"] },
  ),
]);
