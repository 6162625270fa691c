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

/**
 * One line at the bottom of a terminal, rewritten in place; on anything that is not a terminal,
 * each distinct state is printed once as its own line instead.
 */
export class StatusLine {
  readonly #out: NodeJS.WriteStream;
  #last = '';

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  update(text: string): void {
    if (text === this.#last) return;
    this.#last = text;
    if (this.#out.isTTY)
      this.#out.write(`\r\x1b[2K${text.slice(0, Math.max(20, (this.#out.columns ?? 120) - 1))}`);
    else this.#out.write(`${text}\n`);
  }

  /** Prints a line above the status line. */
  log(text: string): void {
    if (this.#out.isTTY) this.#out.write(`\r\x1b[2K${text}\n${this.#last}`);
    else this.#out.write(`${text}\n`);
  }

  /** Leaves the cursor on a fresh line. */
  done(): void {
    if (this.#out.isTTY && this.#last) this.#out.write('\n');
  }
}
