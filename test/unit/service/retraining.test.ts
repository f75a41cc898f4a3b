import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { ManualClock } from "../../../src/core/clock.js";
import { createMetrics } from "../../../src/metrics/pipeline.js";
import { ModelStore } from "../../../src/model/store.js";
import { buildDetectionCore } from "../../../src/service/detector.js";
import { createRetraining, type Retraining } from "../../../src/service/retraining.js";
import { TS_WORKER } from "../../helpers/ts-worker.js";
import { traffic } from "../core/model/helpers.js";

const CONFIG = `
metadata:
  name: shop
spec:
  training:
    sample_rate: 1.0
    min_samples: 100
`;

type Line = { level: string; obj: object; msg: string };

function recordingLogger(lines: Line[]): Logger {
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, obj, msg });
  return { info: at("info"), warn: at("warn"), error: at("error") } as unknown as Logger;
}

const open: Retraining[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.retrainer.shutdown()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function setup(storeDir: (tmp: string) => Promise<string>) {
  const tmp = await mkdtemp(join(tmpdir(), "tw-retraining-"));
  dirs.push(tmp);
  const config = loadConfig({ text: CONFIG }, {});
  const clock = new ManualClock(1_700_000_000_000);
  const core = buildDetectionCore(config, clock);
  for (const f of traffic(1000, clock.now() - 60_000, 60_000)) core.detector.observe(f);
  const lines: Line[] = [];
  const store = new ModelStore({ dir: await storeDir(tmp) });
  const retraining = createRetraining({
    config,
    core,
    clock,
    store,
    metrics: createMetrics(new Registry()),
    producer: null,
    logger: recordingLogger(lines),
    worker: TS_WORKER,
  });
  open.push(retraining);
  return { core, store, lines, retraining };
}

describe("service retraining", () => {
  it("saves each retrained model to the store and logs it", async () => {
    const { core, store, lines, retraining } = await setup(async (tmp) => tmp);
    const out = await retraining.retrainer.retrain();
    expect(out.status).toBe("installed");
    expect(await store.versions("shop")).toEqual([core.detector.model?.version]);
    expect(lines.map((l) => l.msg)).toEqual(["model retrained"]);
  }, 30_000);

  it("logs an error when the retrained model cannot be saved, and keeps it installed", async () => {
    const { core, lines, retraining } = await setup(async (tmp) => {
      // A file where the store wants a directory: every save fails.
      await writeFile(join(tmp, "blocked"), "");
      return join(tmp, "blocked");
    });
    const out = await retraining.retrainer.retrain();
    expect(out.status).toBe("installed");
    expect(core.detector.warmingUp).toBe(false);
    expect(lines.filter((l) => l.level === "error").map((l) => l.msg)).toEqual([
      "retrained model could not be saved or published",
    ]);
  }, 30_000);
});

describe("service retraining: warm-up log", () => {
  it("logs warm-up progress once a minute while there is no model, not on every tick", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "tw-retraining-"));
    dirs.push(tmp);
    const config = loadConfig({ text: CONFIG }, {});
    const clock = new ManualClock(1_700_000_000_000);
    const core = buildDetectionCore(config, clock);
    for (const f of traffic(40, clock.now() - 60_000, 60_000)) core.detector.observe(f);
    const lines: Line[] = [];
    const retraining = createRetraining({
      config,
      core,
      clock,
      store: new ModelStore({ dir: tmp }),
      metrics: createMetrics(new Registry()),
      producer: null,
      logger: recordingLogger(lines),
      worker: TS_WORKER,
    });
    open.push(retraining);
    for (let s = 0; s <= 150; s++) retraining.tick(clock.now() + s * 1000);
    const warm = lines.filter((l) => l.msg === "model warming up");
    expect(warm).toHaveLength(3);
    expect(warm[0]!.obj).toMatchObject({ samples: 40, minSamples: 100, observed: 40 });
  }, 30_000);
});
