import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { sendEdgeError } from '../../http/error-page.ts';
import type { RouteHandler } from '../../routes/route-handler.ts';
import type { Routed } from '../../routes/routed.ts';
import { type ProxyContext, proxyRequest } from './proxy-request.ts';
import { proxyUpgrade } from './proxy-upgrade.ts';
import type { UpstreamPool } from './upstream-pool.ts';

/** The handler of proxy routes: requests and upgrades to the route's upstream URL. */
export type ProxyHandler = RouteHandler<Extract<Routed, { kind: 'proxy' }>>;

/** What the proxy handler needs. */
export interface ProxyHandlerDeps {
  readonly pool: UpstreamPool;
  readonly trustForwarded: boolean;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Forwards exchanges to the route's upstream, streaming both ways. */
export function proxyHandler(deps: ProxyHandlerDeps): ProxyHandler {
  const onError: ProxyContext['onError'] = (req, res, error) => {
    if (error.code === 'UPSTREAM_UNREACHABLE' || error.code === 'UPSTREAM_TIMEOUT') {
      deps.metrics.upstreamErrors.inc({ code: error.code });
      deps.logger.warn({ code: error.code, cause: describeCause(error.cause) }, error.message);
    }
    sendEdgeError(req, res, error);
  };
  return {
    request: (exchange, { route }) =>
      proxyRequest(exchange.req, exchange.res, route, exchange.target, exchange.client, {
        pool: deps.pool,
        trustForwarded: deps.trustForwarded,
        onError,
      }),
    upgrade: async (exchange, { route }) => {
      proxyUpgrade(exchange.req, exchange.socket, exchange.head, route, exchange.target, exchange.client, {
        trustForwarded: deps.trustForwarded,
        onDone: exchange.done,
      });
    },
  };
}

function describeCause(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: string }).code;
  return code ? `${code}: ${cause.message}` : cause.message;
}
