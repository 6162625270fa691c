/** A one-line status on stderr (rewritten in place on a terminal, one line per step otherwise). */
export class Progress {
  readonly #tty = process.stderr.isTTY === true;
  readonly #started = Date.now();
  #step = 0;
  #total: number;

  constructor(totalSteps: number) {
    this.#total = totalSteps;
  }

  /** Adds steps discovered later (a scenario that turned out to have more to do). */
  grow(steps: number): void {
    this.#total += steps;
  }

  /** Marks the next step as running. */
  step(text: string): void {
    this.#step++;
    const elapsed = Math.round((Date.now() - this.#started) / 1000);
    const line = `[${this.#step}/${this.#total}] ${elapsed}s  ${text}`;
    if (this.#tty) process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
    else process.stderr.write(`${line}\n`);
  }

  /** Prints a line that stays, above the status line. */
  note(text: string): void {
    process.stderr.write(this.#tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }

  done(): void {
    if (this.#tty) process.stderr.write('\r\x1b[2K');
  }
}
