import { afterAll, describe, expect, it } from "vitest";
import type { ModelArtifact } from "../../src/core/model/artifact.js";
import { loadModel } from "../../src/core/model/model.js";
import { ModelFollower, ModelPublisher } from "../../src/model/model-topic.js";
import { createTestKafka, createTestTopic, deleteTopics } from "../helpers/kafka.js";
import { probes, trainedArtifact } from "../unit/model/fixture.js";

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
});

describe("model topic", () => {
  it("delivers published models to a follower, newest only, with identical scores", async () => {
    const topic = await createTestTopic("tw-models", 1, {
      configEntries: [{ name: "cleanup.policy", value: "compact" }],
    });
    topics.push(topic);
    const kafka = createTestKafka("tw-model-topic");
    const producer = kafka.producer();
    await producer.connect();
    const publisher = new ModelPublisher({ producer, topic });
    const older = trainedArtifact(1_700_000_000_000, 1);
    const newer = trainedArtifact(1_700_000_100_000, 2);
    await publisher.publish(newer);
    await publisher.publish(older);
    await producer.send({
      topic,
      messages: [
        { key: "latency-anomalies", value: "not a model" },
        { key: "other", value: "x" },
      ],
    });

    const received: ModelArtifact[] = [];
    const invalid: unknown[] = [];
    const follower = new ModelFollower({
      kafka,
      topic,
      detector: "latency-anomalies",
      onModel: (a) => received.push(a),
      onInvalid: (e) => invalid.push(e),
    });
    await follower.start();
    try {
      const deadline = Date.now() + 60_000;
      while (invalid.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(received.map((a) => a.version)).toEqual([newer.version]);
      expect(invalid).toHaveLength(1);
      const mine = loadModel(newer);
      const theirs = loadModel(received[0] as ModelArtifact);
      expect(probes().map((f) => theirs.score(f).anomalyScore)).toEqual(
        probes().map((f) => mine.score(f).anomalyScore),
      );
    } finally {
      await follower.shutdown();
      await follower.shutdown();
      await producer.disconnect();
    }
  });
});
