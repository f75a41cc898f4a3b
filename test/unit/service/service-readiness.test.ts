import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { createLogger } from "../../../src/log/index.js";
import { Service } from "../../../src/service/service.js";

const CONFIG = (modelDir: string) => `
apiVersion: aiops/v1
kind: TraceAnomalyDetector
metadata:
  name: shop
spec:
  sources:
    otlp_http: { port: 0 }
    otlp_grpc: { port: 0 }
  api:
    port: 0
  model_store:
    dir: ${modelDir}
`;

interface Readyz {
  status: string;
  components: { name: string; ready: boolean; reason?: string }[];
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function readyz(api: string): Promise<{ code: number; body: Readyz }> {
  const res = await fetch(`${api}/readyz`);
  return { code: res.status, body: (await res.json()) as Readyz };
}

describe("tracewatch serve readiness of the model store", () => {
  it("is not ready while the model store cannot be written, with the reason, and recovers by itself", async () => {
    const root = await mkdtemp(join(tmpdir(), "tw-ready-"));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    // The models directory is a link to a volume that is not there (not mounted yet).
    const volume = join(root, "volume");
    await symlink(volume, join(root, "models"));
    const service = new Service(
      loadConfig({ text: CONFIG(join(root, "models")) }, {}),
      createLogger({ level: "silent" }),
    );
    cleanup.push(() => service.stop());
    await service.start();
    const api = service.addresses.api!;

    const down = await readyz(api);
    expect(down.code).toBe(503);
    expect(down.body.status).toBe("not_ready");
    const store = down.body.components.find((c) => c.name === "model_store");
    expect(store).toMatchObject({ ready: false, reason: expect.stringMatching(/not writable: ENOTDIR/) });

    await mkdir(volume);
    let up = await readyz(api);
    // The store is probed again every 5 s while it fails.
    for (let i = 0; i < 100 && up.code !== 200; i++) {
      await sleep(100);
      up = await readyz(api);
    }
    expect(up.code).toBe(200);
    expect(up.body.components).toContainEqual(expect.objectContaining({ name: "model_store", ready: true }));
  }, 20_000);
});
