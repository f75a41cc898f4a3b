import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root: the directory with package.json (compiled code lives in dist/datasets). */
const MODULE_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const PROJECT_ROOT = MODULE_ROOT.endsWith("dist") ? resolve(MODULE_ROOT, "..") : MODULE_ROOT;

/**
 * Where the recorded splits are looked for by default: `shared/datasets` beside the project's
 * directory (they are not part of the repository; `tracewatch eval` says so when one is missing).
 */
export function defaultDatasetsHome(): string {
  return resolve(PROJECT_ROOT, "..", "shared", "datasets");
}

/** A split's directory: the environment variable `variable` when set, else `name` in the default home. */
export function datasetDir(
  variable: string,
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== "") return resolve(fromEnv);
  return resolve(defaultDatasetsHome(), name);
}
