import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Registry } from "prom-client";
import { describe, expect, it, type TestContext } from "vitest";
import { createIngestMetrics } from "../../../src/kafka/metrics.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { systemClock } from "../../../src/platform/clock.js";
import { Readiness } from "../../../src/service/readiness.js";
import { span, trace } from "../metrics/spans.js";

const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const RULES = repo("deploy/prometheus/tracewatch-rules.yaml");
const RULE_TESTS = repo("deploy/prometheus/tracewatch-rules.test.yaml");
const DASHBOARD = repo("deploy/grafana/tracewatch-dashboard.json");

/** The seed mandates this name (a millisecond histogram); promtool prefers seconds. docs/metrics.md. */
const SEED_NAME_NOTE =
  'traces_spanmetrics_duration_milliseconds use base unit "seconds" instead of "milliseconds"';

const HAS_PROMTOOL = spawnSync("promtool", ["--version"]).status === 0;
const NO_PROMTOOL =
  "promtool not found: install the Debian package prometheus (.ci/run does) to run this check";

/** Runs promtool; skips the test with a note when it is not installed. */
function promtool(ctx: TestContext, args: string[], input?: string) {
  if (!HAS_PROMTOOL) ctx.skip(NO_PROMTOOL);
  return spawnSync("promtool", args, { input, encoding: "utf8" });
}

/** Every metric the service registers, each family with a sample (a scrape after traffic). */
async function serviceScrape(): Promise<{ registry: Registry; text: string }> {
  const registry = new Registry();
  const metrics = createMetrics(registry, { processMetrics: true });
  createIngestMetrics(registry, metrics);
  new Readiness(systemClock, registry);
  metrics.traces.record(
    trace([span(1, null, "gateway", { kind: "CLIENT" }), span(2, 1, "orders", { status: "ERROR" })]),
  );
  metrics.setModel("m1", Date.now() - 60_000);
  for (const { name, type } of await registry.getMetricsAsJSON()) {
    if (name.startsWith("traces_")) continue;
    const m = registry.getSingleMetric(name) as unknown as Record<string, unknown> & { labelNames: string[] };
    const labels = Object.fromEntries(m.labelNames.map((l) => [l, "x"]));
    const call = { counter: "inc", gauge: "set", histogram: "observe" }[String(type)];
    const fn = call === undefined ? undefined : m[call];
    if (typeof fn === "function") (fn as (l: object, v: number) => void).call(m, labels, 1);
  }
  return { registry, text: await registry.metrics() };
}

interface Dashboard {
  uid: string;
  panels: {
    id: number;
    title: string;
    type: string;
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: { expr: string }[];
  }[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;
const panelExprs = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);
/** Grafana's variables replaced by values Prometheus accepts. */
const asPromQL = (expr: string) =>
  expr.replaceAll("$__rate_interval", "5m").replace(/\$\{?(instance|service)\}?/g, ".*");
const ruleExprs = [...readFileSync(RULES, "utf8").matchAll(/expr: (\|\n((?: {10}.*\n)+)|.*)/g)].map(
  (m) => m[2] ?? m[1] ?? "",
);

/** Metric names an expression reads: `tracewatch_*` and `traces_*`, histogram series folded. */
function namesIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:tracewatch|traces)_[a-z0-9_]+)\b/g)].map((m) =>
    m[1]!.replace(/_(bucket|sum|count)$/, ""),
  );
}

describe("deploy/prometheus/tracewatch-rules.yaml", () => {
  it("passes promtool check rules", (ctx) => {
    const out = promtool(ctx, ["check", "rules", RULES]);
    expect(out.stderr + out.stdout).toContain("SUCCESS: 14 rules found");
    expect(out.status).toBe(0);
  });

  it("fires on synthetic series as its promtool unit tests state", (ctx) => {
    const out = promtool(ctx, ["test", "rules", RULE_TESTS]);
    expect(out.stdout + out.stderr).toContain("SUCCESS");
    expect(out.status).toBe(0);
  });
});

describe("deploy/grafana/tracewatch-dashboard.json", () => {
  it("has a query on every graph panel, pipeline health and RED per service", () => {
    for (const p of dashboard.panels.filter((p) => p.type !== "row"))
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    const all = panelExprs.map((e) => e.expr).join("\n");
    for (const needed of [
      "tracewatch_consumer_lag",
      "tracewatch_dlq_messages_total",
      'span_kind="SPAN_KIND_SERVER"',
    ])
      expect(all).toContain(needed);
    expect(all).toContain("traces_spanmetrics_duration_milliseconds_bucket");
  });

  it("imports in Grafana: a uid, unique panel ids, panels inside the 24-column grid", () => {
    expect(dashboard.uid).toBe("tracewatch");
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });

  it("has only PromQL that promtool parses", (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), "tw-dashboard-"));
    try {
      const rules = panelExprs
        .map(
          (e, i) =>
            `      - record: dashboard:expr_${i}\n        expr: ${JSON.stringify(asPromQL(e.expr))}\n`,
        )
        .join("");
      const file = join(dir, "dashboard-exprs.yaml");
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules}`);
      const out = promtool(ctx, ["check", "rules", file]);
      expect(out.stdout + out.stderr).toContain(`SUCCESS: ${panelExprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("metric names", () => {
  it("used by the rules and the dashboard are all exposed by the service, with those labels", async () => {
    const { registry } = await serviceScrape();
    const exposed = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const variables = dashboard.templating.list.map((v) =>
      typeof v.query === "object" ? v.query.query : (v.query ?? ""),
    );
    const exprs = [...ruleExprs, ...panelExprs.map((e) => e.expr), ...variables];
    expect(ruleExprs).toHaveLength(14);
    const used = new Set(exprs.flatMap(namesIn));
    expect(used.size).toBeGreaterThan(25);
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
    for (const expr of exprs)
      for (const [, name, matchers] of expr.matchAll(/\b((?:tracewatch|traces)_[a-z0-9_]+)\{([^}]*)\}/g)) {
        const base = name!.replace(/_(bucket|sum|count)$/, "");
        const labels = (registry.getSingleMetric(base) as unknown as { labelNames: string[] }).labelNames;
        for (const [, label] of matchers!.matchAll(/([a-z_]+)\s*=~?/g))
          expect([...labels, "job", "instance", "le"], `${name} in ${expr}`).toContain(label);
      }
  });

  it("follow Prometheus naming: _total on counters only, snake_case under the tracewatch_ or traces_ prefix", async () => {
    const { registry } = await serviceScrape();
    for (const { name, type } of await registry.getMetricsAsJSON()) {
      expect(name.endsWith("_total"), `${name} (${type})`).toBe(String(type) === "counter");
      expect(name, name).toMatch(/^(tracewatch|traces)_[a-z0-9_]+$/);
    }
  });

  it("pass promtool check metrics on a scrape after traffic, but for the seed's millisecond histogram", async (ctx) => {
    const { text } = await serviceScrape();
    expect(text).toContain("tracewatch_process_nodejs_active_handles");
    const out = promtool(ctx, ["check", "metrics"], text);
    expect((out.stdout + out.stderr).trim()).toBe(SEED_NAME_NOTE);
  });
});
