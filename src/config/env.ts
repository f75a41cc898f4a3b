/** Environment variables as the loader receives them (never read from process.env here). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A problem found while applying the environment, with its config path. */
export interface EnvProblem {
  readonly path: string;
  readonly message: string;
}

/** Dotted config path, with [i] for array indices: spec.sinks[0].url. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

const VAR_RE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` (and `${VAR:-fallback}`) in every string value of the parsed YAML tree; `$$`
 * writes a literal `$`. Keys are never interpolated. Returns the new tree, the problems (unset
 * variables) and the paths whose values came from the environment, so errors never echo them.
 */
export function interpolate(
  tree: unknown,
  env: Env,
): { tree: unknown; problems: EnvProblem[]; fromEnv: Set<string> } {
  const problems: EnvProblem[] = [];
  const fromEnv = new Set<string>();
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === "string") {
      if (!node.includes("$")) return node;
      let touched = false;
      const out = node.replace(VAR_RE, (whole, varName: string | undefined, fallback: string | undefined) => {
        if (varName === undefined) return "$";
        touched = true;
        const value = env[varName];
        if (value !== undefined && value !== "") return value;
        if (fallback !== undefined) return fallback;
        problems.push({ path: formatPath(path), message: `environment variable ${varName} is not set` });
        return whole;
      });
      if (touched) fromEnv.add(formatPath(path));
      return out;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { tree: walk(tree, []), problems, fromEnv };
}

type Convert = (raw: string) => unknown;
const asString: Convert = (raw) => raw;
const asList: Convert = (raw) =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
/** Digits become a number; anything else stays a string so the schema names the bad value's key. */
const asInt: Convert = (raw) => (/^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);
/** true/false become booleans; anything else stays a string for the schema to reject. */
const asBool: Convert = (raw) => {
  const v = raw.trim().toLowerCase();
  return v === "true" ? true : v === "false" ? false : raw;
};

/** Environment overrides: variable, config path, conversion. Documented in docs/config.md. */
export const ENV_OVERRIDES: readonly (readonly [string, readonly string[], Convert])[] = [
  ["KAFKA_BROKERS", ["spec", "sources", "kafka", "brokers"], asList],
  ["KAFKA_TOPIC", ["spec", "sources", "kafka", "topic"], asString],
  ["KAFKA_GROUP_ID", ["spec", "sources", "kafka", "group_id"], asString],
  ["KAFKA_CLIENT_ID", ["spec", "sources", "kafka", "client_id"], asString],
  ["KAFKA_SASL_MECHANISM", ["spec", "sources", "kafka", "sasl", "mechanism"], asString],
  ["KAFKA_SASL_USERNAME", ["spec", "sources", "kafka", "sasl", "username"], asString],
  ["KAFKA_SASL_PASSWORD", ["spec", "sources", "kafka", "sasl", "password"], asString],
  ["TRACEWATCH_OTLP_ENABLED", ["spec", "sources", "otlp_http", "enabled"], asBool],
  ["TRACEWATCH_OTLP_HOST", ["spec", "sources", "otlp_http", "host"], asString],
  ["TRACEWATCH_OTLP_PORT", ["spec", "sources", "otlp_http", "port"], asInt],
  ["TRACEWATCH_OTLP_GRPC_ENABLED", ["spec", "sources", "otlp_grpc", "enabled"], asBool],
  ["TRACEWATCH_OTLP_GRPC_HOST", ["spec", "sources", "otlp_grpc", "host"], asString],
  ["TRACEWATCH_OTLP_GRPC_PORT", ["spec", "sources", "otlp_grpc", "port"], asInt],
  ["TRACEWATCH_API_HOST", ["spec", "api", "host"], asString],
  ["TRACEWATCH_API_PORT", ["spec", "api", "port"], asInt],
  ["TRACEWATCH_API_TOKEN", ["spec", "api", "token"], asString],
  ["TRACEWATCH_LOG_LEVEL", ["spec", "logging", "level"], asString],
  ["TRACEWATCH_MODEL_DIR", ["spec", "model_store", "dir"], asString],
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Writes set (non-empty) override variables into the tree, creating missing objects. Returns the
 * paths each variable wrote, so error messages can say `(from TRACEWATCH_API_PORT)`.
 */
export function applyEnvOverrides(
  tree: unknown,
  env: Env,
): { tree: unknown; overridden: Map<string, string> } {
  const overridden = new Map<string, string>();
  // A non-object document is left for the schema to reject; an empty one becomes {}.
  if (tree !== null && tree !== undefined && !isRecord(tree)) return { tree, overridden };
  const root: Record<string, unknown> = isRecord(tree) ? structuredClone(tree) : {};
  for (const [variable, path, convert] of ENV_OVERRIDES) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === "") continue;
    let node: Record<string, unknown> | undefined = root;
    for (const key of path.slice(0, -1)) {
      if (node[key] === undefined || node[key] === null) node[key] = {};
      const next: unknown = node[key];
      node = isRecord(next) ? next : undefined;
      if (node === undefined) break;
    }
    if (node === undefined) continue;
    node[path[path.length - 1] as string] = convert(raw);
    overridden.set(formatPath(path), variable);
  }
  return { tree: root, overridden };
}

/** An issue as far as {@link coerceFromEnv} reads it. */
interface TypeIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly expected?: string;
}

const SCALARS: Record<string, (raw: string) => unknown> = {
  number: (raw) => (/^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : undefined),
  boolean: (raw) => (raw.trim() === "true" ? true : raw.trim() === "false" ? false : undefined),
};

/**
 * `${VAR}` always yields a string, but `port: ${API_PORT}` means a number. Where the schema
 * expected a number or boolean and the value came from the environment, converts it; returns the
 * new tree, or null when nothing could be converted (the original issues then stand).
 */
export function coerceFromEnv(
  tree: unknown,
  issues: readonly TypeIssue[],
  fromEnv: ReadonlySet<string>,
): unknown {
  const copy = structuredClone(tree);
  let changed = false;
  for (const issue of issues) {
    const convert = issue.expected === undefined ? undefined : SCALARS[issue.expected];
    if (issue.code !== "invalid_type" || convert === undefined || !fromEnv.has(formatPath(issue.path)))
      continue;
    const parent = issue.path
      .slice(0, -1)
      .reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)?.[key], copy);
    const key = issue.path[issue.path.length - 1];
    if (typeof parent !== "object" || parent === null || key === undefined) continue;
    const raw = (parent as Record<PropertyKey, unknown>)[key];
    const value = typeof raw === "string" ? convert(raw) : undefined;
    if (value === undefined) continue;
    (parent as Record<PropertyKey, unknown>)[key] = value;
    changed = true;
  }
  return changed ? copy : null;
}
