import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { TracewatchError } from "../errors.js";
import { applyEnvOverrides, coerceFromEnv, interpolate, type Env } from "./env.js";
import { formatIssues } from "./issues.js";
import { documentSchema, resolveDocument, type Config } from "./schema.js";
import { knownKeysAt } from "./suggest.js";

/** Where the YAML comes from: a file, or text already in memory (`origin` names it in errors). */
export type ConfigSource = { readonly path: string } | { readonly text: string; readonly origin?: string };

/** Extra checks the loader runs so their problems are listed with the others. */
export interface LoadConfigOptions {
  /**
   * Validates one alert condition of the rule of type `type`; returns null when it is fine, or a
   * message (with the position of the error) when not. The rules module provides it; without it
   * conditions are not parsed here. It runs even when other keys are invalid.
   */
  readonly checkCondition?: (condition: string, type: string) => string | null;
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

/**
 * Checks every alert condition written as a non-empty string, valid rule or not, so a schema
 * problem elsewhere never hides a condition's (a rule without a usable `type` is named by its
 * position). `skip` holds the paths whose schema problems were already listed.
 */
function conditionProblems(
  alerts: unknown,
  check: LoadConfigOptions["checkCondition"],
  skip: ReadonlySet<string>,
): string[] {
  if (check === undefined || !Array.isArray(alerts)) return [];
  return alerts.flatMap((rule: unknown, i) => {
    const path = `spec.alerts[${i}].condition`;
    const { type, condition } = (typeof rule === "object" && rule !== null ? rule : {}) as Record<
      string,
      unknown
    >;
    if (typeof condition !== "string" || condition.trim() === "" || skip.has(path)) return [];
    const problem = check(
      condition.trim(),
      typeof type === "string" && type !== "" ? type : `spec.alerts[${i}]`,
    );
    return problem === null ? [] : [`${path}: ${problem}`];
  });
}

/** The `spec.alerts` list of a document as written (defaults not applied), if it is one. */
function writtenAlerts(tree: unknown): unknown {
  const spec = typeof tree === "object" && tree !== null ? (tree as Record<string, unknown>).spec : undefined;
  return typeof spec === "object" && spec !== null ? (spec as Record<string, unknown>).alerts : undefined;
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
  let input: unknown = tree;
  let parsed = documentSchema.safeParse(tree, { reportInput: true });
  if (!parsed.success) {
    const coerced = coerceFromEnv(tree, parsed.error.issues, interpolated.fromEnv);
    if (coerced !== null) {
      input = coerced;
      parsed = documentSchema.safeParse(coerced, { reportInput: true });
    }
  }
  const problems = interpolated.problems.map((p) => `${p.path}: ${p.message}`);
  if (!parsed.success) {
    problems.push(
      ...formatIssues(parsed.error.issues, {
        fromEnv: interpolated.fromEnv,
        overridden,
        knownKeys: (path) => knownKeysAt(documentSchema, input, path),
      }),
    );
  }
  const listed = new Set(problems.map((p) => p.slice(0, p.indexOf(": "))));
  const config = parsed.success ? resolveDocument(parsed.data) : null;
  // Conditions of the rules as loaded (the seed's when absent), or as written when loading failed.
  const alerts = config === null ? writtenAlerts(input) : config.spec.alerts;
  problems.push(...conditionProblems(alerts, options.checkCondition, listed));
  if (config === null || problems.length > 0) throw invalid(origin, problems);
  return deepFreeze(config);
}
