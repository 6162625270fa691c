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

/**
 * One line at the bottom of a terminal, rewritten in place; on anything that is not a terminal,
 * each distinct state is printed once as its own line instead. Counters ({@link progress}) are
 * redrawn at most ten times a second, and only on a terminal, so a busy tunnel does not write a
 * line per request.
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
  update(text: string): void {
    this.#cancelPending();
    if (text === this.#last) return;
    this.#draw(text);
    if (!this.#out.isTTY) this.#out.write(`${text}\n`);
  }

  /** The same state with new counters: redrawn soon on a terminal, not printed elsewhere. */
  progress(text: string): void {
    if (!this.#out.isTTY) return;
    this.#pending = text;
    if (this.#timer) return;
    const wait = Math.max(0, this.#drawnAt + PROGRESS_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const next = this.#pending;
      this.#pending = undefined;
      if (next !== undefined && next !== this.#last) this.#draw(next);
    }, wait);
    this.#timer.unref();
  }

  /** Prints a line above the status line. */
  log(text: string): void {
    if (this.#out.isTTY) this.#out.write(`\r\x1b[2K${text}\n${this.#last}`);
    else this.#out.write(`${text}\n`);
  }

  /** Leaves the cursor on a fresh line. */
  done(): void {
    this.#cancelPending();
    if (this.#out.isTTY && this.#last) this.#out.write('\n');
  }

  #draw(text: string): void {
    this.#last = text;
    this.#drawnAt = Date.now();
    if (this.#out.isTTY)
      this.#out.write(`\r\x1b[2K${text.slice(0, Math.max(20, (this.#out.columns ?? 120) - 1))}`);
  }

  #cancelPending(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }
}
