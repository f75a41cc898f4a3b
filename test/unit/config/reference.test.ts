import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { referenceRows, renderConfigReference } from "../../../src/config/reference.js";
import { documentSchema } from "../../../src/config/schema.js";
import { ENV_OVERRIDES } from "../../../src/config/env.js";

const DOC = fileURLToPath(new URL("../../../docs/config.md", import.meta.url));

/** Every key name the schema accepts, walked independently of the renderer. */
function schemaKeys(node: Record<string, unknown>, out = new Set<string>()): Set<string> {
  const props = node.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [key, child] of Object.entries(props ?? {})) {
    out.add(key);
    schemaKeys(child, out);
  }
  for (const part of ["items"])
    if (typeof node[part] === "object" && node[part] !== null)
      schemaKeys(node[part] as Record<string, unknown>, out);
  for (const variant of (node.oneOf as Record<string, unknown>[] | undefined) ?? []) schemaKeys(variant, out);
  return out;
}

describe("docs/config.md", () => {
  if (process.env.TRACEWATCH_WRITE_DOCS === "1") writeFileSync(DOC, renderConfigReference());
  const doc = readFileSync(DOC, "utf8");

  it("is up to date with the schema (regenerate with npm run docs:config)", () => {
    expect(doc).toBe(renderConfigReference());
  });

  it("documents every key of the schema", () => {
    const keys = schemaKeys(
      z.toJSONSchema(documentSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
    );
    expect(keys.size).toBeGreaterThan(60);
    const missing = [...keys].filter((k) => !new RegExp(`\`[^\`]*\\b${k}\``).test(doc));
    expect(missing).toEqual([]);
  });

  it("documents every environment override", () => {
    for (const [variable] of ENV_OVERRIDES) expect(doc).toContain(`\`${variable}\``);
  });

  it("gives each key a description, durations their default", () => {
    const rows = referenceRows();
    expect(rows.filter((r) => r.description === "").map((r) => r.path)).toEqual([]);
    expect(rows.find((r) => r.path === "spec.training.window")).toMatchObject({
      type: "duration",
      default: '`"7d"`',
    });
    expect(rows.find((r) => r.path === "spec.sinks[type=webhook].secret")).toBeDefined();
  });
});
