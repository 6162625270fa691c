/**
 * What a vehicle has to send and has not had acknowledged, by txid. A message stays until the
 * server acks its txid; after a reconnect, or once it waited longer than the ack timeout, it is
 * sent again marked as a resend. Bounded: past the limit the oldest messages are dropped, as a
 * vehicle's buffer would. Pure apart from the time passed in.
 */

/** One message waiting for its ack. */
export interface OutboxMessage<T> {
  /** Hex of the txid bytes. */
  readonly txid: string;
  readonly body: T;
  /** When it was last sent; undefined while it was never sent. */
  sentAt: number | undefined;
  /** How many times it was sent. */
  sends: number;
}

/** Counters of one outbox. */
export interface OutboxCounts {
  /** Messages written to the socket, resends included. */
  readonly sent: number;
  readonly acked: number;
  readonly resent: number;
  /** Dropped because the outbox was full. */
  readonly dropped: number;
  /** Waiting: never sent, or sent and not acked. */
  readonly pending: number;
}

/** The unacknowledged messages of one stream, in the order they were made. */
export class Outbox<T> {
  readonly #limit: number;
  readonly #messages = new Map<string, OutboxMessage<T>>();
  #sent = 0;
  #acked = 0;
  #resent = 0;
  #dropped = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Adds a new message. */
  add(txid: string, body: T): void {
    this.#messages.set(txid, { txid, body, sentAt: undefined, sends: 0 });
    while (this.#messages.size > this.#limit) {
      const oldest = this.#messages.keys().next().value as string;
      this.#messages.delete(oldest);
      this.#dropped++;
    }
  }

  /** Removes the message the server acknowledged; false for a txid it does not hold. */
  ack(txid: string): boolean {
    if (!this.#messages.delete(txid)) return false;
    this.#acked++;
    return true;
  }

  /** Drops a message that can never be sent (counted as dropped). */
  discard(txid: string): void {
    if (this.#messages.delete(txid)) this.#dropped++;
  }

  /** Records that `message` was written to the socket at `now`. */
  markSent(message: OutboxMessage<T>, now: number): void {
    if (message.sends > 0) this.#resent++;
    message.sends++;
    message.sentAt = now;
    this.#sent++;
  }

  /** The messages to write now: never sent, or sent before `resendBefore` (ack timed out). */
  toSend(resendBefore: number): OutboxMessage<T>[] {
    const out: OutboxMessage<T>[] = [];
    for (const m of this.#messages.values()) {
      if (m.sentAt === undefined || m.sentAt < resendBefore) out.push(m);
    }
    return out;
  }

  /** After a reconnect: every message counts as not sent on this connection. */
  connectionLost(): void {
    for (const m of this.#messages.values()) m.sentAt = undefined;
  }

  /** The earliest time a sent message's ack is overdue, given the timeout; Infinity for none. */
  oldestSentAt(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const m of this.#messages.values())
      if (m.sentAt !== undefined && m.sentAt < oldest) oldest = m.sentAt;
    return oldest;
  }

  /** The counters. */
  counts(): OutboxCounts {
    return {
      sent: this.#sent,
      acked: this.#acked,
      resent: this.#resent,
      dropped: this.#dropped,
      pending: this.#messages.size,
    };
  }
}
