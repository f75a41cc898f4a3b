import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { TracewatchError } from "../errors.js";
import { applyEnvOverrides, coerceFromEnv, interpolate, type Env } from "./env.js";
import { formatIssues } from "./issues.js";
import { documentSchema, KIND, resolveDocument, type Config } from "./schema.js";
import {
  SERVICE_GRAPH_KIND,
  serviceGraphDocumentSchema,
  type ServiceGraphDocument,
} from "./schema-service-graph.js";
import { SAMPLING_KIND, samplingDocumentSchema, type SamplingConfig } from "./schema-sampling.js";
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
  /** The same for the condition of the SamplingStrategy rule named `rule`. */
  readonly checkSamplingCondition?: (condition: string, rule: string) => string | null;
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

/** The documents of the file (`---` between them); an empty file is one empty document. */
function parseYaml(text: string, origin: string): unknown[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [];
  const errors = list.flatMap((d) => d.errors);
  if (!Array.isArray(docs) || errors.length > 0) {
    throw invalid(
      origin,
      (errors.length > 0 ? errors : []).map((e) => {
        const at = e.linePos?.[0];
        return `${at === undefined ? "yaml" : `line ${at.line}, column ${at.col}`}: ${e.message.split("\n")[0]}`;
      }),
    );
  }
  const trees = list
    .map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
    .filter((t) => t !== null && t !== undefined);
  return trees.length === 0 ? [null] : trees;
}

const kindOf = (tree: unknown): unknown =>
  typeof tree === "object" && tree !== null ? (tree as Record<string, unknown>).kind : undefined;

/**
 * Splits a file's documents by kind: the detector's (kind TraceAnomalyDetector; the only
 * document whatever its kind) and at most one ServiceGraph (the service map's settings). Anything
 * else is a problem naming the document.
 */
function splitDocuments(trees: unknown[]): {
  detector: unknown;
  serviceGraph: unknown;
  sampling: unknown;
  problems: string[];
} {
  const serviceGraph = trees.filter((t) => kindOf(t) === SERVICE_GRAPH_KIND);
  const sampling = trees.filter((t) => kindOf(t) === SAMPLING_KIND);
  // A file of one document is the detector's whatever its kind says (the schema names a wrong one).
  if (trees.length === 1)
    return {
      detector: serviceGraph.length === 1 || sampling.length === 1 ? null : trees[0],
      serviceGraph: serviceGraph[0],
      sampling: sampling[0],
      problems: [],
    };
  const problems: string[] = [];
  const detector = trees.filter((t) => kindOf(t) === KIND);
  trees.forEach((t, i) => {
    const kind = kindOf(t);
    if (kind !== KIND && kind !== SERVICE_GRAPH_KIND && kind !== SAMPLING_KIND)
      problems.push(
        `document ${i + 1}: kind ${kind === undefined ? "missing" : JSON.stringify(kind)}: expected ${KIND}, ${SERVICE_GRAPH_KIND} or ${SAMPLING_KIND}`,
      );
  });
  if (detector.length === 0) problems.push(`no ${KIND} document`);
  if (detector.length > 1) problems.push(`${detector.length} ${KIND} documents; one is allowed`);
  if (serviceGraph.length > 1)
    problems.push(`${serviceGraph.length} ${SERVICE_GRAPH_KIND} documents; one is allowed`);
  if (sampling.length > 1) problems.push(`${sampling.length} ${SAMPLING_KIND} documents; one is allowed`);
  return { detector: detector[0] ?? null, serviceGraph: serviceGraph[0], sampling: sampling[0], problems };
}

/**
 * The SamplingStrategy document parsed with its rules' conditions checked, or its problems
 * prefixed with `SamplingStrategy:`.
 */
function parseSampling(
  tree: unknown,
  check: LoadConfigOptions["checkSamplingCondition"],
  problems: string[],
): SamplingConfig | undefined {
  if (tree === undefined) return undefined;
  const parsed = samplingDocumentSchema.safeParse(tree, { reportInput: true });
  const found: string[] = [];
  if (!parsed.success) {
    found.push(
      ...formatIssues(parsed.error.issues, {
        fromEnv: new Set(),
        overridden: new Map(),
        knownKeys: (path) => knownKeysAt(samplingDocumentSchema, tree, path),
      }),
    );
  } else if (check !== undefined) {
    parsed.data.spec.rules.forEach((rule, i) => {
      const problem = check(rule.condition, rule.name);
      if (problem !== null) found.push(`spec.rules[${i}].condition: ${problem}`);
    });
  }
  problems.push(...found.map((p) => `${SAMPLING_KIND}: ${p}`));
  return parsed.success && found.length === 0 ? parsed.data : undefined;
}

/** The ServiceGraph document parsed, or its problems prefixed with `ServiceGraph:`. */
function parseServiceGraph(tree: unknown, problems: string[]): ServiceGraphDocument | undefined {
  if (tree === undefined) return undefined;
  const parsed = serviceGraphDocumentSchema.safeParse(tree, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issues = formatIssues(parsed.error.issues, {
    fromEnv: new Set(),
    overridden: new Map(),
    knownKeys: (path) => knownKeysAt(serviceGraphDocumentSchema, tree, path),
  });
  problems.push(...issues.map((p) => `${SERVICE_GRAPH_KIND}: ${p}`));
  return undefined;
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

/**
 * Kept traces are held within the one memory budget, `spec.assembly.max_bytes`, beside the open
 * traces: the store's own bound is carved out of it, so it must leave room for them.
 */
function budgetProblems(config: Config | null): string[] {
  const store = config?.sampling?.spec.store.max_bytes;
  if (config === null || store === undefined) return [];
  const budget = config.spec.assembly.max_bytes;
  if (store < budget) return [];
  return [
    `${SAMPLING_KIND}: spec.store.max_bytes: must be below spec.assembly.max_bytes, the memory budget kept traces share with open traces (${store} >= ${budget})`,
  ];
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
  const documents = splitDocuments(parseYaml(text, origin));
  const interpolated = interpolate(documents.detector, env);
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
  const problems = [...documents.problems, ...interpolated.problems.map((p) => `${p.path}: ${p.message}`)];
  const serviceGraph = parseServiceGraph(documents.serviceGraph, problems);
  const sampling = parseSampling(documents.sampling, options.checkSamplingCondition, problems);
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
  const config = parsed.success
    ? {
        ...resolveDocument(parsed.data),
        ...(serviceGraph === undefined ? {} : { serviceGraph }),
        ...(sampling === undefined ? {} : { sampling }),
      }
    : null;
  // Conditions of the rules as loaded (the seed's when absent), or as written when loading failed.
  const alerts = config === null ? writtenAlerts(input) : config.spec.alerts;
  problems.push(...conditionProblems(alerts, options.checkCondition, listed));
  problems.push(...budgetProblems(config));
  if (config === null || problems.length > 0) throw invalid(origin, problems);
  return deepFreeze(config);
}
