/**
 * When anomalies are injected. The schedule is a list of windows inside a repeating period that
 * starts after a warm-up of normal traffic; times are event-time offsets (ms) from the start of
 * the simulation, so a run is reproducible whatever its pace.
 */

/** The user-facing anomaly switches (`--anomalies latency,path,cascade,near-miss`). */
export type AnomalyCategory = "latency" | "path" | "cascade" | "near-miss";
export const ANOMALY_CATEGORIES: readonly AnomalyCategory[] = ["latency", "path", "cascade", "near-miss"];

/** What a window injects. */
export type WindowKind =
  "latency_network" | "latency_cpu" | "unusual_path" | "cascade_failure" | "near_miss_errors";

/** One injection window, repeated every period. */
export interface AnomalyWindow {
  readonly kind: WindowKind;
  /** Start within the period (ms from the period's start). */
  readonly offsetMs: number;
  /** Length of the window (ms). */
  readonly durationMs: number;
  /** Share (0..1) of the eligible traces in the window that receive the injection. */
  readonly fraction: number;
}

/** The whole schedule. */
export interface AnomalySchedule {
  /** Normal traffic only before this offset (ms, default 15 000). */
  readonly warmupMs: number;
  /** The windows repeat with this period after the warm-up (ms, default 60 000). */
  readonly periodMs: number;
  readonly windows: readonly AnomalyWindow[];
}

/**
 * Defaults: with the 15 s warm-up, the first minute of a run shows every anomaly type once:
 * network delay 15-21 s, new edge 23-29 s, cascade 31-35 s, CPU contention 37-43 s, error
 * near-misses 45-51 s; 51-75 s is normal again before the pattern repeats.
 *
 * The fractions keep injected anomalies near 1% of all traces, as rare as incidents should be:
 * at a few percent, spikes fill the top percentile of their request type and a p99 baseline
 * learned from the same traffic would absorb them. A cascade is injected into a quarter of the
 * eligible requests (a partial outage); a canary takes 30% of the traffic that reaches it.
 */
export const DEFAULT_SCHEDULE: AnomalySchedule = {
  warmupMs: 15_000,
  periodMs: 60_000,
  windows: [
    { kind: "latency_network", offsetMs: 0, durationMs: 6_000, fraction: 0.04 },
    { kind: "unusual_path", offsetMs: 8_000, durationMs: 6_000, fraction: 0.3 },
    { kind: "cascade_failure", offsetMs: 16_000, durationMs: 4_000, fraction: 0.25 },
    { kind: "latency_cpu", offsetMs: 22_000, durationMs: 6_000, fraction: 0.04 },
    { kind: "near_miss_errors", offsetMs: 30_000, durationMs: 6_000, fraction: 0.3 },
  ],
};

/** The category that switches a window kind on. */
export function windowCategory(kind: WindowKind): AnomalyCategory {
  switch (kind) {
    case "latency_network":
    case "latency_cpu":
      return "latency";
    case "unusual_path":
      return "path";
    case "cascade_failure":
      return "cascade";
    case "near_miss_errors":
      return "near-miss";
  }
}

/** A window occurrence that is active at some instant. */
export interface ActiveWindow {
  readonly window: AnomalyWindow;
  /** Index of the window in the schedule. */
  readonly index: number;
  /** Which repetition of the period (0 for the first). */
  readonly cycle: number;
  /** Absolute offsets (ms from the simulation start) of this occurrence. */
  readonly startMs: number;
  readonly endMs: number;
}

/** The first enabled window active at `offsetMs`, or null. */
export function activeWindow(
  schedule: AnomalySchedule,
  enabled: ReadonlySet<AnomalyCategory>,
  offsetMs: number,
): ActiveWindow | null {
  const rel = offsetMs - schedule.warmupMs;
  if (rel < 0 || schedule.periodMs <= 0) return null;
  const cycle = Math.floor(rel / schedule.periodMs);
  const phase = rel - cycle * schedule.periodMs;
  for (let index = 0; index < schedule.windows.length; index++) {
    const window = schedule.windows[index];
    if (window === undefined || !enabled.has(windowCategory(window.kind))) continue;
    if (phase >= window.offsetMs && phase < window.offsetMs + window.durationMs) {
      const startMs = schedule.warmupMs + cycle * schedule.periodMs + window.offsetMs;
      return { window, index, cycle, startMs, endMs: startMs + window.durationMs };
    }
  }
  return null;
}

/** Checks a schedule; returns the problems (empty when valid). */
export function validateSchedule(schedule: AnomalySchedule): string[] {
  const problems: string[] = [];
  if (!(schedule.warmupMs >= 0)) problems.push("warmupMs must be >= 0");
  if (!(schedule.periodMs > 0)) problems.push("periodMs must be > 0");
  schedule.windows.forEach((w, i) => {
    if (!(w.offsetMs >= 0 && w.durationMs > 0 && w.offsetMs + w.durationMs <= schedule.periodMs)) {
      problems.push(`windows[${i}] must lie inside the period`);
    }
    if (!(w.fraction >= 0 && w.fraction <= 1)) problems.push(`windows[${i}].fraction must be in [0, 1]`);
  });
  return problems;
}
