import { z } from "zod";
import { ENV_OVERRIDES } from "./env.js";
import { documentSchema } from "./schema.js";

/** A JSON Schema node as zod emits it (only the parts the reference reads). */
interface Node {
  type?: string;
  description?: string;
  default?: unknown;
  format?: string;
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  oneOf?: Node[];
  anyOf?: Node[];
}

/** One documented key: its path, type, default and meaning. */
export interface ReferenceRow {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

const BIG = 9_007_199_254_740_991;

function typeOf(node: Node): string {
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  if (node.enum !== undefined) return node.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (node.format === "duration") return "duration";
  if (node.format === "uri") return "URL";
  if (node.type === "array") return `list of ${node.items === undefined ? "values" : typeOf(node.items)}`;
  if (node.type === "object")
    return typeof node.additionalProperties === "object" ? "map of string" : "mapping";
  const range: string[] = [];
  if (node.minimum !== undefined && node.minimum > -BIG) range.push(`≥ ${node.minimum}`);
  if (node.exclusiveMinimum !== undefined) range.push(`> ${node.exclusiveMinimum}`);
  if (node.maximum !== undefined && node.maximum < BIG) range.push(`≤ ${node.maximum}`);
  return range.length > 0 ? `${node.type ?? "value"} (${range.join(", ")})` : (node.type ?? "value");
}

function defaultOf(node: Node): string {
  if (node.default === undefined) return "";
  if (typeof node.default === "object" && node.default !== null && !Array.isArray(node.default)) return "";
  if (Array.isArray(node.default) && typeof node.default[0] === "object") return "see description";
  return `\`${JSON.stringify(node.default)}\``;
}

function collect(node: Node, path: string, rows: ReferenceRow[]): void {
  const variants = node.oneOf ?? node.anyOf;
  if (variants !== undefined) {
    // A mapping key whose value is one of several typed mappings (a sink's auth) gets its own row.
    const kinds = variants.map((v) => v.properties?.type?.const);
    if (!path.endsWith("[]") && node.description !== undefined && kinds.every((k) => k !== undefined)) {
      rows.push({
        path,
        type: `mapping, type ${kinds.map((k) => `\`${String(k)}\``).join(" \\| ")}`,
        default: "",
        description: node.description.replace(/\|/g, "\\|"),
      });
    }
    for (const variant of variants) {
      const kind = variant.properties?.type?.const;
      collect(
        variant,
        kind === undefined ? path : `${path.replace(/\[\]$/, "")}[type=${String(kind)}]`,
        rows,
      );
    }
    return;
  }
  rows.push({
    path,
    type: typeOf(node),
    default: defaultOf(node),
    description: (node.description ?? "").replace(/\|/g, "\\|"),
  });
  if (node.type === "object" && node.properties !== undefined) {
    for (const [key, child] of Object.entries(node.properties))
      collect(child, path === "" ? key : `${path}.${key}`, rows);
  }
  if (
    node.type === "array" &&
    node.items !== undefined &&
    (node.items.properties !== undefined || node.items.oneOf !== undefined)
  ) {
    const item = { ...node.items, description: node.items.description ?? "" };
    if (item.oneOf !== undefined) collect({ oneOf: item.oneOf }, `${path}[]`, rows);
    else
      for (const [key, child] of Object.entries(item.properties ?? {}))
        collect(child, `${path}[].${key}`, rows);
  }
}

/** Every key of the configuration, in schema order, from the zod schema itself. */
export function referenceRows(): ReferenceRow[] {
  const root = z.toJSONSchema(documentSchema, { io: "input", unrepresentable: "any" }) as Node;
  const rows: ReferenceRow[] = [];
  for (const [key, child] of Object.entries(root.properties ?? {})) collect(child, key, rows);
  return rows;
}

const INTRO = `# Configuration reference

<!-- Generated from src/config (the zod schema) by \`npm run docs:config\`; a unit test fails when it is stale. -->

tracewatch reads one YAML file (\`tracewatch serve --config FILE\`; \`config/default.yaml\` when none is
given). The seed's \`TraceAnomalyDetector\` document (\`apiVersion: aiops/v1\`, \`metadata\`, and
\`spec.model\`, \`spec.training\`, \`spec.detection\`, \`spec.alerts\`) loads unchanged; the service
settings live beside them under \`spec\` and are all optional. An empty file runs with every default.

Loading fails at start-up with \`TW_CONFIG_INVALID\` and one line per problem, each naming its key
path (\`spec.training.window: invalid duration "7x" (expected e.g. 500ms, 10s, 5m, 1h, 7d)\`).
Unknown keys are errors, so typos do not pass silently. Secret values (\`token\`, \`secret\`,
\`password\`) and values taken from the environment are never printed.

## Value syntax

- **Durations** are a number and a unit: \`500ms\`, \`10s\`, \`1.5s\`, \`5m\`, \`1h\`, \`7d\`. A bare number is an error.
- **\`\${VAR}\`** in any value is replaced by the environment variable \`VAR\`; \`\${VAR:-fallback}\` uses
  \`fallback\` when \`VAR\` is unset or empty; \`$$\` writes a literal \`$\`. An unset variable without a
  fallback is an error naming the key. Keys are never interpolated. Where a key expects a number or a
  boolean (\`port: \${API_PORT}\`), the substituted text is converted.
- **Defaults that depend on other keys**: the Kafka source is on when \`spec.sources.kafka.brokers\` is
  non-empty; the OTLP/HTTP receiver is on when Kafka is off (unless \`enabled\` says otherwise);
  without \`spec.sinks\` alerts go to a \`log\` sink, plus a \`kafka\` sink on \`spec.topics.alerts\` when
  Kafka is on. A sink's \`name\` defaults to its \`type\`.

## Environment overrides

Set (non-empty) variables override the file:

| Variable | Key |
| --- | --- |
`;

/** The Markdown of docs/config.md. */
export function renderConfigReference(): string {
  const env = ENV_OVERRIDES.map(([variable, path]) => {
    const note = variable === "KAFKA_BROKERS" ? " (comma-separated; switches the Kafka source on)" : "";
    return `| \`${variable}\` | \`${path.join(".")}\`${note} |`;
  }).join("\n");
  const rows = referenceRows()
    .map((r) => `| \`${r.path}\` | ${r.type} | ${r.default} | ${r.description} |`)
    .join("\n");
  return `${INTRO}${env}\n\n## Keys\n\n| Key | Type | Default | Description |\n| --- | --- | --- | --- |\n${rows}\n`;
}
