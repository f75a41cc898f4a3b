import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topicsCommand } from "../../src/cli/topics.js";
import { deleteTopics, kafkaBrokers, uniqueTopicName } from "../helpers/kafka.js";
import { captureCli } from "../helpers/cli-output.js";

/** Runs `tracewatch topics ARGS` in process; returns the exit code, stdout and stderr. */
const topics = (args: string[]) => captureCli(() => topicsCommand.run(args));

describe("tracewatch topics", () => {
  let dir: string;
  let config: string;
  const t = Object.fromEntries(
    ["spans", "alerts", "features", "models", "dlq"].map((r) => [r, uniqueTopicName(`tw-cli-${r}`)]),
  );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tw-topics-cli-"));
    config = join(dir, "c.yaml");
    await writeFile(
      config,
      `spec:
  sources: { kafka: { brokers: [${kafkaBrokers().join(", ")}], topic: ${t.spans} } }
  topics: { alerts: ${t.alerts}, features: ${t.features}, models: ${t.models}, dlq: ${t.dlq} }
`,
    );
  });

  afterAll(async () => {
    await deleteTopics(Object.values(t));
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the plan and exits 1 while topics are missing, creates them with --create, then exits 0", async () => {
    const before = await topics(["-c", config]);
    expect(before.code).toBe(1);
    expect(before.stdout.split("\n")[0]).toMatch(
      /^TOPIC +ROLE +EXISTS +PARTITIONS +REPLICATION +CLEANUP +RETENTION +ACTION$/,
    );
    expect(before.stdout).toMatch(
      new RegExp(`${t.models} +models +no +1 +broker default +compact +- +missing: run with --create`),
    );
    expect(before.stdout).toMatch(
      new RegExp(`${t.features} +features +no +3 +broker default +delete +7d +missing`),
    );
    expect(before.stdout).toMatch(new RegExp(`${t.spans} +spans +no .*wait: its producer creates it`));
    expect(before.stderr).toContain("4 missing; run 'tracewatch topics --create' or:");

    const create = await topics(["-c", config, "--create"]);
    expect(create.code).toBe(0);
    for (const role of ["alerts", "features", "models", "dlq"])
      expect(create.stdout).toMatch(new RegExp(`${t[role]} +${role} +no .* created`));

    const after = await topics(["-c", config]);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(new RegExp(`${t.features} +features +yes +3 `));
    // The span topic stays the producer's.
    expect(after.stdout).toMatch(new RegExp(`${t.spans} +spans +no `));
  }, 60_000);

  it("is wrong usage without Kafka brokers", async () => {
    const saved = process.env.KAFKA_BROKERS;
    delete process.env.KAFKA_BROKERS;
    try {
      const r = await topics([]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("no Kafka brokers configured");
    } finally {
      if (saved !== undefined) process.env.KAFKA_BROKERS = saved;
    }
  });
});
