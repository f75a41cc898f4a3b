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
      this.owner.onDone(this);
    }
  }

  /** Releases the source's own hold: every span of the message has been handed over. */
  seal(): void {
    this.release();
  }
}

/**
 * Offsets of one partition in read order. The committable offset is that of the oldest message
 * not yet done (one past the last message read when all are done), so a commit never skips a
 * message that is still being worked on. Only messages not yet done are kept: one message held
 * for long (a trace waiting for its alerts' delivery) costs no memory for the done ones after it.
 */
export class PartitionOffsets {
  /** Messages not yet done, in read order (a Set keeps insertion order). */
  private readonly pending = new Set<MessageAck>();
  private first: bigint | null = null;
  private next: bigint | null = null;
  private committed: bigint | null = null;

  /** Tracks the next message read from the partition; offsets must increase. */
  begin(offset: string | bigint): MessageAck {
    const ack = new MessageAck(BigInt(offset), this);
    this.first ??= ack.offset;
    this.next = ack.offset + 1n;
    this.pending.add(ack);
    return ack;
  }

  /** @internal called by MessageAck. */
  onDone(ack: MessageAck): void {
    this.pending.delete(ack);
  }

  /** The offset to commit (next offset to read), or null when nothing new is committable. */
  pendingCommit(): string | null {
    const oldest = this.pending.values().next();
    const committable = oldest.done === true ? this.next : oldest.value.offset;
    // Nothing done yet: the first message read is still the oldest pending one.
    if (committable === null || committable === this.first || committable === this.committed) return null;
    return committable.toString();
  }

  /** Records that `offset` was committed to the broker. */
  markCommitted(offset: string): void {
    this.committed = BigInt(offset);
  }

  /** Messages read and not yet done. */
  get outstanding(): number {
    return this.pending.size;
  }
}
