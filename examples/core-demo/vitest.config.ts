import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@quipu/source"] },
  ssr: { resolve: { conditions: ["@quipu/source"] } },
  test: { name: "example-core-demo", include: ["test/**/*.test.ts"] },
});
