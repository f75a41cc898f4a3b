import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".kafka/", "coverage/", "src/otlp/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.name='eval']", message: "no eval" },
        { selector: "NewExpression[callee.name='Function']", message: "no new Function" },
      ],
    },
  },
  {
    files: ["src/core/**/*.ts", "src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["kafkajs", "fastify", "pino", "prom-client", "node:fs", "node:http", "node:net"] },
      ],
      "no-restricted-properties": ["error", { object: "Date", property: "now", message: "inject a Clock" }],
    },
  },
);
