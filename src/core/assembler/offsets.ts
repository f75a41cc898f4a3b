import type { AckToken } from "./types.js";

/**
 * The acknowledgement state of one source message. It starts with one hold owned by the source,
 * released by `seal()` once the message's spans were handed over; each trace that took spans
 * adds a hold and releases it when acknowledged. With no holds left the message is done.
 */
export class MessageAck implements AckToken {
  private holds = 1;
  done = false;

  constructor(
    readonly offset: bigint,
    private readonly owner: PartitionOffsets,
  ) {}

  hold(): void {
    if (this.done) throw new Error(`message ${this.offset} is already acknowledged`);
    this.holds++;
  }

  release(): void {
    if (--this.holds === 0) {
      this.done = true;
      this.owner.onDone();
    }
  }

  /** Releases the source's own hold: every span of the message has been handed over. */
  seal(): void {
    this.release();
  }
}

/**
 * Offsets of one partition in read order. The committable offset is one past the longest
 * prefix of done messages, so a commit never skips a message that is still being worked on.
 */
export class PartitionOffsets {
  private queue: MessageAck[] = [];
  private head = 0;
  private committable: bigint | null = null;
  private committed: bigint | null = null;

  /** Tracks the next message read from the partition; offsets must increase. */
  begin(offset: string | bigint): MessageAck {
    const ack = new MessageAck(BigInt(offset), this);
    this.queue.push(ack);
    return ack;
  }

  /** @internal called by MessageAck. */
  onDone(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.done) {
      this.committable = this.queue[this.head]!.offset + 1n;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** The offset to commit (next offset to read), or null when nothing new is committable. */
  pendingCommit(): string | null {
    if (this.committable === null || this.committable === this.committed) return null;
    return this.committable.toString();
  }

  /** Records that `offset` was committed to the broker. */
  markCommitted(offset: string): void {
    this.committed = BigInt(offset);
  }

  /** Messages read and not yet done. */
  get outstanding(): number {
    return this.queue.length - this.head;
  }
}
