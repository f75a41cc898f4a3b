/**
 * An array-backed first-in first-out queue with O(1) amortised shift (no Array.prototype.shift
 * copying). For oldest-first bookkeeping: taking the first entry of a Map or Set instead walks over
 * every slot that earlier deletions left behind.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the oldest item; undefined when empty. */
  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head += 1;
    // Compact now and then so the array does not keep every item ever queued.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
