import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { syntheticFeatures } from "../../src/bench/model-data.js";
import { retrainCommand } from "../../src/cli/retrain.js";
import { loadModel } from "../../src/core/model/model.js";
import { ModelStore } from "../../src/model/store.js";
import { ModelFollower } from "../../src/model/model-topic.js";
import type { ModelArtifact } from "../../src/core/model/artifact.js";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";
import { retrainJobConfig, unscoredRecord } from "./kafka-serve.js";

describe("tracewatch retrain from the features topic", () => {
  let dir: string;
  const topics: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-retrain-"));
    topics.features = await createTestTopic("retrain-features", 3);
    topics.models = await createTestTopic("retrain-models", 1, {
      configEntries: [{ name: "cleanup.policy", value: "compact" }],
    });
  });

  afterAll(async () => {
    await deleteTopics(Object.values(topics));
    await rm(dir, { recursive: true, force: true });
  });

  it("trains on every record of the topic, saves the model and publishes it to the model topic", async () => {
    const { features } = syntheticFeatures(2_000, 5);
    const producer = createTestKafka("retrain-test").producer();
    await producer.connect();
    await producer.send({
      topic: topics.features!,
      messages: [
        ...features.map((f) => ({ key: f.traceId, value: unscoredRecord(f) })),
        { key: "bad", value: "{not json" },
      ],
    });
    await producer.disconnect();
    const config = join(dir, "detector.yaml");
    await writeFile(
      config,
      retrainJobConfig({ features: topics.features!, models: topics.models!, modelDir: join(dir, "models") }),
    );
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    let code: number;
    let lastLine: string;
    try {
      code = await retrainCommand.run(["-c", config, "--quiet"]);
      lastLine = String(out.mock.calls.at(-1)?.[0]);
    } finally {
      out.mockRestore();
    }
    expect(code).toBe(0);
    const printed = JSON.parse(lastLine) as { version: string; records: number };
    expect(printed.records).toBe(2_000);

    const saved = await new ModelStore({ dir: join(dir, "models") }).loadNewest("shop");
    expect(saved?.version).toBe(printed.version);
    expect(await readdir(join(dir, "models", "shop"))).toEqual([`${printed.version}.json`]);

    const received = await new Promise<ModelArtifact>((resolve, reject) => {
      const follower = new ModelFollower({
        kafka: createTestKafka("retrain-follower"),
        detector: "shop",
        topic: topics.models!,
        onModel: (a) => void follower.shutdown().then(() => resolve(a), reject),
      });
      follower.start().catch(reject);
    });
    expect(received.version).toBe(printed.version);
    const fromTopic = loadModel(received);
    const fromDisk = loadModel(saved!);
    for (const f of features.slice(0, 200)) expect(fromTopic.score(f)).toEqual(fromDisk.score(f));
  });
});
