/**
 * The acks of one connection, sent in the order the messages came even when a later message's
 * sink confirms first. Counts what is still in flight so the connection can stop reading.
 */
export class AckQueue {
  readonly #send: (ack: Uint8Array) => void;
  readonly #changed: (inFlight: number) => void;
  #tail: Promise<void> = Promise.resolve();
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
   * resolved true; false or a rejection withholds it (the vehicle resends). The message leaves
   * the count once `settled` (all its sink writes) is over too.
   */
  push(ack: Uint8Array | undefined, confirmed: Promise<boolean>, settled: Promise<unknown>): void {
    this.#inFlight++;
    this.#changed(this.#inFlight);
    const turn = this.#tail.then(() => confirmed.catch(() => false));
    this.#tail = turn.then((ok) => {
      if (!ok || !ack) return;
      try {
        this.#send(ack);
      } catch {
        // A socket that closed meanwhile takes no ack; the order of the others stays.
      }
    });
    Promise.all([this.#tail, settled.catch(() => {})]).then(() => {
      this.#inFlight--;
      this.#changed(this.#inFlight);
    });
  }
}
