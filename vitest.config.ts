import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/helpers/kafka-global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The broker is one shared process on a 2-core machine: run integration files one at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The dashboard in Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH); no broker.
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
