/**
 * Duration strings as the config writes them: an integer or decimal number followed by one unit,
 * `ms`, `s`, `m`, `h` or `d` (`500ms`, `10s`, `2.5m`, `7d`). Parsed into milliseconds.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Milliseconds, as every parsed duration in {@link Config} is. */
export type Millis = number;

/** Parses `10s` into 10000; null when the text is not a duration. Whole milliseconds only. */
export function parseDuration(text: string): Millis | null {
  const match = DURATION_RE.exec(text.trim());
  if (match === null) return null;
  const value = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (!Number.isFinite(value) || !Number.isSafeInteger(Math.round(value))) return null;
  return Math.round(value);
}

/** Renders milliseconds back into the largest exact unit (`604800000` → `7d`), for docs and logs. */
export function formatDuration(ms: Millis): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** The hint every duration error carries. */
export const DURATION_HINT = "expected e.g. 500ms, 10s, 5m, 1h, 7d";
