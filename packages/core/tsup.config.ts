import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";

export default defineConfig(
  packageBuild(
    {
      index: "src/index.ts",
      "adapters/codecs/index": "src/adapters/codecs/index.ts",
      "adapters/signing/index": "src/adapters/signing/index.ts",
      "adapters/fs-indexer/index": "src/adapters/fs-indexer/index.ts",
    },
    // Optional peers stay external: a consumer who never imports the subpath never needs them.
    { external: ["openpgp", "fzstd"] },
  ),
);
