/** Severity levels of an alert, lowest first. */
export const SEVERITY_LEVELS = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITY_LEVELS)[number];

/**
 * The numeric weight of each level, compared with `detection.min_severity`. `medium` sits at the
 * seed's min_severity (0.7) so the seed's three alerts (medium, high, critical) all pass it while
 * user rules at `low` or `info` are evaluated, counted and not emitted. docs/alerts.md explains.
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = Object.freeze({
  info: 0.2,
  low: 0.4,
  medium: 0.7,
  high: 0.85,
  critical: 1,
});

export function isSeverity(value: string): value is Severity {
  return (SEVERITY_LEVELS as readonly string[]).includes(value);
}

/** True when an alert of `severity` is emitted under `minSeverity` (a number in [0, 1]). */
export function passesMinSeverity(severity: Severity, minSeverity: number): boolean {
  return SEVERITY_WEIGHTS[severity] >= minSeverity;
}
