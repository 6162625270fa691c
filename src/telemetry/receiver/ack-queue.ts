/** One message waiting for its ack's turn, its confirmation, or its sink writes. */
interface Turn {
  readonly ack: Uint8Array | undefined;
  /** The reliable sink's verdict; undefined while it is still pending. */
  ok: boolean | undefined;
  /** What is left before the message leaves the count: its ack's turn and its sink writes. */
  open: number;
}

/**
 * The acks of one connection, sent in the order the messages came even when a later message's
 * sink confirms first. Counts what is still in flight so the connection can stop reading.
 *
 * Messages whose confirmation is already known (`true`) with nothing ahead of them are acked at
 * once, without a promise: that is nearly every message when no sink is reliable, and a queue of
 * promise chains per message was the receiver's largest cost at high rates.
 */
export class AckQueue {
  readonly #send: (ack: Uint8Array) => void;
  readonly #changed: (inFlight: number) => void;
  /** Turns waiting for a confirmation, oldest first; `#head` is the first not yet over. */
  #waiting: Turn[] = [];
  #head = 0;
  #inFlight = 0;

  /** `send` writes an ack; `changed` hears the in-flight count after every change. */
  constructor(send: (ack: Uint8Array) => void, changed: (inFlight: number) => void) {
    this.#send = send;
    this.#changed = changed;
  }

  /** Messages whose ack or sink writes are still pending. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Queues one message: its `ack` goes out once every earlier one's turn is over and `confirmed`
   * is (or resolved) true; false or a rejection withholds it (the vehicle resends). The message
   * leaves the count once `settled` (all its sink writes; none when omitted) is over too.
   */
  push(ack: Uint8Array | undefined, confirmed: Promise<boolean> | boolean, settled?: Promise<unknown>): void {
    this.#inFlight++;
    this.#changed(this.#inFlight);
    const turn: Turn = {
      ack,
      ok: typeof confirmed === 'boolean' ? confirmed : undefined,
      open: settled ? 2 : 1,
    };
    if (settled) {
      const over = () => this.#close(turn);
      settled.then(over, over);
    }
    if (turn.ok !== undefined && this.#head === this.#waiting.length) {
      this.#finish(turn);
      return;
    }
    this.#waiting.push(turn);
    if (typeof confirmed !== 'boolean') {
      confirmed.then(
        (ok) => this.#confirm(turn, ok),
        () => this.#confirm(turn, false),
      );
    }
  }

  #confirm(turn: Turn, ok: boolean): void {
    turn.ok = ok;
    // Only the oldest waiting turn can unblock anything; a later one waits for it.
    const waiting = this.#waiting;
    while (this.#head < waiting.length && waiting[this.#head]!.ok !== undefined) {
      const next = waiting[this.#head]!;
      waiting[this.#head++] = undefined as unknown as Turn;
      this.#finish(next);
    }
    if (this.#head === waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    }
  }

  /** The turn's ack goes out (if confirmed) and its turn is over. */
  #finish(turn: Turn): void {
    if (turn.ok && turn.ack) {
      try {
        this.#send(turn.ack);
      } catch {
        // A socket that closed meanwhile takes no ack; the order of the others stays.
      }
    }
    this.#close(turn);
  }

  #close(turn: Turn): void {
    if (--turn.open > 0) return;
    this.#inFlight--;
    this.#changed(this.#inFlight);
  }
}
