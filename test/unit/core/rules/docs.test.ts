import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VOCABULARY } from "../../../../src/core/rules/vocabulary.js";
import { SEVERITY_WEIGHTS } from "../../../../src/core/rules/severity.js";
import { SPAN_VOCABULARY } from "../../../../src/core/rules/span-vocabulary.js";

const doc = readFileSync(new URL("../../../../docs/alerts.md", import.meta.url), "utf8");

describe("docs/alerts.md", () => {
  it("lists every identifier of the condition language with its type and model dependence", () => {
    const rows = [...doc.matchAll(/^\| `([a-z_0-9]+)` \| (number|boolean|string) \| (yes|no) \| (.+) \|$/gm)];
    const documented = Object.fromEntries(
      rows.map((m) => [m[1], { type: m[2], model: m[3] === "yes", text: m[4] }]),
    );
    const actual = Object.fromEntries(
      Object.entries(VOCABULARY).map(([name, id]) => [
        name,
        { type: id.type, model: id.modelDerived, text: id.description },
      ]),
    );
    expect(documented).toEqual(actual);
  });

  it("lists every span field of the condition language with its type", () => {
    const rows = [...doc.matchAll(/^\| `([a-z_.]+)` \| (number|boolean|string) \| span \| (.+) \|$/gm)];
    const documented = Object.fromEntries(rows.map((m) => [m[1], { type: m[2], text: m[3] }]));
    const actual = Object.fromEntries(
      Object.entries(SPAN_VOCABULARY).map(([name, id]) => [name, { type: id.type, text: id.description }]),
    );
    expect(documented).toEqual(actual);
  });

  it("gives the severity weights the code uses", () => {
    const row = Object.values(SEVERITY_WEIGHTS)
      .map((w) => (Number.isInteger(w) ? w.toFixed(1) : String(w)))
      .join(" | ");
    expect(doc).toContain(`| weight (\`severityScore\`) | ${row} |`);
  });
});
