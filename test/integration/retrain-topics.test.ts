import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticFeatures } from "../../src/bench/model-data.js";
import { retrainCommand } from "../../src/cli/retrain.js";
import { createTestKafka, createTestTopic, deleteTopics, uniqueTopicName } from "../helpers/kafka.js";
import { captureCli } from "../helpers/cli-output.js";
import { retrainJobConfig, unscoredRecord } from "./kafka-serve.js";

/** Runs `tracewatch retrain ARGS` in process; returns the exit code and what it wrote to stderr. */
const retrain = (args: string[]) => captureCli(() => retrainCommand.run(args));

describe("tracewatch retrain and the topics it reads and writes", () => {
  let dir: string;
  const topics: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-retrain-topics-"));
  });

  afterAll(async () => {
    await deleteTopics(topics);
    await rm(dir, { recursive: true, force: true });
  });

  async function config(name: string, features: string, models: string): Promise<string> {
    const path = join(dir, `${name}.yaml`);
    await writeFile(path, retrainJobConfig({ features, models, modelDir: join(dir, name) }));
    return path;
  }

  it("creates the missing model topic (compacted) and publishes to it", async () => {
    const features = await createTestTopic("retrain-topics-features", 1);
    const models = uniqueTopicName("retrain-topics-models");
    topics.push(features, models);
    const producer = createTestKafka("retrain-topics").producer();
    await producer.connect();
    const records = syntheticFeatures(600, 7).features.map(unscoredRecord);
    await producer.send({ topic: features, messages: records.map((value) => ({ value })) });
    await producer.disconnect();

    const run = await retrain(["-c", await config("create", features, models), "--quiet"]);
    expect(run.stderr).toContain(`created topic ${models} (models, cleanup.policy=compact)`);
    expect(run.code).toBe(0);
    const admin = createTestKafka("retrain-topics-admin").admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(models);
      expect(offsets.map((o) => Number(o.high)).reduce((a, b) => a + b, 0)).toBe(1);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: models, configNames: ["cleanup.policy"] }],
      });
      expect(described.resources[0]?.configEntries[0]?.configValue).toBe("compact");
    } finally {
      await admin.disconnect();
    }
  }, 120_000);

  it("names a missing features topic instead of failing inside the client", async () => {
    const features = uniqueTopicName("retrain-topics-nofeatures");
    const models = uniqueTopicName("retrain-topics-nomodels");
    topics.push(features, models);
    const run = await retrain(["-c", await config("missing", features, models), "--from-topic", "--quiet"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`features topic ${features} does not exist: nothing to train from`);
  }, 60_000);
});
