import { ManualClock } from "../../../src/core/clock.js";
import type { ModelArtifact } from "../../../src/core/model/artifact.js";
import { trainModel } from "../../../src/core/model/trainer.js";
import { RollingWindow } from "../../../src/core/model/window.js";
import type { TraceFeatures } from "../../../src/domain/features.js";
import { traffic } from "../core/model/helpers.js";

/** A model trained on the shared synthetic traffic, for store and retrainer tests. */
export function trainedArtifact(trainedAtMs = 1_700_000_000_000, seed = 1): ModelArtifact {
  const w = new RollingWindow({ clock: new ManualClock(0), sampleRate: 1 });
  for (const f of traffic(1500, 0, 60_000, seed)) w.observe(f);
  const r = trainModel(w.snapshot(), { detector: "latency-anomalies", trainedAtMs, minSamples: 100, seed });
  if (!r.ok) throw new Error(r.detail);
  return r.artifact;
}

/** Probe traces scored in both processes of the cross-process test. */
export function probes(): TraceFeatures[] {
  return traffic(200, 0, 60_000, 99).map((f, i) => ({
    ...f,
    total_duration: f.total_duration * (1 + (i % 7)),
  }));
}
