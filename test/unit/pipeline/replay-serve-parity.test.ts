import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import type { Alert } from "../../../src/core/alerts/alert.js";
import { ManualClock } from "../../../src/core/clock.js";
import { encodeNativeJson } from "../../../src/decode/index.js";
import type { Span } from "../../../src/domain/span.js";
import { endOrdered } from "../../../src/eval/synthetic-order.js";
import { createLogger } from "../../../src/log/index.js";
import { encodeOtlpJson } from "../../../src/otlp/index.js";
import { replay } from "../../../src/replay/replay.js";
import { Service } from "../../../src/service/service.js";
import { DEFAULT_SCHEDULE } from "../../../src/sim/schedule.js";
import { Simulator } from "../../../src/sim/simulator.js";
import { detectorConfig } from "../../helpers/embedded-serve.js";
import { warmModel } from "../../../src/bench/pipeline-data.js";
import type { ModelArtifact } from "../../../src/core/model/artifact.js";
import { ModelStore } from "../../../src/model/store.js";

const START_MS = Date.UTC(2026, 0, 1);
/** Spans per OTLP/HTTP request, sent in end-time order as a collector would. */
const BATCH = 100;

/**
 * The seed's three rules and one that needs no model. min_samples is out of reach, so neither path
 * trains: both run exactly the same stages on the same data, in warm-up or with the model both
 * start from (serve from its model store, replay from `model`).
 */
const CONFIG = (dir: string, minSamples = 50_000) =>
  detectorConfig(`  training:
    window: 1h
    min_samples: ${minSamples}
  assembly:
    decision_wait: 1s
    root_grace: 200ms
  alerts:
    - type: latency_spike
      condition: "anomaly_score > 0.9 AND total_duration > p99_baseline * 2"
      severity: high
    - type: unusual_path
      condition: "new_service_combination = true"
      severity: medium
    - type: cascade_failure
      condition: "error_count > 5 AND affected_services > 3"
      severity: critical
    - type: slow_trace
      condition: "total_duration > 300"
      severity: high
  alerting:
    # Every matching trace alerts: a stronger comparison than the first alert of each kind.
    cooldown: 0s
  sources:
    otlp_http:
      port: 0
    otlp_grpc:
      enabled: false
  api:
    port: 0
  model_store:
    dir: ${dir}
`);

/** What must match between the two paths (detectedAt is each path's own clock). */
const essence = (a: Pick<Alert, "id" | "type" | "traceId" | "anomalyScore" | "severity" | "service">) => ({
  id: a.id,
  type: a.type,
  traceId: a.traceId,
  anomalyScore: a.anomalyScore,
  severity: a.severity,
  service: a.service,
});
const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/** 40 s of simulated traffic with the default schedule's anomalies (slow calls, new edges, cascades). */
function traffic(): Span[] {
  const sim = new Simulator({
    seed: 12,
    ratePerSec: 15,
    startTimeMs: START_MS,
    schedule: { ...DEFAULT_SCHEDULE, warmupMs: 0 },
  });
  return [...endOrdered(sim.until(40_000))];
}

describe("replay and serve run one detection pipeline", () => {
  let root: string;
  let spans: Span[];
  /** A model trained as the service trains one, on normal traffic of the same simulated system. */
  let model: ModelArtifact;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tw-parity-"));
    spans = traffic();
    model = warmModel(loadConfig({ text: CONFIG(root, 200) }, {}), 5_000).artifact;
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function viaReplay(dir: string, start?: ModelArtifact): Promise<ReturnType<typeof essence>[]> {
    const file = join(dir, "spans.json");
    await writeFile(file, encodeNativeJson(spans));
    const alerts: Alert[] = [];
    await replay({
      config: loadConfig({ text: CONFIG(dir) }, {}),
      files: [file],
      onAlert: (a) => alerts.push(a),
      ...(start === undefined ? {} : { model: start }),
    });
    return alerts.map(essence).sort(byId);
  }

  async function viaServe(dir: string, expected: number): Promise<ReturnType<typeof essence>[]> {
    const clock = new ManualClock(START_MS);
    const service = new Service(loadConfig({ text: CONFIG(dir) }, {}), createLogger({ level: "silent" }), {
      clock,
    });
    try {
      await service.start();
      const otlp = service.addresses.otlp!;
      const api = service.addresses.api!;
      for (let i = 0; i < spans.length; i += BATCH) {
        const batch = spans.slice(i, i + BATCH);
        // Event time: the clock is at the batch's last span end when it arrives, as in replay.
        clock.set(Number(batch[batch.length - 1]!.endTimeUnixNano / 1_000_000n));
        const res = await fetch(`${otlp}/v1/traces`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: encodeOtlpJson(batch),
        });
        expect(res.status).toBe(200);
      }
      // Past decision_wait: the timer completes every trace at the manual clock's time.
      clock.advance(5_000);
      const list = async (): Promise<ReturnType<typeof essence>[]> => {
        const res = await fetch(`${api}/api/v1/alerts?limit=1000`);
        return ((await res.json()) as { alerts: Alert[] }).alerts.map(essence).sort(byId);
      };
      let alerts = await list();
      for (let i = 0; i < 100 && alerts.length < expected; i++) {
        await sleep(100);
        alerts = await list();
      }
      return alerts;
    } finally {
      await service.stop();
    }
  }

  it("emits the same alerts (ids, types, traces, scores) for the same spans through replay and through serve's OTLP/HTTP receiver", async () => {
    const dir = join(root, "warm-up");
    await mkdir(dir);
    const replayed = await viaReplay(dir);
    // The traffic holds every alert kind the warm-up rules can raise.
    expect(new Set(replayed.map((a) => a.type))).toEqual(new Set(["slow_trace", "cascade_failure"]));
    expect(replayed.length).toBeGreaterThan(10);
    const served = await viaServe(dir, replayed.length);
    expect(served).toEqual(replayed);
  }, 60_000);

  it("emits the same alerts, anomaly scores included, when both start from the same model", async () => {
    const dir = join(root, "model");
    await new ModelStore({ dir }).save(model);
    const replayed = await viaReplay(dir, model);
    // Scored by the model: the seed's model rules fire too, each alert with its anomaly score.
    expect(new Set(replayed.map((a) => a.type))).toEqual(
      new Set(["latency_spike", "unusual_path", "cascade_failure", "slow_trace"]),
    );
    expect(replayed.every((a) => a.anomalyScore !== null)).toBe(true);
    const served = await viaServe(dir, replayed.length);
    expect(served).toEqual(replayed);
  }, 60_000);
});
