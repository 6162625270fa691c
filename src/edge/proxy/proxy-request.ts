import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import type { EdgeError } from '../../http/edge-error.ts';
import type { ClientInfo } from '../../http/forwarded.ts';
import type { RequestTarget } from '../../http/request-target.ts';
import { flushHeadersSoon, streamResponse } from '../../http/stream-response.ts';
import type { UpstreamRoute } from '../../routes/route.ts';
import { targetOf } from '../../routes/route-target.ts';
import { classifyUpstreamError, isClientAbort } from './classify-upstream-error.ts';
import { downstreamResponseHeaders, upstreamPath, upstreamRequestHeaders } from './upstream-headers.ts';
import type { UpstreamPool } from './upstream-pool.ts';

/** What {@link proxyRequest} needs besides the request itself. */
export interface ProxyContext {
  readonly pool: UpstreamPool;
  readonly trustForwarded: boolean;
  /** Called when the edge answers with an error instead of the upstream's response. */
  readonly onError: (req: IncomingMessage, res: ServerResponse, error: EdgeError) => void;
}

/**
 * Forwards one request to the route's upstream and streams the response back. Bodies flow in both
 * directions with backpressure; nothing is buffered whole. Resolves when the exchange is over.
 */
export async function proxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: UpstreamRoute,
  target: RequestTarget,
  client: ClientInfo,
  context: ProxyContext,
): Promise<void> {
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  try {
    const upstream = await request(targetOf(route).origin + upstreamPath(route, target.path, target.search), {
      method: req.method as 'GET',
      headers: upstreamRequestHeaders(req.rawHeaders, route, client, {
        trustForwarded: context.trustForwarded,
      }),
      body: hasBody ? req : null,
      dispatcher: context.pool.agentFor(route.timeouts.connectMs),
      headersTimeout: route.timeouts.responseMs,
      bodyTimeout: route.timeouts.idleMs,
      signal: abort.signal,
    });
    res.writeHead(upstream.statusCode, downstreamResponseHeaders(upstream.headers, route));
    flushHeadersSoon(res);
    await streamResponse(upstream.body, res);
  } catch (error) {
    if (res.headersSent || isClientAbort(error)) {
      // Mid-stream failure: the only honest signal left is to cut the connection.
      res.destroy();
      return;
    }
    context.onError(req, res, classifyUpstreamError(error, route.timeouts));
  } finally {
    res.off('close', onClose);
  }
}
