import { Registry } from "prom-client";
import { buildApiApp } from "./api.js";
import type { ApiProviders } from "./api-types.js";

/** The parts of an OpenAPI 3.1 document the reference renders. */
interface Schema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly additionalProperties?: boolean | Schema;
}
interface Media {
  readonly schema?: Schema;
}
interface Operation {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly security?: readonly object[];
  readonly parameters?: readonly {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: Schema;
  }[];
  readonly requestBody?: {
    readonly content?: Readonly<Record<string, Media>>;
    readonly description?: string;
  };
  readonly responses?: Readonly<
    Record<string, { readonly description?: string; readonly content?: Readonly<Record<string, Media>> }>
  >;
}
/** An OpenAPI 3.1 document, as far as the reference reads it. */
export interface OpenApiDocument {
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, Schema>> };
}

const unused = () => {
  throw new Error("not called while building the OpenAPI document");
};
const NO_PROVIDERS: ApiProviders = {
  readiness: unused,
  alerts: { page: unused },
  model: unused,
  retrain: unused,
  decode: unused,
  score: unused,
  incidents: { list: unused, get: unused },
  views: {
    maxWindowMs: 0,
    defaultWindowMs: 0,
    serviceMap: unused,
    trace: unused,
    traces: unused,
    modelStatus: unused,
  },
};

/** The API's OpenAPI document, built from the routes' schemas without listening. */
export async function apiDocument(): Promise<OpenApiDocument> {
  const app = buildApiApp({ registry: new Registry(), providers: NO_PROVIDERS });
  try {
    await app.ready();
    return JSON.parse(JSON.stringify(app.swagger())) as OpenApiDocument;
  } finally {
    await app.close();
  }
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n+/g, " ");
const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");

/** A schema's type in one cell: `string`, [Alert](#alert), array of [Alert](#alert), `"a"` \| `"b"`. */
function typeOf(s: Schema | undefined): string {
  if (s === undefined) return "any";
  if (s.$ref !== undefined) {
    const name = s.$ref.split("/").pop() ?? s.$ref;
    return `[${name}](#${anchor(name)})`;
  }
  if (s.const !== undefined) return code(s.const);
  if (s.enum !== undefined) return s.enum.map(code).join(" \\| ");
  if (s.oneOf !== undefined) return s.oneOf.map(typeOf).join(" or ");
  const types = Array.isArray(s.type) ? s.type : s.type === undefined ? ["any"] : [s.type];
  return types
    .map((t) =>
      t === "array" ? `array of ${typeOf(s.items)}` : s.format === undefined ? t : `${t} (${s.format})`,
    )
    .join(" or ");
}

/** Limits of a parameter or property in words: default, range, pattern. */
function limits(s: Schema | undefined): string {
  if (s === undefined) return "";
  const parts: string[] = [];
  if (s.default !== undefined) parts.push(`default ${code(s.default)}`);
  if (s.minimum !== undefined || s.maximum !== undefined)
    parts.push(`${s.minimum ?? "…"} to ${s.maximum ?? "…"}`);
  if (s.pattern !== undefined) parts.push(`pattern ${code(s.pattern)}`);
  return parts.join("; ");
}

function renderOperation(method: string, path: string, op: Operation): string[] {
  const out = [`### ${method.toUpperCase()} ${path}`, "", `${op.summary ?? ""}.`];
  if (op.description !== undefined) out.push("", op.description);
  out.push("", `Authentication: ${op.security === undefined ? "none" : "bearer token"}.`);
  if (op.parameters !== undefined && op.parameters.length > 0) {
    out.push("", "| Parameter | In | Type | Limits | Description |", "| --- | --- | --- | --- | --- |");
    for (const p of op.parameters)
      out.push(
        `| \`${p.name}\`${p.required === true ? " (required)" : ""} | ${p.in} | ${typeOf(p.schema)} | ${cell(limits(p.schema))} | ${cell(p.description ?? p.schema?.description ?? "")} |`,
      );
  }
  if (op.requestBody !== undefined) {
    const types = Object.keys(op.requestBody.content ?? {}).map(code);
    const body = Object.values(op.requestBody.content ?? {})[0]?.schema?.description;
    out.push("", `Request body (${types.join(", ")}): ${body ?? op.requestBody.description ?? ""}`);
  }
  out.push("", "| Status | Body | Meaning |", "| --- | --- | --- |");
  for (const [status, r] of Object.entries(op.responses ?? {})) {
    const [type, media] = Object.entries(r.content ?? {})[0] ?? [];
    const body = type === undefined ? "" : `${typeOf(media?.schema)} (${code(type)})`;
    out.push(`| ${status} | ${body} | ${cell(r.description ?? "")} |`);
  }
  return [...out, ""];
}

function renderSchema(name: string, s: Schema): string[] {
  const out = [`### ${name}`, ""];
  if (s.description !== undefined) out.push(cell(s.description), "");
  if (s.properties === undefined) return [...out, `Type: ${typeOf(s)}.`, ""];
  out.push("| Field | Type | Description |", "| --- | --- | --- |");
  for (const [field, p] of Object.entries(s.properties)) {
    const required = s.required?.includes(field) === true ? "" : " (optional)";
    out.push(`| \`${field}\`${required} | ${typeOf(p)} | ${cell(p.description ?? "")} |`);
  }
  if (s.additionalProperties === true) out.push("", "Further fields may appear.");
  return [...out, ""];
}

/** docs/api.md: the routes, their parameters and responses, and the schemas, from the document. */
export function renderApiReference(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );
  const out = [
    "# HTTP API",
    "",
    "<!-- Generated from the OpenAPI document by src/http/api-reference.ts; do not edit.",
    "     Regenerate: TRACEWATCH_WRITE_DOCS=1 npx vitest run test/unit/http/openapi.test.ts -->",
    "",
    `${doc.info.title}, version ${doc.info.version}. ${doc.info.description ?? ""}`,
    "",
    "A running service serves this document as OpenAPI 3.1 JSON at `GET /api/v1/openapi.json`",
    "(with the same bearer token as the other `/api/v1` routes).",
    "",
    "| Method | Path | Summary | Token |",
    "| --- | --- | --- | --- |",
    ...operations.map(
      ({ path, method, op }) =>
        `| ${method.toUpperCase()} | [\`${path}\`](#${anchor(`${method} ${path}`)}) | ${op.summary ?? ""} | ${op.security === undefined ? "no" : "yes"} |`,
    ),
    "",
    "## Routes",
    "",
    ...operations.flatMap(({ path, method, op }) => renderOperation(method, path, op)),
    "## Schemas",
    "",
    "`Alert` and its `Alert_*` parts are schemas/alert.v1.json (docs/alerts.md explains the fields).",
    "",
    ...Object.entries(doc.components?.schemas ?? {}).flatMap(([name, s]) => renderSchema(name, s)),
  ];
  return `${out.join("\n").trimEnd()}\n`;
}
