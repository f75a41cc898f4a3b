/**
 * A strict checker of the Prometheus text exposition format (version 0.0.4), written from the
 * format's specification: metric and label name syntax, label value escaping, sample values,
 * HELP/TYPE placement, contiguous families, unique series and histogram invariants.
 * Returns the list of violations (empty when the text is valid).
 */
const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = "(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|NaN)";
const SAMPLE_RE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (${VALUE})(?: (-?\\d+))?$`,
);
const LABEL_RE = new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`, "g");
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function familyOf(sample: string, types: Map<string, string>): string {
  for (const suffix of ["_bucket", "_count", "_sum"]) {
    const base = sample.slice(0, -suffix.length);
    if (sample.endsWith(suffix) && (types.get(base) === "histogram" || types.get(base) === "summary"))
      return base;
  }
  return sample;
}

function checkHistograms(samples: ParsedSample[], types: Map<string, string>, problems: string[]): void {
  const series = new Map<string, { le: number; value: number }[]>();
  const counts = new Map<string, number>();
  for (const s of samples) {
    const base = familyOf(s.name, types);
    if (types.get(base) !== "histogram") continue;
    const { le, ...rest } = s.labels;
    const key = `${base}${JSON.stringify(rest)}`;
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) problems.push(`${s.name}: bucket without le`);
      else
        series.set(key, [
          ...(series.get(key) ?? []),
          { le: le === "+Inf" ? Infinity : Number(le), value: s.value },
        ]);
    } else if (s.name.endsWith("_count")) counts.set(key, s.value);
  }
  for (const [key, buckets] of series) {
    for (let i = 1; i < buckets.length; i++) {
      const prev = buckets[i - 1]!;
      const cur = buckets[i]!;
      if (!(cur.le > prev.le) || cur.value < prev.value)
        problems.push(`${key}: buckets not increasing at le=${cur.le}`);
    }
    const last = buckets[buckets.length - 1];
    if (last?.le !== Infinity) problems.push(`${key}: no +Inf bucket`);
    else if (counts.get(key) !== last.value) problems.push(`${key}: +Inf bucket differs from _count`);
  }
}

export function checkExposition(text: string): { problems: string[]; samples: ParsedSample[] } {
  const problems: string[] = [];
  const samples: ParsedSample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const seriesSeen = new Set<string>();
  const closed = new Set<string>();
  let current: string | null = null;
  if (!text.endsWith("\n")) problems.push("text does not end with a newline");
  for (const [n, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const at = `line ${n + 1}`;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name = "", rest = ""] = meta;
      if (!new RegExp(`^${NAME}$`).test(name)) problems.push(`${at}: bad metric name ${name}`);
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) problems.push(`${at}: unknown type ${rest}`);
        if (types.has(name)) problems.push(`${at}: second TYPE for ${name}`);
        if (samples.some((s) => familyOf(s.name, types) === name))
          problems.push(`${at}: TYPE after samples of ${name}`);
        types.set(name, rest);
      } else {
        if (helps.has(name)) problems.push(`${at}: second HELP for ${name}`);
        helps.add(name);
      }
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = SAMPLE_RE.exec(line);
    if (m === null) {
      problems.push(`${at}: not a valid sample: ${line}`);
      continue;
    }
    const name = m[1]!;
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? "").matchAll(LABEL_RE)) {
      if (lm[1]! in labels) problems.push(`${at}: duplicate label ${lm[1]}`);
      labels[lm[1]!] = lm[2]!.replace(/\\([\\"n])/g, (_all, c: string) => (c === "n" ? "\n" : c));
    }
    const family = familyOf(name, types);
    if (family !== current) {
      if (closed.has(family)) problems.push(`${at}: samples of ${family} are not contiguous`);
      if (current !== null) closed.add(current);
      current = family;
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seriesSeen.has(key)) problems.push(`${at}: duplicate series ${key}`);
    seriesSeen.add(key);
    const raw = m[3]!;
    samples.push({
      name,
      labels,
      value: raw.endsWith("Inf") ? (raw.startsWith("-") ? -Infinity : Infinity) : Number(raw),
    });
  }
  checkHistograms(samples, types, problems);
  return { problems, samples };
}
