import { runIngestBench } from "./ingest.js";
import { benchKafka } from "./ingest-kafka.js";

/**
 * `node dist/bench/ingest-main.js [--brokers host:port,...] [--runs N]`: prints the ingest
 * figures as JSON; the Kafka figure only with --brokers.
 */
async function main(argv: readonly string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(arg("--runs") ?? 5);
  const brokers = arg("--brokers");
  const figures: Record<string, number | null> = { ...(await runIngestBench({ runs })) };
  if (brokers !== undefined)
    figures.kafka_spans_per_sec = await benchKafka({ brokers: brokers.split(","), runs });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

await main(process.argv.slice(2));
