/**
 * Interning of the low-cardinality strings of spans (service and operation names, attribute
 * keys): every buffered span then points at one shared string instead of carrying its own copy.
 * Bounded so that a producer sending unique names cannot grow it without limit; past the bound,
 * new strings are returned as they are.
 */
export class Interner {
  private readonly table = new Map<string, string>();

  /** @param maxEntries strings kept at most (default 100,000). */
  constructor(private readonly maxEntries = 100_000) {}

  intern(value: string): string {
    const known = this.table.get(value);
    if (known !== undefined) return known;
    if (this.table.size < this.maxEntries) this.table.set(value, value);
    return value;
  }

  get size(): number {
    return this.table.size;
  }
}

/** The process-wide interner the decoders share by default. */
export const sharedInterner = new Interner();
