import type { RequestExchange, UpgradeExchange } from '../http/exchange.ts';
import type { Routed, RoutedKind } from './routed.ts';

/** Answers the exchanges routed to one kind of route, requests and upgrades alike. */
export interface RouteHandler<R extends Routed = Routed> {
  request(exchange: RequestExchange, routed: R): Promise<void>;
  upgrade(exchange: UpgradeExchange, routed: R): Promise<void>;
}

/** One handler per route kind; the compiler refuses a kind without one. */
export type RouteHandlers = { readonly [K in RoutedKind]: RouteHandler<Extract<Routed, { kind: K }>> };

/** The handler for a routed exchange, typed for the union. */
export function handlerFor(handlers: RouteHandlers, routed: Routed): RouteHandler {
  return handlers[routed.kind] as RouteHandler;
}
