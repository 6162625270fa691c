import { RouteTable } from '../../routes/route-table.ts';
import type { Store } from '../../store/types.ts';

/**
 * The routing table the edge reads on every request, kept in step with the store. A change
 * (from this node or, with Redis, another) triggers a reload; `refresh()` lets a writer wait until
 * its own change is visible, so the next request after an admin call already sees it.
 */
export class RouteCatalog {
  #table = new RouteTable([]);
  readonly #store: Store;
  #loading: Promise<void> | undefined;
  #again = false;
  #unsubscribe: (() => void) | undefined;
  readonly #onError: (error: unknown) => void;

  constructor(store: Store, onError: (error: unknown) => void = () => {}) {
    this.#store = store;
    this.#onError = onError;
  }

  /** Loads the routes and follows changes from then on. */
  async start(): Promise<void> {
    this.#unsubscribe = this.#store.onChange((event) => {
      if (event.topic === 'routes') this.refresh().catch(this.#onError);
    });
    await this.refresh();
  }

  stop(): void {
    this.#unsubscribe?.();
  }

  /** The current table. */
  get table(): RouteTable {
    return this.#table;
  }

  /** Resolves once a load that began after this call has finished. */
  refresh(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    do {
      this.#again = false;
      this.#table = new RouteTable(await this.#store.routes.list());
    } while (this.#again);
  }
}
