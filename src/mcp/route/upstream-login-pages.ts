import type { ServerResponse } from 'node:http';
import { answerError, type RequestExchange } from '../../http/exchange.ts';
import type { RouteOf } from '../../routes/route.ts';
import type { McpCall } from './mcp-message.ts';
import { clientDocument, UPSTREAM_PATHS, type UpstreamLogins } from './upstream-logins.ts';

type McpRoute = RouteOf<'mcp'>;

/** JSON-RPC's code for "open this URL first" (MCP 2025-11-25 URL elicitation). */
export const URL_ELICITATION_REQUIRED = -32042;

/**
 * Answers the route's own pages for per-person upstream logins: connect (to the upstream's
 * consent), the callback from it, and Gatehouse's client metadata document. False for any other path.
 */
export async function answerUpstreamLogin(
  exchange: RequestExchange,
  route: McpRoute,
  caller: string,
  base: string,
  logins: UpstreamLogins,
): Promise<boolean> {
  const { req, res, target } = exchange;
  const prefix = route.path === '/' ? '' : route.path;
  const own = (path: string) => target.path === `${prefix}${path}`;
  if (!own(UPSTREAM_PATHS.connect) && !own(UPSTREAM_PATHS.callback) && !own(UPSTREAM_PATHS.client))
    return false;
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET' }).end();
    return true;
  }
  try {
    if (own(UPSTREAM_PATHS.connect)) {
      res
        .writeHead(302, { location: await logins.start(route, caller, base), 'cache-control': 'no-store' })
        .end();
    } else {
      await logins.finish(route, caller, new URLSearchParams(target.search));
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(connectedPage(caller));
    }
  } catch (error) {
    answerError(exchange, error);
  }
  return true;
}

/**
 * Serves Gatehouse's Client ID Metadata Document for the route's upstream logins, to anyone: an
 * upstream authorization server fetches it without logging in (list its path in `auth.public`).
 */
export function answerClientDocument(exchange: RequestExchange, route: McpRoute, base: string): boolean {
  const prefix = route.path === '/' ? '' : route.path;
  if (exchange.target.path !== `${prefix}${UPSTREAM_PATHS.client}`) return false;
  const document = clientDocument(`${base}${UPSTREAM_PATHS.callback}`, `${base}${UPSTREAM_PATHS.client}`);
  exchange.res
    .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' })
    .end(JSON.stringify(document));
  return true;
}

/** Answers a call with the URL its caller must open first to connect their upstream account (-32042). */
export function sendConnectFirst(
  res: ServerResponse,
  url: string,
  routeId: string,
  calls: readonly McpCall[],
): void {
  const answer = JSON.stringify({
    jsonrpc: '2.0',
    id: calls.find((c) => c.id !== null)?.id ?? null,
    error: {
      code: URL_ELICITATION_REQUIRED,
      message: `connect your account at the MCP server once: open ${url}`,
      data: {
        elicitations: [
          {
            mode: 'url',
            elicitationId: `connect-${routeId}`,
            url,
            message: 'Connect your account at the MCP server behind this route',
          },
        ],
      },
    },
  });
  res
    .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
    .end(answer);
}

/** The page a person sees once their upstream account is connected. */
function connectedPage(caller: string): string {
  const who = caller.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>Connected</title><h1 id="connected">Connected</h1><p>The MCP server behind this route now knows you, ${who}. Go back to your MCP client and try again.</p>`;
}
