/**
 * The ids of recently completed traces, so that a span arriving after its trace was decided is
 * counted as late instead of starting a new half-trace. Bounded: the oldest ids are forgotten.
 */
export class RecentDecisions {
  private readonly ids = new Set<string>();
  /**
   * The remembered ids in the order they were added, as a ring once full (`oldest` is the next to
   * go). Taking a Set's first entry instead walks over every slot its deletions left behind, up to
   * tens of thousands per call at the default capacity, on every completed trace.
   */
  private readonly order: string[] = [];
  private oldest = 0;

  constructor(private readonly capacity: number) {}

  add(traceId: string): void {
    if (this.capacity <= 0) return;
    // One hash lookup: the set grows only for an id it did not hold.
    const size = this.ids.size;
    this.ids.add(traceId);
    if (this.ids.size === size) return;
    if (this.order.length < this.capacity) {
      this.order.push(traceId);
      return;
    }
    this.ids.delete(this.order[this.oldest] as string);
    this.order[this.oldest] = traceId;
    this.oldest = (this.oldest + 1) % this.order.length;
  }

  has(traceId: string): boolean {
    return this.ids.has(traceId);
  }

  clear(): void {
    this.ids.clear();
    this.order.length = 0;
    this.oldest = 0;
  }
}
