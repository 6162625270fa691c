import type { Exchange } from '../../http/exchange.ts';
import { pathHasPrefix } from '../../http/request-target.ts';
import type { RouteTable } from '../../routes/route-table.ts';
import { isProtected, type ProtectedRoute } from './protected-routes.ts';

/** Where RFC 9728 puts protected resource metadata. */
export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** The route path a metadata request is for (`/` for the bare form), or undefined for other paths. */
export function metadataSubject(path: string): string | undefined {
  if (!pathHasPrefix(path, METADATA_PATH)) return undefined;
  return path.slice(METADATA_PATH.length) || '/';
}

/**
 * The metadata URL of a resource (RFC 9728 section 3.1): the well-known path goes between the
 * origin and the resource's path, so `https://app/api` has `https://app/.well-known/oauth-protected-resource/api`.
 */
export function metadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${METADATA_PATH}${path}`;
}

/**
 * The protected route whose metadata a request asks for, when another route would otherwise
 * serve that path (a host whose only protected route is at `/api`). Routing asks this first.
 */
export function metadataRoute(table: RouteTable, host: string, path: string): ProtectedRoute | undefined {
  const subject = metadataSubject(path);
  if (subject === undefined) return undefined;
  const route = table.match(host, subject);
  return isProtected(route) && route.path === subject ? route : undefined;
}

/** The metadata document of a route (RFC 9728 section 2). */
export function metadataDocument(route: ProtectedRoute, resource: string, issuer: string) {
  return {
    resource,
    authorization_servers: [issuer],
    scopes_supported: Object.keys(route.auth.scopes).sort(),
    bearer_methods_supported: ['header'],
    resource_name: resource.replace(/^https?:\/\//, ''),
  };
}

// Public documents, read by browser-based clients from other origins: anyone may read them.
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-max-age': '86400',
};

/** Answers a metadata request: the document for GET and HEAD, a CORS preflight for OPTIONS, 405 else. */
export function sendMetadata(exchange: Exchange, document: object): void {
  if (exchange.type === 'upgrade') {
    exchange.socket.end('HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    exchange.done(405);
    return;
  }
  const { req, res } = exchange;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...CORS, allow: 'GET, HEAD, OPTIONS', 'content-length': 0 }).end();
    return;
  }
  const body = JSON.stringify(document);
  res
    .writeHead(200, {
      ...CORS,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'max-age=60',
    })
    .end(req.method === 'HEAD' ? undefined : body);
}
