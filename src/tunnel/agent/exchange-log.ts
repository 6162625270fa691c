import type { ExchangeRecord } from './local-forwarder.ts';

/** The most recent exchanges, newest first, capped in count. */
export class ExchangeLog {
  readonly #records: ExchangeRecord[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(record: ExchangeRecord): void {
    this.#records.unshift(record);
    if (this.#records.length > this.#limit) this.#records.length = this.#limit;
  }

  list(): readonly ExchangeRecord[] {
    return this.#records;
  }

  /** Forgets every exchange (the inspector's Clear). */
  clear(): void {
    this.#records.length = 0;
  }

  get(id: string): ExchangeRecord | undefined {
    return this.#records.find((r) => r.id === id);
  }
}
