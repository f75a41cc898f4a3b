import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";

const OPENAPI = join(import.meta.dirname, "../fixtures/alertmanager/openapi.yaml");

/**
 * A validator of Alertmanager's `postableAlerts` (the body of POST /api/v2/alerts), compiled from
 * the vendored OpenAPI (Swagger 2.0) document: its `definitions` are JSON Schema, referenced as
 * `#/definitions/...`, so the document's definitions are used as they are.
 */
export function postableAlertsValidator(): ValidateFunction {
  const doc = parse(readFileSync(OPENAPI, "utf8")) as { definitions: Record<string, unknown> };
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile({ $ref: "#/definitions/postableAlerts", definitions: doc.definitions });
}

/** What Alertmanager's POST /api/v2/alerts handler checks beyond the schema (alert validation). */
export function alertmanagerSemanticProblems(alert: {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}): string[] {
  const problems: string[] = [];
  const name = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
  if (Object.keys(alert.labels).length === 0) problems.push("at least one label pair required");
  for (const [k, v] of Object.entries(alert.labels))
    if (!name.test(k) || v === "") problems.push(`bad label ${k}`);
  for (const k of Object.keys(alert.annotations ?? {}))
    if (!name.test(k)) problems.push(`bad annotation ${k}`);
  if (alert.startsAt && alert.endsAt && Date.parse(alert.endsAt) < Date.parse(alert.startsAt))
    problems.push("start time must be before end time");
  return problems;
}
