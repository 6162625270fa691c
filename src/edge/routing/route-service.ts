import { type Clock, dateOf } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { parseBody } from '../../http/validation-error.ts';
import {
  applyRoutePatch,
  type Route,
  type RouteInput,
  type RoutePatch,
  routeInput,
} from '../../routes/route.ts';
import type { Store } from '../../store/types.ts';
import type { RouteCatalog } from './route-catalog.ts';

/** Turns a validated route into what is stored (seals its secrets); `previous` is the stored one on a change. */
export type RoutePreparer = (next: Route, previous: Route | undefined) => Route;

/**
 * Routes as the admin API (and any other control surface) changes them: each change is
 * validated whole, stored, and visible to the next request on this node before it returns.
 */
export class RouteService {
  readonly #store: Store;
  readonly #catalog: RouteCatalog;
  readonly #clock: Clock;
  readonly #prepare: RoutePreparer;

  constructor(options: { store: Store; catalog: RouteCatalog; clock: Clock; prepare?: RoutePreparer }) {
    this.#store = options.store;
    this.#catalog = options.catalog;
    this.#clock = options.clock;
    this.#prepare = options.prepare ?? ((next) => next);
  }

  /** Every route, oldest first. */
  list(): Promise<Route[]> {
    return this.#store.routes.list();
  }

  /** One route; `NOT_FOUND` when there is none with that id. */
  async get(id: string): Promise<Route> {
    const route = await this.#store.routes.get(id);
    if (!route) throw notFound(id);
    return route;
  }

  /** Stores a new route (input already parsed by {@link routeInput}). */
  async create(input: RouteInput): Promise<Route> {
    const now = dateOf(this.#clock);
    const route: Route = this.#prepare(
      { id: newId(now.getTime()), ...input, createdAt: now.toISOString(), updatedAt: now.toISOString() },
      undefined,
    );
    await this.#store.routes.insert(route);
    await this.#catalog.refresh();
    return route;
  }

  /** Applies a patch; the result is revalidated whole, so a patch can never store what a create would refuse. */
  async update(id: string, patch: RoutePatch): Promise<Route> {
    const now = dateOf(this.#clock).toISOString();
    // Applied to the route as stored at the moment of writing, so two patches at once both count.
    const next = await this.#store.routes.update(id, (current) => {
      const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = applyRoutePatch(current, patch, now);
      const checked = parseBody(routeInput, fields);
      return this.#prepare(
        { ...checked, id: current.id, createdAt: current.createdAt, updatedAt: now },
        current,
      );
    });
    if (!next) throw notFound(id);
    await this.#catalog.refresh();
    return next;
  }

  /** Deletes a route; `NOT_FOUND` when there is none with that id. */
  async delete(id: string): Promise<void> {
    if (!(await this.#store.routes.delete(id))) throw notFound(id);
    await this.#catalog.refresh();
  }
}

function notFound(id: string): GatehouseError<'NOT_FOUND'> {
  return new GatehouseError('NOT_FOUND', `no route with id ${id}`, { field: 'id' });
}
