import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";

export default defineConfig(
  packageBuild(
    {
      index: "src/index.ts",
      // The command-table helpers alone: a CLI entry imports them without loading the whole core.
      "cli/index": "src/cli/index.ts",
      "errors/index": "src/errors/index.ts",
      "adapters/codecs/index": "src/adapters/codecs/index.ts",
      "adapters/signing/index": "src/adapters/signing/index.ts",
      "adapters/fs-indexer/index": "src/adapters/fs-indexer/index.ts",
      // The parse worker is loaded by file name (new Worker(url)), so it is an entry of its own.
      "adapters/fs-indexer/parse-worker": "src/adapters/fs-indexer/parse-worker.ts",
      "adapters/daemon/index": "src/adapters/daemon/index.ts",
      "adapters/sqlite/index": "src/adapters/sqlite/index.ts",
    },
    // Optional peers stay external: a consumer who never imports the subpath never needs them.
    { external: ["openpgp", "fzstd", "pino", "yaml", "@hono/node-server", "better-sqlite3"] },
  ),
);
