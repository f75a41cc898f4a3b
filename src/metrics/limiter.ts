/** The label value every label of an over-limit label set is replaced with. */
export const OVERFLOW = "__overflow__";

/**
 * Bounds the number of distinct label sets one metric (or family of metrics sharing labels) can
 * create. The first `limit` distinct sets pass unchanged and stay admitted for the life of the
 * process, so their series are continuous; every later new set is folded into one series whose
 * label values are all {@link OVERFLOW}, and `onOverflow` is called for each folded observation.
 */
export class LabelLimiter<L extends string> {
  private readonly seen = new Set<string>();
  private readonly overflowLabels: Record<L, string>;

  constructor(
    private readonly labelNames: readonly L[],
    /** Distinct label sets admitted; at least 1. */
    private readonly limit: number,
    private readonly onOverflow: () => void = () => undefined,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`label limit must be a positive integer, got ${limit}`);
    this.overflowLabels = Object.fromEntries(labelNames.map((n) => [n, OVERFLOW])) as Record<L, string>;
  }

  /** The labels to record under: `labels` itself when admitted, else the overflow set. */
  admit(labels: Record<L, string>): Record<L, string> {
    // \u0000 cannot appear in a label set produced from span strings by accident of joining.
    const key = this.labelNames.map((n) => labels[n]).join("\u0000");
    if (this.seen.has(key)) return labels;
    if (this.seen.size < this.limit) {
      this.seen.add(key);
      return labels;
    }
    this.onOverflow();
    return this.overflowLabels;
  }

  /** Distinct label sets admitted so far. */
  get size(): number {
    return this.seen.size;
  }
}
