import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";

export default defineConfig([
  packageBuild({ index: "src/index.ts", client: "src/client.ts" }),
  // The command-line entry is bundled with the core and zod: linking dozens of ES modules costs
  // ~150 ms per start (measured for quipu-chacra).
  packageBuild({ cli: "src/cli.ts" }, { clean: false, splitting: true, noExternal: ["@quipu/core", "zod"] }),
]);
