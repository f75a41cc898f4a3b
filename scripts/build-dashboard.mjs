#!/usr/bin/env node
// Builds the dashboard served by `tracewatch serve` at `/`: src/dashboard/main.ts bundled by
// esbuild (d3-force included, minified, no CDN) into dist/dashboard/app.js, with index.html and
// style.css beside it. Prints each file's size, raw and gzipped. `--out DIR` writes elsewhere.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outIndex = process.argv.indexOf("--out");
const out = outIndex > 0 ? process.argv[outIndex + 1] : join(root, "dist", "dashboard");
const src = join(root, "src", "dashboard");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(src, "main.ts")],
  outfile: join(out, "app.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  platform: "browser",
  legalComments: "eof",
  logLevel: "warning",
});
for (const f of ["index.html", "style.css"]) copyFileSync(join(src, f), join(out, f));
if (!process.argv.includes("--quiet"))
  for (const f of ["app.js", "index.html", "style.css"]) {
    const bytes = readFileSync(join(out, f));
    console.log(`dashboard ${f}: ${bytes.length} bytes, ${gzipSync(bytes).length} gzipped`);
  }
