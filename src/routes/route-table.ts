import { pathHasPrefix } from '../http/request-target.ts';
import type { Route } from './route.ts';

/** How specifically a route names its host: exact beats `*.wildcard` beats `*`. */
const HostRank = { Any: 0, Wildcard: 1, Exact: 2 } as const;
type HostRank = (typeof HostRank)[keyof typeof HostRank];

interface Entry {
  readonly route: Route;
  readonly rank: HostRank;
}

/** Orders entries best first: priority, then host specificity, then longer path, then older. */
function compare(a: Entry, b: Entry): number {
  return (
    b.route.priority - a.route.priority ||
    b.rank - a.rank ||
    b.route.path.length - a.route.path.length ||
    a.route.createdAt.localeCompare(b.route.createdAt) ||
    a.route.id.localeCompare(b.route.id)
  );
}

/**
 * An immutable, indexed snapshot of the routes: answers "which route serves this host and path"
 * without scanning every route. Rebuilt whole when routes change.
 */
export class RouteTable {
  readonly size: number;
  /** Every route in the table, in no particular order. */
  readonly routes: readonly Route[];
  readonly #exact = new Map<string, Entry[]>();
  readonly #wildcard = new Map<string, Entry[]>();
  readonly #any: Entry[] = [];

  constructor(routes: readonly Route[]) {
    this.size = routes.length;
    this.routes = routes;
    for (const route of routes) {
      if (route.host === '*') {
        this.#any.push({ route, rank: HostRank.Any });
      } else if (route.host.startsWith('*.')) {
        push(this.#wildcard, route.host.slice(2), { route, rank: HostRank.Wildcard });
      } else {
        push(this.#exact, route.host, { route, rank: HostRank.Exact });
      }
    }
    for (const list of this.#exact.values()) list.sort(compare);
    for (const list of this.#wildcard.values()) list.sort(compare);
    this.#any.sort(compare);
  }

  /** The best route for a normalised host and path, or undefined. */
  match(host: string, path: string): Route | undefined {
    const dot = host.indexOf('.');
    const candidates = [
      firstMatch(this.#exact.get(host), path),
      dot === -1 ? undefined : firstMatch(this.#wildcard.get(host.slice(dot + 1)), path),
      firstMatch(this.#any, path),
    ];
    let best: Entry | undefined;
    for (const c of candidates) if (c && (!best || compare(c, best) < 0)) best = c;
    return best?.route;
  }
}

function push(map: Map<string, Entry[]>, key: string, entry: Entry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

function firstMatch(list: readonly Entry[] | undefined, path: string): Entry | undefined {
  if (!list) return undefined;
  for (const entry of list) if (pathHasPrefix(path, entry.route.path)) return entry;
  return undefined;
}
