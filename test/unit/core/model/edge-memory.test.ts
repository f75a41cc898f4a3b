import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/core/clock.js";
import { Detector } from "../../../../src/core/model/detector.js";
import { EdgeMemory } from "../../../../src/core/model/edge-memory.js";
import { loadModel } from "../../../../src/core/model/model.js";
import { trainModel } from "../../../../src/core/model/trainer.js";
import { RollingWindow } from "../../../../src/core/model/window.js";
import { features, traffic } from "./helpers.js";

const S = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Step =
  readonly ["note", string, number] | readonly ["expire", number] | readonly ["seed", string, number];

describe("edge memory", () => {
  it.each<{
    case: string;
    steps: Step[];
    options?: object;
    known: string[];
    counts?: Record<string, number>;
  }>([
    {
      case: "counts and last-seen per edge",
      steps: [
        ["note", "a->b", 10 * S],
        ["note", "a->b", 20 * S],
        ["note", "b->c", 15 * S],
      ],
      known: ["a->b", "b->c"],
      counts: { "a->b": 2, "b->c": 1 },
    },
    {
      case: "an edge not seen for the retention is forgotten",
      options: { retentionMs: 7 * DAY },
      steps: [
        ["note", "a->b", 0],
        ["note", "b->c", 2 * DAY],
        ["expire", 7 * DAY + S],
      ],
      known: ["b->c"],
    },
    {
      case: "an edge seen again stays",
      options: { retentionMs: 7 * DAY },
      steps: [
        ["note", "a->b", 0],
        ["note", "b->c", 1 * DAY],
        ["note", "a->b", 6 * DAY],
        ["expire", 8 * DAY + S],
      ],
      known: ["a->b"],
    },
    {
      case: "at the cap the least recently seen edge goes first",
      options: { maxEdges: 2 },
      steps: [
        ["note", "a->b", 0],
        ["note", "b->c", 10 * S],
        ["note", "a->b", 20 * S],
        ["note", "c->d", 30 * S],
      ],
      known: ["a->b", "c->d"],
    },
    {
      case: "seeded edges join with count 0, known ones are left as they are",
      steps: [
        ["note", "a->b", 50 * S],
        ["seed", "a->b", 0],
        ["seed", "x->y", 0],
      ],
      known: ["a->b", "x->y"],
      counts: { "a->b": 1, "x->y": 0 },
    },
  ])("$case", ({ steps, options, known, counts }) => {
    const m = new EdgeMemory(options);
    for (const s of steps) {
      if (s[0] === "note") m.note(s[1], s[2]);
      else if (s[0] === "seed") m.seed([s[1]], s[2]);
      else m.expire(s[1]);
    }
    expect(m.known()).toEqual(known);
    for (const [e, n] of Object.entries(counts ?? {})) expect(m.get(e)?.count).toBe(n);
  });

  it("reports last-seen, expired and evicted counts", () => {
    const m = new EdgeMemory({ retentionMs: HOUR, maxEdges: 2 });
    m.note("a->b", 5 * S);
    m.note("a->b", 9 * S);
    expect(m.get("a->b")).toEqual({ count: 2, lastSeenMs: 9 * S });
    m.note("b->c", 10 * S);
    m.note("c->d", 11 * S);
    m.expire(HOUR + 10_500);
    expect(m.stats()).toEqual({ edges: 1, expired: 1, evicted: 1 });
  });
});

describe("known edges in the training window", () => {
  const window = (clock: ManualClock) =>
    new RollingWindow({ clock, windowMs: HOUR, buckets: 6, sampleRate: 1, edgeRetentionMs: 7 * DAY });

  it("remembers an edge after the window rolled past it, until the retention", () => {
    const clock = new ManualClock(0);
    const w = window(clock);
    w.observe(features({ startTimeMs: 0, edges: ["gw->a", "a->rare"] }), "normal");
    clock.set(3 * HOUR);
    w.observe(features({ startTimeMs: 3 * HOUR, edges: ["gw->a"] }), "normal");
    expect(w.snapshot({ tailShare: 0.05 }).edges).toEqual(["a->rare", "gw->a"]);
    clock.set(7 * DAY + HOUR);
    w.observe(features({ startTimeMs: 7 * DAY + HOUR, edges: ["gw->a"] }), "normal");
    expect(w.snapshot({ tailShare: 0.05 }).edges).toEqual(["gw->a"]);
  });

  it("learns an incident's new edge only once its type's flagged traces are learned", () => {
    const clock = new ManualClock(0);
    const w = window(clock);
    // Five quiet buckets of one type, then one where 60% of it is flagged on a new edge.
    for (let b = 0; b < 6; b++)
      for (let i = 0; i < 200; i++) {
        const flagged = b === 5 ? i < 120 : i % 20 === 0;
        const edges = flagged && b === 5 ? ["gw->a", "a->new"] : ["gw->a"];
        w.observe(features({ startTimeMs: b * 600_000 + i, edges }), flagged ? "flagged" : "normal");
      }
    clock.set(HOUR - 1);
    expect(w.snapshot({ tailShare: 0.05 }).edges).not.toContain("a->new");
    // Without a policy (or once the policy learns it) the edge becomes known, and stays.
    expect(w.snapshot().edges).toContain("a->new");
    expect(w.snapshot({ tailShare: 0.05 }).edges).toContain("a->new");
  });

  it("keeps known edges across a retrain and seeds them from a model installed at start-up", () => {
    const clock = new ManualClock(0);
    const w = window(clock);
    const detector = new Detector({ name: "d", window: w });
    for (const f of traffic(600, 0, 60_000)) detector.observe(f);
    w.observe(features({ startTimeMs: 60_000, edges: ["gw->slow", "slow->rare"] }), "normal");
    const r = trainModel(detector.trainingSet(), { detector: "d", trainedAtMs: 60_000, minSamples: 100 });
    if (!r.ok) throw new Error(r.detail);
    expect(r.artifact.knownEdges).toContain("slow->rare");
    detector.install(loadModel(r.artifact));
    clock.set(2 * HOUR);
    for (const f of traffic(600, 2 * HOUR - 60_000, 60_000)) detector.observe(f, detector.score(f));
    expect(detector.trainingSet().edges).toContain("slow->rare");
    // A fresh window (a restart) learns the loaded model's edges.
    const fresh = new RollingWindow({ clock, windowMs: HOUR, sampleRate: 1 });
    new Detector({ name: "d", window: fresh }).install(loadModel(r.artifact));
    expect(fresh.snapshot().edges).toEqual(r.artifact.knownEdges);
    expect(fresh.edgeStats().edges).toBe(r.artifact.knownEdges.length);
  });
});
