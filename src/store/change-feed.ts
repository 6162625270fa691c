import type { ChangeEvent } from './types.ts';

type Listener = (event: ChangeEvent) => void;

/** In-process fan-out of change events; a listener that throws does not stop the others. */
export class ChangeFeed {
  readonly #listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ChangeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not break the write that triggered it.
      }
    }
  }
}
