import type { Metric, Registry } from "prom-client";

/** Bucket counts, sum and count of one histogram series. */
export class HistogramState {
  /** Non-cumulative counts per bucket; the last one is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count += 1;
  }
}

type Labels = Readonly<Record<string, string>>;
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

interface View {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "histogram";
  readonly labelNames: readonly string[];
  readonly aggregator: "sum";
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }>;
  reset(): void;
}

function register(registry: Registry, view: View): void {
  // The registry only calls get() and reset() on a metric; these views aggregate in plain
  // arrays so recording a span costs a map lookup instead of prom-client's per-call label hashing.
  registry.registerMetric(view as unknown as Metric);
}

/** A counter family whose values are read from aggregated series at scrape time. */
export function counterView<S>(
  registry: Registry,
  def: { name: string; help: string; labelNames: readonly string[] },
  series: () => Iterable<S>,
  read: (s: S) => { labels: Labels; value: number },
  reset: () => void,
): void {
  register(registry, {
    ...def,
    type: "counter",
    aggregator: "sum",
    async get() {
      const values = [...series()].map(read).map(({ labels, value }) => ({ labels: { ...labels }, value }));
      return { name: def.name, help: def.help, type: "counter", aggregator: "sum", values };
    },
    reset,
  });
}

/** A histogram family whose buckets are read from aggregated series at scrape time. */
export function histogramView<S>(
  registry: Registry,
  def: { name: string; help: string; labelNames: readonly string[]; bounds: readonly number[] },
  series: () => Iterable<S>,
  read: (s: S) => { labels: Labels; hist: HistogramState } | null,
  reset: () => void,
): void {
  const samples = (labels: Labels, hist: HistogramState): Sample[] => {
    const out: Sample[] = [];
    let cumulative = 0;
    def.bounds.forEach((bound, i) => {
      cumulative += hist.counts[i] as number;
      out.push({ metricName: `${def.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
    });
    out.push({ metricName: `${def.name}_bucket`, labels: { ...labels, le: "+Inf" }, value: hist.count });
    out.push({ metricName: `${def.name}_sum`, labels: { ...labels }, value: hist.sum });
    out.push({ metricName: `${def.name}_count`, labels: { ...labels }, value: hist.count });
    return out;
  };
  register(registry, {
    name: def.name,
    help: def.help,
    labelNames: def.labelNames,
    type: "histogram",
    aggregator: "sum",
    async get() {
      const values: Sample[] = [];
      for (const s of series()) {
        const row = read(s);
        if (row !== null && row.hist.count > 0) values.push(...samples(row.labels, row.hist));
      }
      return { name: def.name, help: def.help, type: "histogram", aggregator: "sum", values };
    },
    reset,
  });
}
