import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { TracewatchError } from "../errors.js";
import { applyEnvOverrides, coerceFromEnv, interpolate, type Env } from "./env.js";
import { formatIssues } from "./issues.js";
import { documentSchema, resolveDocument, type Config } from "./schema.js";

/** Where the YAML comes from: a file, or text already in memory (`origin` names it in errors). */
export type ConfigSource = { readonly path: string } | { readonly text: string; readonly origin?: string };

/** Extra checks the loader runs so their problems are listed with the others. */
export interface LoadConfigOptions {
  /**
   * Validates one alert condition; returns null when it is fine, or a message (with the position
   * of the error) when not. The rules module provides it; without it conditions are not parsed here.
   */
  readonly checkCondition?: (condition: string) => string | null;
}

function invalid(origin: string, problems: readonly string[]): TracewatchError {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return new TracewatchError(
    "TW_CONFIG_INVALID",
    `${origin}: configuration is invalid (${count}):\n  ${problems.join("\n  ")}`,
    {
      details: { origin, problems },
    },
  );
}

function readSource(source: ConfigSource): { text: string; origin: string } {
  if ("text" in source) return { text: source.text, origin: source.origin ?? "config" };
  try {
    return { text: readFileSync(source.path, "utf8"), origin: source.path };
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw invalid(source.path, [`cannot read the file (${reason})`]);
  }
}

function parseYaml(text: string, origin: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw invalid(
      origin,
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return `${at === undefined ? "yaml" : `line ${at.line}, column ${at.col}`}: ${e.message.split("\n")[0]}`;
      }),
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function conditionProblems(config: Config, check: LoadConfigOptions["checkCondition"]): string[] {
  if (check === undefined) return [];
  return config.spec.alerts.flatMap((rule, i) => {
    const problem = check(rule.condition);
    return problem === null ? [] : [`spec.alerts[${i}].condition: ${problem}`];
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Loads the configuration: YAML → `${VAR}` interpolation → environment overrides → schema and
 * cross-key checks → resolved defaults → deep freeze. Throws a TracewatchError `TW_CONFIG_INVALID`
 * listing every problem with its key path (`details.problems`); never prints secret values.
 * Only this module reads the environment, and only through `env`.
 */
export function loadConfig(source: ConfigSource, env: Env, options: LoadConfigOptions = {}): Config {
  const { text, origin } = readSource(source);
  const interpolated = interpolate(parseYaml(text, origin), env);
  const { tree, overridden } = applyEnvOverrides(interpolated.tree, env);
  let parsed = documentSchema.safeParse(tree, { reportInput: true });
  if (!parsed.success) {
    const coerced = coerceFromEnv(tree, parsed.error.issues, interpolated.fromEnv);
    if (coerced !== null) parsed = documentSchema.safeParse(coerced, { reportInput: true });
  }
  const problems = interpolated.problems.map((p) => `${p.path}: ${p.message}`);
  if (!parsed.success) {
    problems.push(...formatIssues(parsed.error.issues, { fromEnv: interpolated.fromEnv, overridden }));
    throw invalid(origin, problems);
  }
  const config = resolveDocument(parsed.data);
  problems.push(...conditionProblems(config, options.checkCondition));
  if (problems.length > 0) throw invalid(origin, problems);
  return deepFreeze(config);
}
