import type { RouteHandler } from '../routes/route-handler.ts';
import type { Routed } from '../routes/routed.ts';
import type { RelayService } from './relay-service.ts';

/** Answers exchanges on relay routes; what is not the relay's goes on to the route's upstream. */
export function relayHandler(relay: RelayService): RouteHandler<Extract<Routed, { kind: 'relay' }>> {
  return {
    request: (exchange, { route }) => relay.handle(exchange, route),
    upgrade: (exchange, { route }) => relay.handleUpgrade(exchange, route),
  };
}
