import type { IncomingMessage } from 'node:http';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { GatehouseError } from '../../core/errors.ts';
import type { RequestExchange } from '../../http/exchange.ts';
import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import type { RouteOf } from '../../routes/route.ts';
import type { McpRouteDeps } from './mcp-route-handler.ts';
import { headerValue, sendRpcError } from './rpc-answers.ts';

type McpRoute = RouteOf<'mcp'>;

/** Sends the request to the route's MCP server (a URL or a tunnel); gives the status it answered. */
export async function forward(
  deps: McpRouteDeps,
  exchange: RequestExchange,
  route: McpRoute,
  body: Buffer | undefined,
  credential: { header: string; value: string } | undefined,
  tap: (headers: Record<string, string | string[]>) => Transform,
): Promise<number> {
  const { req, res } = exchange;
  const withCredential = (headers: Record<string, string | string[] | undefined>) => {
    delete headers['authorization'];
    // Answers are read on the way (lists filtered, outcomes noted): they must come uncompressed.
    headers['accept-encoding'] = 'identity';
    if (credential) headers[credential.header.toLowerCase()] = credential.value;
  };
  if (route.mcp.tunnel) {
    const replay = replayedRequest(req, body);
    await deps.tunnels.forward(
      { ...exchange, req: replay, target: { ...exchange.target, path: route.mcp.path } },
      route.mcp.tunnel,
      { rewriteHeaders: withCredential, responseTap: tap },
    );
    return res.statusCode;
  }
  const target = new URL(route.mcp.target!);
  const headers: Record<string, string | string[] | undefined> = endToEndHeaders(req.headers);
  delete headers['host'];
  delete headers['content-length'];
  withCredential(headers);
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  try {
    const upstream = await request(target, {
      method: (req.method ?? 'GET') as 'GET',
      headers: headers as Record<string, string | string[]>,
      body: body ?? null,
      dispatcher: deps.pool.agentFor(10_000),
      headersTimeout: 60_000,
      // An SSE stream may stay quiet a long time between events.
      bodyTimeout: 0,
      signal: abort.signal,
    });
    // The upstream refusing the credential Gatehouse sent is Gatehouse's to answer: its challenge
    // would send the client to the upstream's authorization server.
    if (upstream.statusCode === 401) {
      await upstream.body.dump();
      return 401;
    }
    const downstream = endToEndHeaders(upstream.headers);
    const inspector = tap(downstream);
    res.writeHead(upstream.statusCode, downstream);
    if (/text\/event-stream/i.test(headerValue(downstream['content-type']) ?? '')) res.flushHeaders();
    // The dispatcher, the route's audit and this function each watch the answer's end, and the
    // pipeline adds its own: more 'close' listeners on this one response than the default ten,
    // all gone when it ends. Past ten Node would warn of a leak that is not one.
    res.setMaxListeners(Math.max(res.getMaxListeners(), 20));
    await pipeline(upstream.body, inspector, res);
    return upstream.statusCode;
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return res.statusCode;
    }
    deps.logger.warn({ err: error, route: route.id }, 'the MCP route’s server did not answer');
    sendRpcError(
      res,
      new GatehouseError('UPSTREAM_UNREACHABLE', `the MCP server at ${target.origin} did not answer`),
      null,
      -32603,
    );
    return 502;
  } finally {
    res.off('close', onClose);
  }
}

/** The request with its body, already read here, to be read again by the tunnel. */
function replayedRequest(req: IncomingMessage, body: Buffer | undefined): IncomingMessage {
  const headers = { ...req.headers };
  delete headers['transfer-encoding'];
  headers['content-length'] = String(body?.length ?? 0);
  return Object.assign(Readable.from(body ? [body] : []), {
    url: req.url,
    method: req.method,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    rawHeaders: Object.entries(headers).flatMap(([k, v]) =>
      Array.isArray(v) ? v.flatMap((x) => [k, x]) : [k, String(v)],
    ),
    headers,
  }) as unknown as IncomingMessage;
}
