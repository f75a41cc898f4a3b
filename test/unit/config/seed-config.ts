import { readFileSync } from "node:fs";
import { loadConfig, type LoadConfigOptions } from "../../../src/config/load.js";
import { isTracewatchError } from "../../../src/errors.js";

const seed = readFileSync(new URL("../../fixtures/seed/distributed-tracing.md", import.meta.url), "utf8");

/** The yaml block after `heading` in the seed, byte for byte. */
export function seedBlock(heading: string): string {
  const match = /```yaml\n([\s\S]*?)```/.exec(seed.slice(seed.indexOf(heading)));
  if (match?.[1] === undefined) throw new Error(`seed has no yaml block after ${heading}`);
  return match[1];
}

/** The problems loading `text` reports (none when it loads). */
export function configProblems(text: string, options: LoadConfigOptions = {}): string[] {
  try {
    loadConfig({ text }, {}, options);
  } catch (err) {
    if (isTracewatchError(err)) return (err.details as { problems: string[] }).problems;
    throw err;
  }
  return [];
}
