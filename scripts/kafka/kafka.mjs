#!/usr/bin/env node
// Local single-node Apache Kafka broker (KRaft) for tracewatch development and integration tests.
//
//   node scripts/kafka/kafka.mjs start | stop | status | resolve
//
// Environment: TRACEWATCH_KAFKA_VERSION (default 3.9.2), TRACEWATCH_KAFKA_PORT (9092),
// TRACEWATCH_KAFKA_CONTROLLER_PORT (9093), TRACEWATCH_KAFKA_HEAP (512m),
// TRACEWATCH_KAFKA_START_TIMEOUT_MS (90000), TRACEWATCH_KAFKA_HOME (<repo>/.kafka), JAVA_HOME.
// Jars, data and logs live under TRACEWATCH_KAFKA_HOME (git-ignored).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brokerStatus, resolveJars, startBroker, stopBroker } from "./lib/broker.mjs";

export {
  acquireTestBroker,
  brokerStatus,
  releaseTestBroker,
  resolveJars,
  startBroker,
  stopBroker,
} from "./lib/broker.mjs";
export { DEFAULT_KAFKA_VERSION, loadSettings } from "./lib/settings.mjs";

const log = (line) => process.stderr.write(`kafka: ${line}\n`);

const commands = {
  async start() {
    const result = await startBroker({ owner: "cli", log });
    if (result.alreadyRunning) {
      console.log(`Kafka ${result.version} is already running (pid ${result.pid}) at ${result.bootstrap}`);
    } else {
      console.log(
        `Kafka ${result.version} ready at ${result.bootstrap} (pid ${result.pid}) in ${result.seconds} s` +
          ` (broker start ${result.launchSeconds} s); log: ${result.logFile}`,
      );
    }
    return 0;
  },
  async stop() {
    const result = await stopBroker({ log });
    console.log(result.stopped ? `Kafka ${result.version} stopped (${result.how})` : "Kafka is not running");
    return 0;
  },
  async status() {
    const status = await brokerStatus();
    if (!status.running) {
      console.log(`Kafka is not running (would listen on ${status.bootstrap})`);
      return 3;
    }
    const health = status.ready ? "answering metadata requests" : "NOT answering metadata requests";
    console.log(`Kafka ${status.version} running (pid ${status.pid}) at ${status.bootstrap}, ${health}`);
    console.log(
      `  started ${status.startedAt} by ${status.owner}; log ${status.logFile}; data ${status.dataDir}`,
    );
    return status.ready ? 0 : 1;
  },
  async resolve() {
    const result = await resolveJars({ log });
    const where = path.dirname(result.jars[0] ?? ".");
    console.log(
      result.resolved
        ? `resolved ${result.jars.length} jars into ${where} in ${result.seconds.toFixed(1)} s`
        : `${result.jars.length} jars already cached in ${where}`,
    );
    return 0;
  },
};

async function main(argv) {
  const name = argv[0];
  const command = name === undefined ? undefined : commands[name];
  if (!command || argv.length > 1) {
    process.stderr.write(`usage: node scripts/kafka/kafka.mjs ${Object.keys(commands).join("|")}\n`);
    return 2;
  }
  try {
    return await command();
  } catch (err) {
    process.stderr.write(`kafka ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
