import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type Config } from "../config/index.js";
import { compileCondition } from "../core/rules/compiler.js";
import { describeError } from "../errors.js";

/** The package's own config/default.yaml (the seed's detector spec). */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL("../../config/default.yaml", import.meta.url));

/**
 * Parses one alert condition of the rule `type` as the rules module will; null when it is fine,
 * else the error naming the rule, the column and what was expected.
 */
export function checkAlertCondition(condition: string, type: string): string | null {
  try {
    compileCondition(type, condition, { threshold: 0.95 });
    return null;
  } catch (err) {
    return describeError(err);
  }
}

/** The same for the condition of the SamplingStrategy rule named `rule`. */
export function checkSamplingCondition(condition: string, rule: string): string | null {
  try {
    compileCondition(rule, condition, { threshold: 0.95 }, "sampling rule");
    return null;
  } catch (err) {
    return describeError(err);
  }
}

/**
 * Loads the config file given on the command line, or the packaged default. Alert conditions are
 * parsed during loading so their errors are listed with every other problem.
 */
export function loadCliConfig(path: string | undefined, env: NodeJS.ProcessEnv): Config {
  const file = path === undefined ? DEFAULT_CONFIG_PATH : resolve(path);
  if (path !== undefined && !existsSync(file)) throw new Error(`config file ${file} does not exist`);
  return loadConfig({ path: file }, env, { checkCondition: checkAlertCondition, checkSamplingCondition });
}
