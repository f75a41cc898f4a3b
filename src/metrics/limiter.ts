/** The label value every label of an over-limit label set is replaced with. */
export const OVERFLOW = "__overflow__";

/**
 * The series of one metric family, keyed by label values, with a bound on their number. The first
 * `limit` distinct label sets get their own series for the life of the process (so their values
 * stay continuous); every later new set shares one series whose label values are all
 * {@link OVERFLOW}, and `onOverflow` is called for each lookup that lands there.
 */
export class SeriesTable<L extends string, S> {
  private readonly series = new Map<string, S>();
  private overflow: S | undefined;

  constructor(
    private readonly labelNames: readonly L[],
    /** Distinct label sets admitted; a positive integer. */
    private readonly limit: number,
    /** Creates the state of a new series. */
    private readonly create: (labels: Readonly<Record<L, string>>) => S,
    private readonly onOverflow: () => void = () => undefined,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`label limit must be a positive integer, got ${limit}`);
  }

  /** The series of these label values (in `labelNames` order), created on first use. */
  get(values: readonly string[]): S {
    // NUL does not occur in service or span names, so joined keys of distinct sets never collide.
    const key = values.join("\u0000");
    const found = this.series.get(key);
    if (found !== undefined) return found;
    if (this.series.size < this.limit) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ""])) as Record<
        L,
        string
      >;
      const created = this.create(Object.freeze(labels));
      this.series.set(key, created);
      return created;
    }
    this.onOverflow();
    this.overflow ??= this.create(
      Object.freeze(Object.fromEntries(this.labelNames.map((n) => [n, OVERFLOW])) as Record<L, string>),
    );
    return this.overflow;
  }

  /** Every series, admitted ones in creation order, then the overflow series if used. */
  *entries(): IterableIterator<S> {
    yield* this.series.values();
    if (this.overflow !== undefined) yield this.overflow;
  }

  /** Distinct label sets admitted (the overflow series excluded). */
  get size(): number {
    return this.series.size;
  }

  /** Forgets every series (registry reset). */
  clear(): void {
    this.series.clear();
    this.overflow = undefined;
  }
}
