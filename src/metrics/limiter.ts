/** The label value every label of an over-limit label set is replaced with. */
export const OVERFLOW = "__overflow__";

/**
 * The series of one metric family, keyed by label values, with a bound on their number. The first
 * `limit` distinct label sets get their own series for the life of the process (so their values
 * stay continuous); every later new set shares one series whose label values are all
 * {@link OVERFLOW}, and `onOverflow` is called for each lookup that lands there.
 */
/** Series by their first label value, then the next, down to the series itself. */
type Level<S> = Map<string, Level<S> | S>;

export class SeriesTable<L extends string, S> {
  // Nested by label value instead of keyed by the joined values: looking up strings that already
  // exist (interned service and span names) neither allocates nor hashes a new key per call.
  private root: Level<S> = new Map();
  private admitted: S[] = [];
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
    const last = this.labelNames.length - 1;
    let level = this.root;
    for (let i = 0; i < last; i++) {
      const next = level.get(values[i] ?? "") as Level<S> | undefined;
      if (next === undefined) return this.admit(values);
      level = next;
    }
    const found = level.get(values[last] ?? "") as S | undefined;
    return found === undefined ? this.admit(values) : found;
  }

  /** A new label set: its own series while under the limit, else the shared overflow series. */
  private admit(values: readonly string[]): S {
    if (this.admitted.length >= this.limit) {
      this.onOverflow();
      this.overflow ??= this.create(
        Object.freeze(Object.fromEntries(this.labelNames.map((n) => [n, OVERFLOW])) as Record<L, string>),
      );
      return this.overflow;
    }
    const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ""])) as Record<
      L,
      string
    >;
    const created = this.create(Object.freeze(labels));
    const last = this.labelNames.length - 1;
    let level = this.root;
    for (let i = 0; i < last; i++) {
      const value = values[i] ?? "";
      let next = level.get(value) as Level<S> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    level.set(values[last] ?? "", created);
    this.admitted.push(created);
    return created;
  }

  /** Every series, admitted ones in creation order, then the overflow series if used. */
  *entries(): IterableIterator<S> {
    yield* this.admitted;
    if (this.overflow !== undefined) yield this.overflow;
  }

  /** Distinct label sets admitted (the overflow series excluded). */
  get size(): number {
    return this.admitted.length;
  }

  /** Forgets every series (registry reset). */
  clear(): void {
    this.root = new Map();
    this.admitted = [];
    this.overflow = undefined;
  }
}
