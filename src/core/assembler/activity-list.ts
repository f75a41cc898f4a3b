/** A node of {@link ActivityList}. */
export interface ActivityNode {
  prev: ActivityNode | null;
  next: ActivityNode | null;
}

/**
 * Open traces ordered by last activity, oldest first: an intrusive doubly linked list, so
 * touching, removing and taking the oldest are O(1). (Iterating a Map after many deletions
 * is not: its iterator walks over the deleted slots.)
 */
export class ActivityList<T extends ActivityNode> {
  private head: T | null = null;
  private tail: T | null = null;

  get oldest(): T | null {
    return this.head;
  }

  /** Appends `node`, or moves it to the newest end. */
  touch(node: T): void {
    if (this.tail === node) return;
    if (node.prev !== null || this.head === node) this.remove(node);
    node.prev = this.tail;
    node.next = null;
    if (this.tail !== null) this.tail.next = node;
    else this.head = node;
    this.tail = node;
  }

  remove(node: T): void {
    if (node.prev !== null) node.prev.next = node.next;
    else if (this.head === node) this.head = node.next as T | null;
    else return;
    if (node.next !== null) node.next.prev = node.prev;
    else this.tail = node.prev as T | null;
    node.prev = null;
    node.next = null;
  }

  clear(): void {
    this.head = null;
    this.tail = null;
  }
}
