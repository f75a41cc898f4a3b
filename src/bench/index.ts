import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { median } from "./ingest-common.js";
import type { PartName, PartOptions, PartResult } from "./parts.js";
import { pipelineFigures, type PipelineRuns } from "./pipeline-figures.js";
import { runEnvironment } from "./report-env.js";
import { assembleBenchReport, type BenchReport } from "./report.js";

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Fewer runs and smaller workloads. Default false. */
  readonly quick?: boolean;
  /** Leave out the Kafka figure (no broker needed). Default false. */
  readonly skipKafka?: boolean;
  /** Environment (KAFKA_BROKERS). Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

const RUN_PART = new URL("./run-part.js", import.meta.url);
const KAFKA_SCRIPT = new URL("../../scripts/kafka/kafka.mjs", import.meta.url);
const PART_TIMEOUT_MS = 300_000;
/** Processes the pipeline part runs in (one with --quick). */
const PIPELINE_PROCESSES = 3;

/** Runs one part in a fresh `node --expose-gc` process and parses its result line. */
export function runPartInChild(name: PartName, options: PartOptions): Promise<PartResult> {
  const args = ["--expose-gc", fileURLToPath(RUN_PART), name, JSON.stringify(options)];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { timeout: PART_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err !== null) {
          const tail = stderr.trim().split("\n").slice(-3).join(" | ");
          reject(new Error(`${err.message.split("\n")[0] ?? ""}${tail === "" ? "" : `: ${tail}`}`));
          return;
        }
        const line = stdout.trim().split("\n").pop() ?? "";
        try {
          resolve(JSON.parse(line) as PartResult);
        } catch {
          reject(new Error(`unreadable result: ${line.slice(0, 200)}`));
        }
      },
    );
  });
}

/** The local broker helpers of scripts/kafka (present in a clone, not in the published package). */
interface KafkaScripts {
  acquireTestBroker(o?: {
    log?: (line: string) => void;
  }): Promise<{ lease: string; bootstrap: string; startedHere: boolean }>;
  releaseTestBroker(lease: string, o?: { log?: (line: string) => void }): Promise<{ stopped: boolean }>;
}

/**
 * Brokers for the Kafka part: KAFKA_BROKERS when set; otherwise the local broker of scripts/kafka,
 * started if it is not running and stopped afterwards only if this run started it (a lease, as the
 * integration tests take). Resolves to a reason string when there is no broker to use.
 */
async function withBrokers<T>(
  o: BenchOptions,
  fn: (brokers: string[]) => Promise<T>,
): Promise<{ ok: true; value: T; note: string } | { ok: false; reason: string }> {
  const log = o.log ?? (() => undefined);
  const fromEnv = (o.env ?? process.env)["KAFKA_BROKERS"]?.trim();
  if (fromEnv !== undefined && fromEnv !== "") {
    const brokers = fromEnv
      .split(",")
      .map((b) => b.trim())
      .filter((b) => b !== "");
    return { ok: true, value: await fn(brokers), note: `KAFKA_BROKERS ${brokers.join(",")}` };
  }
  if (!existsSync(fileURLToPath(KAFKA_SCRIPT))) {
    return {
      ok: false,
      reason: "KAFKA_BROKERS is not set and scripts/kafka is not available (run from a clone)",
    };
  }
  const kafka = (await import(KAFKA_SCRIPT.href)) as KafkaScripts;
  log("Kafka: acquiring the local broker (scripts/kafka; started if not running)");
  const lease = await kafka.acquireTestBroker({ log: (l) => log(`Kafka: ${l}`) });
  try {
    const value = await fn([lease.bootstrap]);
    return {
      ok: true,
      value,
      note: `local broker ${lease.bootstrap}${lease.startedHere ? " (started for this run)" : ""}`,
    };
  } finally {
    const released = await kafka.releaseTestBroker(lease.lease);
    if (released.stopped) log("Kafka: stopped the broker this run started");
  }
}

/** Runs every part in its own process, in sequence, and assembles the report. */
export async function runBench(o: BenchOptions = {}): Promise<BenchReport> {
  const started = performance.now();
  const log = o.log ?? (() => undefined);
  const quick = o.quick ?? false;
  const results: Partial<Record<PartName, PartResult>> = {};
  const notMeasured: Record<string, string> = {};
  const seconds: Record<string, number> = {};
  const run = async (name: PartName, options: PartOptions): Promise<PartResult> => {
    log(`${name}...`);
    const t0 = performance.now();
    try {
      return await runPartInChild(name, options);
    } finally {
      seconds[name] = Math.round(((seconds[name] ?? 0) * 1000 + performance.now() - t0) / 100) / 10;
    }
  };
  const attempt = async (name: PartName, options: PartOptions = { quick }): Promise<PartResult | null> => {
    try {
      return await run(name, options);
    } catch (err) {
      notMeasured[name] = err instanceof Error ? err.message : String(err);
      log(`${name} failed: ${notMeasured[name]}`);
      return null;
    }
  };
  // The pipeline part in several processes, as JMH forks: one process's compiled code and heap
  // layout shift its passes' relative costs by several percent, so the figures are taken over the
  // repetitions of all of them (each repetition's passes still paired within their process).
  const pipelineInProcesses = async (processes: number): Promise<PartResult | null> => {
    const parts: PartResult[] = [];
    for (let i = 0; i < processes; i++) {
      const r = await attempt("pipeline");
      if (r !== null) parts.push(r);
    }
    const first = parts[0];
    if (first === undefined) return null;
    const runs = parts.map((p) => (p.details as { per_run: PipelineRuns }).per_run);
    const all: PipelineRuns = {
      plain: runs.flatMap((r) => r.plain),
      views: runs.flatMap((r) => r.views),
      sampling: runs.flatMap((r) => r.sampling),
    };
    const figures = pipelineFigures(all);
    return {
      figures: {
        pipeline_spans_per_sec: figures.pipeline_spans_per_sec,
        tail_sampling_ratio: figures.tail_sampling_ratio,
      },
      runs: { pipeline_spans_per_sec: all.plain.length, tail_sampling_ratio: all.plain.length },
      details: {
        ...first.details,
        ...figures,
        runs: all.plain.length,
        processes: parts.length,
        per_run: all,
      },
    };
  };
  for (const name of ["decode", "pipeline", "alert_latency", "rules", "model", "retrain"] as const) {
    const r =
      name === "pipeline" ? await pipelineInProcesses(quick ? 1 : PIPELINE_PROCESSES) : await attempt(name);
    if (r !== null) results[name] = r;
  }
  const buffered: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const v = (await attempt("buffered"))?.figures["bytes_per_buffered_span"];
    if (typeof v === "number") buffered.push(v);
  }
  if (buffered.length > 0) {
    results.buffered = {
      figures: { bytes_per_buffered_span: Math.round(median(buffered)) },
      runs: { bytes_per_buffered_span: buffered.length },
      details: { per_process: buffered },
    };
  }
  if (o.skipKafka === true) notMeasured["kafka"] = "skipped (--skip-kafka)";
  else {
    try {
      const k = await withBrokers(o, (brokers) => attempt("kafka", { quick, brokers }));
      if (!k.ok) notMeasured["kafka"] = k.reason;
      else if (k.value !== null)
        results.kafka = { ...k.value, details: { ...k.value.details, broker: k.note } };
    } catch (err) {
      notMeasured["kafka"] = `broker: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  const report = assembleBenchReport(
    results,
    notMeasured,
    runEnvironment(),
    Math.round(performance.now() - started),
    quick,
  );
  return { ...report, details: { ...report.details, part_seconds: seconds } };
}
