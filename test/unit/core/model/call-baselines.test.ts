import { describe, expect, it } from "vitest";
import type { Span, SpanStatus } from "../../../../src/domain/span.js";
import { extractTrace } from "../../../../src/core/features/extract.js";
import type { SpanProfile } from "../../../../src/core/features/span-profile.js";
import { ManualClock } from "../../../../src/core/clock.js";
import {
  ANY_CALL,
  CallBaselines,
  CallCell,
  CallWindowMerge,
  wilsonUpper,
  type CallSnapshot,
} from "../../../../src/core/model/call-baselines.js";
import { OperationWindow } from "../../../../src/core/model/operations.js";
import { LiveShare } from "../../../../src/core/model/live-share.js";
import { compileRules } from "../../../../src/core/rules/rules.js";
import { codeLevelService } from "../../../../src/core/alerts/builder.js";
import { loadConfig } from "../../../../src/config/load.js";
import { VOCABULARY } from "../../../../src/core/rules/vocabulary.js";
import { scoredTrace, warmingUp } from "../rules/scored.js";
import type { CallScores } from "../../../../src/domain/features.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const T0 = 1_700_000_000_000_000_000n;

/** [id, parent, service, operation name, status]; times follow the ids. */
type Row = readonly [number, number | null, string, string, SpanStatus?];

function spans(rows: readonly Row[]): Span[] {
  const hex = (n: number): string => n.toString(16).padStart(16, "0");
  return rows.map(([id, parent, service, name, status]) => ({
    traceId: TRACE,
    spanId: hex(id),
    parentSpanId: parent === null ? null : hex(parent),
    service,
    name,
    kind: "SERVER",
    startTimeUnixNano: T0 + BigInt(id) * 1_000_000n,
    endTimeUnixNano: T0 + BigInt(100 - id) * 1_000_000n,
    status: status ?? "OK",
    attributes: {},
  }));
}

function profile(rows: readonly Row[]): SpanProfile {
  return extractTrace(
    { traceId: TRACE, spans: spans(rows), reason: "root", completedAtMs: 0 },
    { profile: true },
  ).profile as SpanProfile;
}

// frontend /checkout → checkout.place → (payment.charge, email.send); payment.charge → db.query.
const FULL: Row[] = [
  [1, null, "frontend", "/checkout"],
  [2, 1, "checkout", "place"],
  [3, 2, "payment", "charge"],
  [4, 3, "db", "query"],
  [5, 2, "email", "send"],
];
const op = (service: string, name: string): string => `${service}|SERVER|${name}`;

/** Baselines learned from `n` traces of FULL (and `absent` more without email.send). */
function learned(n: number, extra: readonly Row[][] = []): CallSnapshot {
  const cell = new CallCell(64);
  for (let i = 0; i < n; i++) cell.add(profile(FULL), false);
  for (const rows of extra) cell.add(profile(rows), false);
  const m = new CallWindowMerge();
  cell.mergeInto(m, "checkout-type", true);
  return m.snapshot();
}

describe("wilsonUpper", () => {
  it.each([
    // k, n, upper bound (z = 1.645)
    [0, 0, 1],
    [0, 100, 0.0263],
    [0, 300, 0.00894],
    [3, 1000, 0.00755],
    [10, 1000, 0.0163],
    [50, 100, 0.5815],
  ])("%i events in %i trials: %f", (k, n, want) => {
    expect(wilsonUpper(k, n)).toBeCloseTo(want, 3);
  });

  it("needs about 270 clean trials before the bound falls below 1%", () => {
    expect(wilsonUpper(0, 260)).toBeGreaterThan(0.01);
    expect(wilsonUpper(0, 280)).toBeLessThan(0.01);
  });
});

describe("call statistics", () => {
  it("counts each operation once per trace, its usual parent and its errors", () => {
    const s = learned(3, [
      [
        [1, null, "frontend", "/checkout"],
        [2, 1, "checkout", "place"],
        [3, 2, "payment", "charge", "ERROR"],
        [6, 2, "payment", "charge"],
      ],
    ]);
    const type = s.types.find(([k]) => k === "checkout-type")?.[1];
    expect(type?.traces).toBe(4);
    const ops = new Map(type?.ops);
    expect(ops.get(op("payment", "charge"))).toEqual({ present: 4, parent: op("checkout", "place") });
    expect(ops.get(op("frontend", "/checkout"))).toEqual({ present: 4, parent: "" });
    // email.send is in 3 of 4 traces: stored (at least two thirds); db.query, below payment, too.
    expect(ops.get(op("email", "send"))).toEqual({ present: 3, parent: op("checkout", "place") });
    expect(ops.get(op("db", "query"))?.present).toBe(3);
    expect(new Map(s.errors).get(op("payment", "charge"))).toEqual({ spans: 5, errors: 1 });
    const children = new Map(s.children);
    expect(new Map(children.get(op("checkout", "place"))?.calls)).toEqual(
      new Map([
        [ANY_CALL, 4],
        [op("email", "send"), 3],
        [op("payment", "charge"), 4],
      ]),
    );
  });

  it("keeps only operations in at least two thirds of a type's traces", () => {
    const noEmail = FULL.filter((r) => r[0] !== 5);
    const ops = (extra: number): Map<string, unknown> =>
      new Map(
        learned(
          2,
          Array.from({ length: extra }, () => noEmail),
        ).types.find(([k]) => k === "checkout-type")?.[1].ops,
      );
    expect(ops(1).has(op("email", "send"))).toBe(true); // 2 of 3
    expect(ops(2).has(op("email", "send"))).toBe(false); // 2 of 4
  });

  it("leaves flagged traces out unless merged with them", () => {
    const cell = new CallCell(64);
    cell.add(profile(FULL), false);
    cell.add(profile(FULL.slice(0, 2)), true);
    const without = new CallWindowMerge();
    cell.mergeInto(without, "t", false);
    const withFlagged = new CallWindowMerge();
    cell.mergeInto(withFlagged, "t", true);
    expect(without.snapshot().types[0]?.[1].traces).toBe(1);
    expect(withFlagged.snapshot().types[0]?.[1].traces).toBe(2);
  });
});

describe("CallBaselines.score", () => {
  const base = new CallBaselines(learned(400));
  const cases: Array<{
    name: string;
    rows: Row[];
    type?: string;
    missing: number;
    errors: number;
    missingCulprit: string | null;
    errorCulprit: string | null;
  }> = [
    { name: "a normal trace", rows: FULL, missing: 0, errors: 0, missingCulprit: null, errorCulprit: null },
    {
      // payment returned before querying the database: payment.charge always calls out.
      name: "a leaf call cut off below payment",
      rows: FULL.filter((r) => r[0] !== 4),
      missing: 2,
      errors: 0,
      missingCulprit: "payment",
      errorCulprit: null,
    },
    {
      // checkout threw after payment: email.send is missing below it.
      name: "checkout's second call missing",
      rows: FULL.filter((r) => r[0] !== 5),
      missing: 1,
      errors: 0,
      missingCulprit: "checkout",
      errorCulprit: null,
    },
    {
      // the deepest span that lost calls is checkout's, not the root's.
      name: "a whole subtree missing",
      rows: FULL.filter((r) => r[0] === 1 || r[0] === 2),
      missing: 4,
      errors: 0,
      missingCulprit: "checkout",
      errorCulprit: null,
    },
    {
      name: "a type without history",
      rows: FULL.filter((r) => r[0] !== 5),
      type: "other-type",
      // Per-operation children still apply: checkout.place always calls email.send.
      missing: 1,
      errors: 0,
      missingCulprit: "checkout",
      errorCulprit: null,
    },
    {
      name: "errors in operations that never fail, the deepest named",
      rows: [
        [1, null, "frontend", "/checkout", "ERROR"],
        [2, 1, "checkout", "place", "ERROR"],
        [3, 2, "payment", "charge", "ERROR"],
        [4, 3, "db", "query"],
        [5, 2, "email", "send"],
      ],
      missing: 0,
      errors: 3,
      missingCulprit: null,
      errorCulprit: "payment",
    },
    {
      name: "an error in an operation never seen",
      rows: [...FULL, [9, 2, "fraud", "check", "ERROR"]],
      missing: 0,
      errors: 0,
      missingCulprit: null,
      errorCulprit: null,
    },
  ];
  it.each(cases)("$name", (c) => {
    const s = base.score(c.type ?? "checkout-type", profile(c.rows));
    expect(s.missing_calls).toBe(c.missing);
    expect(s.unexpected_errors).toBe(c.errors);
    expect(s.missing_culprit).toBe(c.missingCulprit);
    expect(s.error_culprit).toBe(c.errorCulprit);
    expect(s.missing.length).toBe(Math.min(10, c.missing));
  });

  it("lists the missing operations with their usual parent", () => {
    const s = base.score("checkout-type", profile(FULL.filter((r) => r[0] !== 5)));
    expect(s.missing).toEqual([
      { operation: op("email", "send"), service: "email", parent: op("checkout", "place"), presence: 1 },
    ]);
  });

  it("never counts anything on little history", () => {
    const few = new CallBaselines(learned(50));
    const s = few.score("checkout-type", profile(FULL.filter((r) => r[0] === 1)));
    expect(s.missing_calls).toBe(0);
    expect(few.typesWithCalls).toBe(0);
  });

  it("does not count an operation absent from a few percent of normal traces", () => {
    const noEmail = FULL.filter((r) => r[0] !== 5);
    const s = new CallBaselines(
      learned(
        400,
        Array.from({ length: 20 }, () => noEmail),
      ),
    );
    expect(s.score("checkout-type", profile(noEmail)).missing_calls).toBe(0);
  });

  it("does not count errors of an operation that fails now and then", () => {
    const failing: Row[] = FULL.map((r) => (r[0] === 3 ? [3, 2, "payment", "charge", "ERROR"] : r));
    const s = new CallBaselines(
      learned(
        400,
        Array.from({ length: 20 }, () => failing),
      ),
    );
    expect(s.score("checkout-type", profile(failing)).unexpected_errors).toBe(0);
  });
});

describe("OperationWindow call snapshot", () => {
  it("learns usual calls from every trace and holds back an incident's flagged ones", () => {
    const clock = new ManualClock(1_700_000_000_000 + 3_600_000);
    const w = new OperationWindow({ clock, windowMs: 3_600_000, bucketMs: 60_000 });
    const f = (ms: number) => ({
      ...extractTrace({ traceId: TRACE, spans: spans(FULL), reason: "root", completedAtMs: 0 }).features,
      startTimeMs: ms,
      group_key: "g",
    });
    const t0 = 1_700_000_000_000 + 60_000;
    for (let i = 0; i < 100; i++) w.observeCalls(f(t0), profile(FULL), false);
    // A bucket where half the traces are flagged: an incident, held back.
    for (let i = 0; i < 50; i++) w.observeCalls(f(t0 + 60_000), profile(FULL), false);
    for (let i = 0; i < 50; i++) w.observeCalls(f(t0 + 60_000), profile(FULL.slice(0, 2)), true);
    // A bucket with 2 flagged of 100: the normal tail, learned.
    for (let i = 0; i < 98; i++) w.observeCalls(f(t0 + 120_000), profile(FULL), false);
    for (let i = 0; i < 2; i++) w.observeCalls(f(t0 + 120_000), profile(FULL.slice(0, 2)), true);
    const s = w.snapshot({ tailShare: 0.05 });
    expect(s.calls?.types).toEqual([["g", expect.objectContaining({ traces: 250 })]]);
  });
});

describe("code-level conditions and rules", () => {
  const calls = (c: Partial<CallScores>): CallScores => ({
    missing_calls: 0,
    unexpected_errors: 0,
    missing: [],
    errors: [],
    missing_culprit: null,
    error_culprit: null,
    ...c,
  });

  it("reads missing_calls and unexpected_errors: unknown while warming up, 0 without call baselines", () => {
    const ctx = { threshold: 0.95 };
    expect(VOCABULARY.missing_calls?.read(warmingUp(), ctx)).toBeNull();
    expect(VOCABULARY.unexpected_errors?.read(warmingUp(), ctx)).toBeNull();
    expect(VOCABULARY.missing_calls?.read(scoredTrace(), ctx)).toBe(0);
    const t = scoredTrace({}, { calls: calls({ missing_calls: 3, unexpected_errors: 2 }) });
    expect(VOCABULARY.missing_calls?.read(t, ctx)).toBe(3);
    expect(VOCABULARY.unexpected_errors?.read(t, ctx)).toBe(2);
  });

  const config = loadConfig({ text: "" }, {});
  const rules = compileRules(
    config.spec.alerts.map((a) => ({ type: a.type, condition: a.condition, severity: a.severity })),
    0.95,
  );
  const rule = (type: string) => rules.find((r) => r.type === type)!;

  it("ships the seed's three rules, the code-level two and slow_operation as defaults", () => {
    expect(config.spec.alerts.map((a) => a.type)).toEqual([
      "latency_spike",
      "unusual_path",
      "cascade_failure",
      "missing_calls",
      "unexpected_errors",
      "slow_operation",
    ]);
  });

  it.each([
    // [what, features, calls, fires missing_calls, fires unexpected_errors]
    ["a quiet trace", {}, calls({}), false, false],
    ["one missing call", {}, calls({ missing_calls: 1, missing_culprit: "checkout" }), true, false],
    [
      "one unexpected error",
      { error_count: 1, affected_services: 1 },
      calls({ unexpected_errors: 1, error_culprit: "payment" }),
      false,
      true,
    ],
    [
      "a cascade (left to cascade_failure)",
      { error_count: 8, affected_services: 5 },
      calls({ unexpected_errors: 8, error_culprit: "payment" }),
      false,
      false,
    ],
  ] as const)("%s", (_what, features, c, missing, errors) => {
    const t = scoredTrace(features, { calls: c });
    expect(rule("missing_calls").condition.evaluate(t)).toBe(missing);
    expect(rule("unexpected_errors").condition.evaluate(t)).toBe(errors);
  });

  it("names the service that usually makes the missing calls, or the deepest unexpected error's", () => {
    const t = scoredTrace(
      {},
      {
        calls: calls({
          missing_calls: 2,
          missing_culprit: "checkout",
          unexpected_errors: 1,
          error_culprit: "payment",
        }),
      },
    );
    expect(codeLevelService(rule("missing_calls"), t)).toBe("checkout");
    expect(codeLevelService(rule("unexpected_errors"), t)).toBe("payment");
    expect(codeLevelService(rule("latency_spike"), t)).toBeNull();
  });
});

describe("CallBaselines.score with live absence shares", () => {
  const noEmail = FULL.filter((r) => r[0] !== 5);
  const rootOnly = FULL.filter((r) => r[0] === 1);
  /** Email absent from 5% of 400 learned traces: usual, not always called. */
  const usual = (): CallBaselines =>
    new CallBaselines(
      learned(
        380,
        Array.from({ length: 20 }, () => noEmail),
      ),
    );
  /** Scores `rows` at `atMs` in `share`; `slow` as the trace against its type's p99. */
  const at = (b: CallBaselines, share: LiveShare, rows: Row[], atMs: number, slow = false): CallScores =>
    b.score("checkout-type", profile(rows), { share, atMs, slow });

  it.each([
    // [what, traces in the last minute before the judged one, every n-th without email, missing]
    ["no recent absence", 60, 0, 0],
    ["absent as often as learned (1 in 20)", 200, 20, 0],
    ["absent twice as often (1 in 10)", 200, 10, 0],
    ["absent from every other trace", 60, 2, 1],
    ["absent from the last three of three", 3, 1, 1],
    ["absent from the last two of two (fewer than three absences)", 1, 1, 0],
  ])("%s (%i traces, every %i-th without email): missing_calls %i", (_what, traces, every, want) => {
    const b = usual();
    const share = new LiveShare({ factor: 3 });
    for (let i = 0; i < traces; i++)
      at(b, share, every > 0 && i % every === 0 ? noEmail : FULL, 1_000 + (50_000 * i) / traces);
    const s = at(b, share, noEmail, 55_000);
    expect(s.missing_calls).toBe(want);
    if (want > 0) {
      expect(s.missing[0]?.operation).toBe(op("email", "send"));
      expect(s.missing_culprit).toBe("checkout");
    }
  });

  it("judges a trace with its own absence counted, and only what the window still holds", () => {
    const b = usual();
    const share = new LiveShare({ factor: 3, windowMs: 60_000, slices: 6 });
    for (let i = 0; i < 30; i++) at(b, share, noEmail, 1_000 + i * 100);
    expect(at(b, share, noEmail, 5_000).missing_calls).toBe(1);
    // A minute later those absences have rolled out of the window; one absence alone is no surge.
    expect(at(b, share, noEmail, 70_000).missing_calls).toBe(0);
  });

  it("does not count a surging absence in a trace slower than its type's p99", () => {
    const b = usual();
    const share = new LiveShare({ factor: 3 });
    for (let i = 0; i < 30; i++) at(b, share, noEmail, 1_000 + i * 100);
    expect(at(b, share, noEmail, 5_000, true).missing_calls).toBe(0);
    expect(at(b, share, noEmail, 5_000, false).missing_calls).toBe(1);
  });

  it("counts an operation's usual outgoing call (any call) when its childless share surges", () => {
    // The root makes no call in 5% of learned traces (and the type keeps its usual calls apart).
    const b = new CallBaselines(
      learned(
        380,
        Array.from({ length: 20 }, () => rootOnly),
      ),
    );
    const share = new LiveShare({ factor: 3 });
    const judge = (rows: Row[], t: number): CallScores =>
      b.score("other-type", profile(rows), { share, atMs: t, slow: false });
    expect(judge(rootOnly, 1_000).missing_calls).toBe(0);
    for (let i = 0; i < 40; i++) judge(i % 4 === 0 ? FULL : rootOnly, 2_000 + i * 100);
    const s = judge(rootOnly, 7_000);
    expect(s.missing.map((m) => m.operation)).toContain(`${op("frontend", "/checkout")} ${ANY_CALL}`);
    expect(s.missing_culprit).toBe("frontend");
  });

  it("keeps counting in the right place after the share drops keys", () => {
    const b = usual();
    const share = new LiveShare({ factor: 3, maxKeys: 2 });
    for (let i = 0; i < 30; i++) at(b, share, noEmail, 1_000 + i * 100);
    // Other keys push the checkout type's rings out, then it starts from nothing again.
    share.record("a", true, 10_000);
    share.record("b", true, 10_000);
    share.record("c", true, 10_000);
    expect(at(b, share, noEmail, 10_000).missing_calls).toBe(0);
    for (let i = 0; i < 30; i++) at(b, share, noEmail, 10_000 + i * 100);
    expect(at(b, share, noEmail, 14_000).missing_calls).toBe(1);
  });

  it("without live shares, counts only the always-called operations", () => {
    const b = usual();
    expect(b.score("checkout-type", profile(noEmail)).missing_calls).toBe(0);
  });
});
