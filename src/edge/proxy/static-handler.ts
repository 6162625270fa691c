import { writeRawResponse } from '../../http/raw-response.ts';
import type { RouteHandler } from '../../routes/route-handler.ts';
import type { Routed } from '../../routes/routed.ts';

/** Answers static routes with their fixed response (a maintenance page, a redirect, robots.txt). */
export function staticHandler(): RouteHandler<Extract<Routed, { kind: 'static' }>> {
  return {
    request: async ({ req, res }, { route }) => {
      const { status, headers, body } = route.static;
      // 204 and 304 carry neither a body nor its length (RFC 9110 sections 15.3.5, 15.4.5).
      const bodiless = status === 204 || status === 304;
      res.writeHead(status, {
        ...(bodiless ? {} : { 'content-type': 'text/plain; charset=utf-8' }),
        ...headers,
        ...(bodiless ? {} : { 'content-length': Buffer.byteLength(body) }),
      });
      res.end(req.method === 'HEAD' || bodiless ? undefined : body);
    },
    // An upgrade gets the same answer; it never switches protocols.
    upgrade: async ({ socket, done }, { route }) => {
      const { status, headers, body } = route.static;
      writeRawResponse(
        socket,
        status,
        [['content-type', 'text/plain; charset=utf-8'], ...Object.entries(headers)],
        body,
      );
      done(status);
    },
  };
}
