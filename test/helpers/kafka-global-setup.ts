import type { TestProject } from "vitest/node";
import { acquireTestBroker, releaseTestBroker } from "../../scripts/kafka/kafka.mjs";

declare module "vitest" {
  interface ProvidedContext {
    /** Comma-separated bootstrap addresses of the broker the integration tests use. */
    kafkaBrokers: string;
  }
}

const log = (line: string): void => {
  process.stderr.write(`[kafka] ${line}\n`);
};

/**
 * Integration tests' broker. With KAFKA_BROKERS set, those brokers are used and nothing is started.
 * Otherwise the project's local broker is started unless it already runs; teardown stops it only
 * when a test run started it and no other test run still uses it.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) {
    project.provide("kafkaBrokers", external);
    return undefined;
  }
  const broker = await acquireTestBroker({ log });
  log(
    broker.startedHere
      ? `started Kafka ${broker.version} at ${broker.bootstrap} for this test run`
      : `using the running Kafka ${broker.version} at ${broker.bootstrap}`,
  );
  project.provide("kafkaBrokers", broker.bootstrap);
  return async () => {
    const result = await releaseTestBroker(broker.lease, { log });
    if (result.stopped) log("stopped the test broker: no other test run uses it");
  };
}
