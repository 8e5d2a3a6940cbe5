import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["@quipu/source"] },
  ssr: { resolve: { conditions: ["@quipu/source"] } },
  test: { name: "chacra", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
