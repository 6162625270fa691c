import { redactSecrets } from './redact-secrets.ts';

/** Human units for a byte count: `1.2 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Fastest a terminal's status line is redrawn for counters alone. */
const PROGRESS_INTERVAL_MS = 100;

/** Off a terminal, how often a line with new counters is printed at most. */
export const PLAIN_PROGRESS_INTERVAL_MS = 5000;

/**
 * One line at the bottom of a terminal, rewritten in place; on anything that is not a terminal,
 * each distinct state is printed once as its own line instead. Counters ({@link progress}) are
 * redrawn at most ten times a second on a terminal and printed at most every
 * {@link PLAIN_PROGRESS_INTERVAL_MS} elsewhere, so a busy tunnel does not write a line per request
 * and a log never shows counters stuck at their first value. Secrets in query strings are redacted
 * from everything it prints.
 */
export class StatusLine {
  readonly #out: NodeJS.WriteStream;
  #last = '';
  #pending: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #drawnAt = 0;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  /** A new state: shown at once. */
  update(state: string): void {
    const text = redactSecrets(state);
    this.#cancelPending();
    if (text === this.#last) return;
    this.#draw(text);
  }

  /** The same state with new counters: redrawn soon on a terminal, printed now and then elsewhere. */
  progress(text: string): void {
    this.#pending = redactSecrets(text);
    if (this.#timer) return;
    const interval = this.#out.isTTY ? PROGRESS_INTERVAL_MS : PLAIN_PROGRESS_INTERVAL_MS;
    const wait = Math.max(0, this.#drawnAt + interval - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drawPending();
    }, wait);
    this.#timer.unref();
  }

  /** Prints a line above the status line. */
  log(line: string): void {
    const text = redactSecrets(line);
    if (this.#out.isTTY) this.#out.write(`\r\x1b[2K${text}\n${this.#last}`);
    else this.#out.write(`${text}\n`);
  }

  /** Shows the latest counters and leaves the cursor on a fresh line. */
  done(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#drawPending();
    if (this.#out.isTTY && this.#last) this.#out.write('\n');
  }

  #drawPending(): void {
    const next = this.#pending;
    this.#pending = undefined;
    if (next !== undefined && next !== this.#last) this.#draw(next);
  }

  #draw(text: string): void {
    this.#last = text;
    this.#drawnAt = Date.now();
    if (this.#out.isTTY)
      this.#out.write(`\r\x1b[2K${text.slice(0, Math.max(20, (this.#out.columns ?? 120) - 1))}`);
    else this.#out.write(`${text}\n`);
  }

  #cancelPending(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }
}
