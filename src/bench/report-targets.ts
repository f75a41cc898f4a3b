/** A target a figure must reach (issue 7), checked without timing anything. */
export interface Target {
  /** The figure's key in the report (dotted path for nested figures). */
  readonly figure: string;
  /** `>=` or `<=` against `value`, or `==`. */
  readonly op: ">=" | "<=" | "==";
  readonly value: number;
  /** How the target is written for humans, e.g. "≥ 10 × ml_isolation_forest_score_traces_per_sec". */
  readonly text?: string;
}

/** A target and the figure measured for it; `pass` is null when the figure is missing. */
export interface TargetResult {
  readonly figure: string;
  readonly measured: number | null;
  readonly target: string;
  readonly pass: boolean | null;
}

/** The number at a dotted `path` of `report`, or null when absent or not a finite number. */
export function figureAt(report: unknown, path: string): number | null {
  let node: unknown = report;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object") return null;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === "number" && Number.isFinite(node) ? node : null;
}

/** Checks each target against the figure at its path. */
export function checkTargets(report: unknown, targets: readonly Target[]): TargetResult[] {
  return targets.map((t) => {
    const measured = figureAt(report, t.figure);
    const pass =
      measured === null
        ? null
        : t.op === ">="
          ? measured >= t.value
          : t.op === "<="
            ? measured <= t.value
            : measured === t.value;
    const symbol = t.op === ">=" ? "≥" : t.op === "<=" ? "≤" : "=";
    return { figure: t.figure, measured, target: t.text ?? `${symbol} ${t.value}`, pass };
  });
}

/** "pass", "MISS" or "n/a" for a table cell. */
export function verdict(pass: boolean | null): string {
  return pass === null ? "n/a" : pass ? "pass" : "MISS";
}

/** Rows as a plain-text table: columns padded to their widest cell, two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
