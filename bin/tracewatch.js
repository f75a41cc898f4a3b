#!/usr/bin/env node
// Entry point of the `tracewatch` command. The TypeScript sources are compiled to dist/ by
// `npm install` (the package's prepare script), so users never run a build step themselves.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    "tracewatch: dist/ is missing; run `npm install` (or `npm run build`) in the package.\n",
  );
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
