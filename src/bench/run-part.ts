/**
 * Child-process entry of `tracewatch bench`: `node run-part.js PART OPTIONS_JSON` runs one part
 * in a fresh process (own heap, JIT state and garbage collector) and prints its PartResult as
 * one JSON line on stdout.
 */
import { PART_NAMES, PARTS, type PartName, type PartOptions } from "./parts.js";

const [name, raw] = process.argv.slice(2);
if (!(PART_NAMES as readonly string[]).includes(name ?? "")) {
  process.stderr.write(`run-part: unknown part "${name}" (expected ${PART_NAMES.join(", ")})\n`);
  process.exit(2);
}
const options = JSON.parse(raw ?? "{}") as PartOptions;
const result = await PARTS[name as PartName](options);
process.stdout.write(`${JSON.stringify(result)}\n`);
