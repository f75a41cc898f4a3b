import { describe, expect, it } from "vitest";
import type { Span, SpanKind } from "../../../../src/domain/span.js";
import { extractTrace } from "../../../../src/core/features/extract.js";
import type { SpanProfile } from "../../../../src/core/features/span-profile.js";
import {
  scoreSpans,
  splitCallExcess,
  type CallTally,
  type OperationStats,
} from "../../../../src/core/model/op-baselines.js";
import { baselinesFromProfile } from "./helpers.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const T0 = 1_700_000_000_000_000_000n;

describe("splitCallExcess: the callee's share of a slow call's time outside the callee", () => {
  const t = (calls: number, slow: number): CallTally => ({ calls, slow });
  const cases: ReadonlyArray<readonly [string, CallTally, CallTally, number]> = [
    // [case, callee's received calls, caller's made calls, callee's share]
    ["both ends as implicated: halves", t(1, 1), t(1, 1), 0.5],
    ["the callee's only call, one of the caller's four", t(1, 1), t(4, 1), 0.8],
    ["every call of a caller slow, the callee's one call of three", t(3, 1), t(4, 4), 0.25],
    ["neither end has a tally", t(0, 0), t(0, 0), 0.5],
    ["nothing slow on either side", t(2, 0), t(2, 0), 0.5],
    ["only the callee's calls slow", t(2, 2), t(3, 0), 1],
    ["only the caller's calls slow", t(2, 0), t(3, 3), 0],
  ];
  it.each(cases)("%s", (_name, callee, caller, share) => {
    expect(splitCallExcess(callee, caller)).toBeCloseTo(share, 12);
  });
});

/** [id, parent, service, kind, start ms, end ms]; the operation is `<service>.<kind>.<id of the callee>`. */
type Row = readonly [number, number | null, string, SpanKind, number, number];

function profile(rows: readonly Row[]): SpanProfile {
  const hex = (n: number): string => n.toString(16).padStart(16, "0");
  const spans: Span[] = rows.map(([id, parent, service, kind, start, end]) => ({
    traceId: TRACE,
    spanId: hex(id),
    parentSpanId: parent === null ? null : hex(parent),
    service,
    name: `${service}.${kind.toLowerCase()}.${id}`,
    kind,
    startTimeUnixNano: T0 + BigInt(Math.round(start * 1000)) * 1000n,
    endTimeUnixNano: T0 + BigInt(Math.round(end * 1000)) * 1000n,
    status: "OK",
    attributes: {},
  }));
  const r = extractTrace({ traceId: TRACE, spans, reason: "root", completedAtMs: 0 }, { profile: true });
  return r.profile as SpanProfile;
}

const CALLEES = ["b", "c", "d", "x"] as const;

/**
 * gateway → a, and a calls b, c, d, x one after the other. Each call's client span lasts 10 ms
 * around a callee span of 8 ms, plus `gaps[k]` ms outside the callee; `aIdle` ms of a's own time
 * follow the calls.
 */
function fanOut(gaps: readonly number[], aIdle = 0): Row[] {
  const calls: Row[] = [];
  let t = 3;
  CALLEES.forEach((svc, k) => {
    const g = gaps[k] ?? 0;
    calls.push([10 + 2 * k, 3, "a", "CLIENT", t, t + 10 + g]);
    calls.push([11 + 2 * k, 10 + 2 * k, svc, "SERVER", t + 1, t + 9]);
    t += 12 + g;
  });
  const end = t + 2 + aIdle;
  return [
    [1, null, "gateway", "SERVER", 0, end + 2],
    [2, 1, "gateway", "CLIENT", 1, end + 1],
    [3, 2, "a", "SERVER", 2, end],
    ...calls,
  ];
}

/** Each operation's p99 = its duration in `rows`, self p99 = its self time. */
const baselinesOf = (rows: readonly Row[]): Map<string, OperationStats> =>
  baselinesFromProfile(profile(rows));

describe("scoreSpans: a slow call's time outside the callee goes by each end's slow calls", () => {
  const base = baselinesOf(fanOut([0, 0, 0, 0]));
  const cases: ReadonlyArray<readonly [string, readonly number[], number, string]> = [
    // One call into x slow, a's other calls fine, a a little slow itself: the delay is x's.
    ["a delay on the calls into x", [0, 0, 0, 200], 5, "x"],
    // Every call a makes is slow (a starved of CPU): a is the end all slow calls share.
    ["every call out of a slow", [60, 60, 60, 60], 0, "a"],
    // a's own time, no slow call.
    ["a slow in its own time", [0, 0, 0, 0], 50, "a"],
  ];
  it.each(cases)("%s", (_name, gaps, aIdle, culprit) => {
    expect(scoreSpans(profile(fanOut(gaps, aIdle)), base).culprit).toBe(culprit);
  });

  it("gives the callee most of a call the caller's other calls do not share", () => {
    const s = scoreSpans(profile(fanOut([0, 0, 0, 200])), base, { topSpans: 5 });
    expect(s.culprit).toBe("x");
    // 200 ms beyond the call's self p99: x's one call of one against a's one of four.
    expect(s.culprit_excess_ms).toBeCloseTo(160, 6);
  });
});
