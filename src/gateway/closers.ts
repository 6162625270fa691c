import type { Logger } from '../core/logger.ts';

/**
 * Every part a gateway started, in the order it started: a failed start and `stop()` both close
 * them in reverse, so nothing is closed before what depends on it, and nothing is forgotten.
 */
export class Closers {
  readonly #parts: { readonly name: string; readonly close: () => unknown }[] = [];
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Registers a started part. */
  add(name: string, close: () => unknown): void {
    this.#parts.push({ name, close });
  }

  /** Closes every part, last started first; one that fails is logged and the rest still close. */
  async closeAll(): Promise<void> {
    while (this.#parts.length > 0) {
      const part = this.#parts.pop()!;
      try {
        await part.close();
      } catch (error) {
        this.#logger.error({ err: error, part: part.name }, 'closing a part of the gateway failed');
      }
    }
  }

  /** Runs a start step; if it throws, closes everything started so far and rethrows. */
  async starting<T>(step: () => T | Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      await this.closeAll();
      throw error;
    }
  }
}
