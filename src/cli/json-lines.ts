import { redactValue } from './redact-secrets.ts';

/**
 * Line-delimited JSON events on a stream, with secrets in query strings redacted. Frequent events (one per request) are gathered and
 * written once per turn of the event loop instead of one write each; any other event flushes them
 * first, so lines keep their order and state changes are never held back.
 */
export class JsonLines {
  readonly #out: NodeJS.WritableStream;
  #queued: string[] = [];
  #scheduled = false;

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
  }

  /** Writes `value` as one line; `batched` lets it wait for the end of this event-loop turn. */
  write(value: Record<string, unknown>, options: { batched?: boolean } = {}): void {
    this.#queued.push(`${JSON.stringify(redactValue(value))}\n`);
    if (!options.batched) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes whatever is queued. */
  flush(): void {
    this.#scheduled = false;
    if (this.#queued.length === 0) return;
    const text = this.#queued.join('');
    this.#queued = [];
    this.#out.write(text);
  }
}
