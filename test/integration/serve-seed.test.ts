import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCliConfig } from "../../src/cli/load-config.js";
import { createLogger } from "../../src/log/index.js";
import { Service } from "../../src/service/service.js";

const SEED_COPY = new URL("../../config/examples/seed-trace-anomaly-detection.yaml", import.meta.url)
  .pathname;

describe("tracewatch serve with the seed's YAML copied verbatim", () => {
  it("starts on the embedded default, warming up, and shuts down cleanly", async () => {
    const models = await mkdtemp(join(tmpdir(), "tw-seed-"));
    // Ports and the model directory come from the environment, as an operator would set them.
    const env = {
      TRACEWATCH_API_PORT: "0",
      TRACEWATCH_OTLP_PORT: "0",
      TRACEWATCH_OTLP_GRPC_PORT: "0",
      TRACEWATCH_MODEL_DIR: models,
    };
    const config = loadCliConfig(SEED_COPY, env);
    expect(config.metadata.name).toBe("latency-anomalies");
    expect(config.spec.alerts.map((a) => a.type)).toEqual([
      "latency_spike",
      "unusual_path",
      "cascade_failure",
    ]);
    const service = new Service(config, createLogger({ level: "silent" }));
    try {
      await service.start();
      const ready = await fetch(`${service.addresses.api}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        model: "warming_up",
        sources: [
          { name: "otlp_http", connected: true },
          { name: "otlp_grpc", connected: true },
        ],
      });
      const empty = await fetch(`${service.addresses.otlp}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceSpans: [] }),
      });
      expect(empty.status).toBe(200);
    } finally {
      await service.stop();
      await rm(models, { recursive: true, force: true });
    }
    await expect(fetch(`${service.addresses.api}/healthz`)).rejects.toThrow();
  });
});
