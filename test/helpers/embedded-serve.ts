import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log/index.js";
import { Service } from "../../src/service/service.js";
import { detectorConfig } from "./detector-config.js";
import type { OtelShop } from "./otel-traffic.js";
import { until } from "./serve-child.js";
import { TS_WORKER } from "./ts-worker.js";

export { detectorConfig };

/**
 * spec.sources and spec.api of a serve on free ports: both OTLP receivers and the API, which
 * asks for `token` when one is given.
 */
export const freePortsSpec = (o: { token?: string } = {}): string => `  sources:
    otlp_http: { port: 0 }
    otlp_grpc: { port: 0 }
  api: { port: 0${o.token === undefined ? "" : `, token: ${o.token}`} }
`;

/**
 * The document of a serve on the embedded default that trains on 200 traces, with both OTLP
 * receivers and the API on free ports, its model store in `dir`; `extraSpec` adds keys below `spec:`.
 */
export const otlpServeConfig = (dir: string, extraSpec = ""): string =>
  detectorConfig(`  training:
    window: 1h
    sample_rate: 1.0
    min_samples: 200
    retrain_interval: 1h
  assembly:
    decision_wait: 1s
    root_grace: 200ms
${freePortsSpec()}  model_store:
    dir: ${dir}
${extraSpec}`);

/** A started serve whose model store is a fresh temporary directory; `stop()` removes the directory. */
export interface EmbeddedServe {
  readonly dir: string;
  readonly service: Service;
  /** The API's base URL. */
  readonly api: string;
  stop(): Promise<void>;
}

/**
 * Starts a serve from `config(dir)` (a silent logger, the training worker run from the sources);
 * `prepare(dir)` runs first, to lay out the directory the document points at.
 */
export async function startEmbeddedServe(
  dirPrefix: string,
  config: (dir: string) => string,
  prepare?: (dir: string) => Promise<unknown>,
): Promise<EmbeddedServe> {
  const dir = await mkdtemp(join(tmpdir(), dirPrefix));
  let service: Service | undefined;
  const stop = async (): Promise<void> => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await prepare?.(dir);
    service = new Service(loadConfig({ text: config(dir) }, {}), createLogger({ level: "silent" }), {
      retrainWorker: TS_WORKER,
    });
    await service.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, service, api: service.addresses.api!, stop };
}

/** Every alert the API lists (up to 1,000). */
export async function listAlerts<T>(api: string): Promise<T[]> {
  const res = await fetch(`${api}/api/v1/alerts?limit=1000`);
  return ((await res.json()) as { alerts: T[] }).alerts;
}

/**
 * Records 300 normal traces over the last minute through `shop`, then asks the API to retrain
 * until a retrain completes (30 s at most); returns the completed retrain's answer.
 */
export async function trainOnNormalTraffic(
  shop: OtelShop,
  api: string,
  jitter: () => number,
): Promise<{ status: string; version?: string; samples?: number }> {
  const start = Date.now() - 60_000;
  for (let i = 0; i < 300; i++) shop.record("normal", start + i * 100, jitter);
  await shop.flush();
  return until("300 traces in the window", 30_000, async () => {
    const res = await fetch(`${api}/api/v1/models/retrain`, { method: "POST" });
    const body = (await res.json()) as { status: string; version?: string; samples?: number };
    return body.status === "completed" ? body : undefined;
  });
}
