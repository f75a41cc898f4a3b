import { createWriteStream, type WriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { decodeArtifact } from "../model/codec.js";
import type { ScoredTrace } from "../domain/features.js";
import { replay, type ReplayProgress } from "../replay/replay.js";
import { defineCommand, parseCommandArgs } from "./command.js";
import { loadCliConfig } from "./load-config.js";

const USAGE = `Usage: tracewatch replay [options] FILES...

Feeds recorded spans through the detection pipeline on event time (the clock follows the span
timestamps) and prints the alerts that fire as NDJSON on stdout.

FILES: native span JSON / NDJSON, OTLP JSON (one request, or one per line), OTLP protobuf
(.pb, .bin, .otlp, .protobuf: one ExportTraceServiceRequest), TrainTicket span CSV (.csv).

Options:
  -c, --config PATH   detector config (default: the packaged config/default.yaml)
      --train FILE    span file replayed first to warm the model, emitting nothing (repeatable)
      --model FILE    start from this model artifact (a file of serve's model store, e.g.
                      models/<detector>/<version>.json): score as serve did with it
      --scores PATH   write one NDJSON line per scored trace (traceId, anomalyScore, features)
  -q, --quiet         no progress line on stderr
  -h, --help          this text

Exit codes: 0 replayed; 1 failed, or no span at all could be read from FILES (each rejected part
is listed); 2 wrong usage.
`;

/** Rejected parts listed one per line; the rest are counted. */
const MAX_LISTED = 20;

function scoreLine(s: ScoredTrace): string {
  return JSON.stringify({
    traceId: s.features.traceId,
    anomalyScore: s.anomaly_score,
    p99Baseline: s.p99_baseline,
    newEdges: s.new_edges,
    modelVersion: s.model_version,
    features: s.features,
  });
}

function progressLine(p: ReplayProgress): string {
  const at = new Date(p.eventTimeMs).toISOString();
  return `\rreplay ${p.phase}: ${p.spans}/${p.totalSpans} spans, event time ${at}`;
}

async function runReplay(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      train: { type: "string", multiple: true },
      model: { type: "string" },
      scores: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(`tracewatch replay: no span files given\n\n${USAGE}`);
    return 2;
  }
  const config = loadCliConfig(values.config, process.env);
  const model =
    values.model === undefined
      ? undefined
      : decodeArtifact(await readFile(values.model, "utf8"), values.model);
  let scores: WriteStream | undefined;
  if (values.scores !== undefined) scores = createWriteStream(values.scores);
  const progress = values.quiet !== true && process.stderr.isTTY === true;
  const summary = await replay({
    config,
    files: positionals,
    trainFiles: values.train ?? [],
    ...(model === undefined ? {} : { model }),
    onAlert: (alert) => process.stdout.write(JSON.stringify(alert) + "\n"),
    ...(scores === undefined ? {} : { onScored: (s) => scores.write(scoreLine(s) + "\n") }),
    ...(progress ? { onProgress: (p) => process.stderr.write(progressLine(p)) } : {}),
  });
  if (scores !== undefined) await new Promise<void>((done) => scores.end(done));
  if (progress) process.stderr.write("\n");
  for (const r of summary.rejected.slice(0, MAX_LISTED))
    process.stderr.write(`tracewatch replay: rejected: ${r}\n`);
  if (summary.rejected.length > MAX_LISTED)
    process.stderr.write(
      `tracewatch replay: ... and ${summary.rejected.length - MAX_LISTED} more rejected parts\n`,
    );
  if (values.quiet !== true) {
    const alerts =
      Object.entries(summary.alerts)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none";
    process.stderr.write(
      `tracewatch replay: ${summary.spans} spans, ${summary.traces} traces (${summary.warmUpTraces} during warm-up), ` +
        `${summary.retrains.installed} models trained (${summary.retrains.refused} refused), ` +
        `${summary.rejected.length} rejected parts; alerts: ${alerts}\n`,
    );
    if (summary.noModel !== null) process.stderr.write(`tracewatch replay: ${summary.noModel}\n`);
  }
  if (summary.spans === 0 && summary.rejected.length > 0) {
    process.stderr.write(
      `tracewatch replay: no span could be read from ${positionals.length === 1 ? "the file" : `the ${positionals.length} files`}, every part was rejected\n`,
    );
    return 1;
  }
  return 0;
}

export const replayCommand = defineCommand(
  "replay",
  "feed recorded span files through the pipeline on event time, print alerts as NDJSON",
  runReplay,
);
