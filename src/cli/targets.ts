import type { TargetResult } from "../bench/report-targets.js";

/**
 * Exit code of `tracewatch eval` and `tracewatch bench` when a measured figure missed its target:
 * apart from 1 (the run failed) and 2 (wrong usage), so a script can tell them apart.
 */
export const TARGET_MISSED_EXIT_CODE = 3;

function figure(t: TargetResult): string {
  return `${t.figure} ${t.measured === null ? "not measured" : String(t.measured)} (target ${t.target})`;
}

/**
 * The exit code for a finished run: 0 when no measured figure missed its target (a figure not
 * measured is no miss), else {@link TARGET_MISSED_EXIT_CODE}, or 0 with `reportOnly`. Misses are
 * listed on stderr either way.
 */
export function targetsExitCode(
  command: string,
  targets: readonly TargetResult[],
  reportOnly: boolean,
): number {
  const missed = targets.filter((t) => t.pass === false);
  if (missed.length === 0) return 0;
  const code = reportOnly ? 0 : TARGET_MISSED_EXIT_CODE;
  process.stderr.write(
    `tracewatch ${command}: ${missed.length} of ${targets.length} targets missed: ${missed.map(figure).join("; ")} ` +
      `(exit code ${code}${reportOnly ? ", --report-only" : "; --report-only exits 0"})\n`,
  );
  return code;
}
