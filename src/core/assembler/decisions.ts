/**
 * The ids of recently completed traces, so that a span arriving after its trace was decided is
 * counted as late instead of starting a new half-trace. Bounded: the oldest ids are forgotten.
 */
export class RecentDecisions {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  add(traceId: string): void {
    if (this.capacity <= 0) return;
    this.ids.add(traceId);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (oldest.done !== true) this.ids.delete(oldest.value);
    }
  }

  has(traceId: string): boolean {
    return this.ids.has(traceId);
  }

  clear(): void {
    this.ids.clear();
  }

  get size(): number {
    return this.ids.size;
  }
}
