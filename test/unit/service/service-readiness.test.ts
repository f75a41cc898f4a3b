import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { detectorConfig } from "../../helpers/detector-config.js";
import { freePortsSpec, startEmbeddedServe } from "../../helpers/embedded-serve.js";

const CONFIG = (modelDir: string) =>
  detectorConfig(`${freePortsSpec()}  model_store:
    dir: ${modelDir}
`);

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
    // The models directory is a link to a volume that is not there (not mounted yet).
    const serve = await startEmbeddedServe(
      "tw-ready-",
      (root) => CONFIG(join(root, "models")),
      (root) => symlink(join(root, "volume"), join(root, "models")),
    );
    cleanup.push(() => serve.stop());
    const { api } = serve;
    const volume = join(serve.dir, "volume");

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
