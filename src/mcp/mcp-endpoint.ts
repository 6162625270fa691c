import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { type AuthInfo, createMcpHandler, isLegacyRequest } from '@modelcontextprotocol/server';
import type { AdminService } from '../admin/admin-service.ts';
import type { AdminKeys } from '../auth/keys/admin-keys.ts';
import { metadataUrl, sendMetadata } from '../auth/route/protected-resource-metadata.ts';
import { resourceUrl } from '../auth/route/resource-url.ts';
import { BodyTooLargeError, readBoundedBody } from '../core/bounded-body.ts';
import type { Clock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { errorAnswer } from '../http/error-response.ts';
import type { RequestExchange } from '../http/exchange.ts';
import { publicScheme } from '../http/forwarded.ts';
import { streamResponse } from '../http/stream-response.ts';
import { adminMcpServer } from './admin-tools.ts';
import { LegacySessions } from './legacy-sessions.ts';
import { MCP_SCOPES, type McpCaller, mcpCaller, scopeStepUp, type VerifyToken } from './mcp-auth.ts';
import { scopesNeeded } from './message-scopes.ts';

/** Where Gatehouse's own MCP server answers on the admin hosts. */
export const MCP_PATH = '/mcp';

/** Largest request body `/mcp` reads: a tool call's arguments are small; a route is a few KiB. */
export const MCP_MAX_BODY_BYTES = 1024 * 1024;

/** What the endpoint works with. */
export interface McpEndpointDeps {
  readonly service: AdminService;
  readonly keys: AdminKeys;
  /** Checks an access token for the `/mcp` resource; undefined while the authorization server is down. */
  readonly verifyToken: VerifyToken | undefined;
  /** The authorization server's issuer, for the metadata; undefined until it runs. */
  readonly issuer: () => string | undefined;
  readonly trustForwarded: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The endpoint's own answer as an MCP client reads it: JSON-RPC's error shape, with the HTTP status. */
function jsonRpcError(error: unknown, id: unknown = null): Response {
  const { status, headers, document } = errorAnswer(error);
  const code = status === 401 || status === 403 ? -32001 : status === 413 ? -32600 : -32603;
  return Response.json(
    { jsonrpc: '2.0', id: id ?? null, error: { code, message: document.message, data: document } },
    { status, headers },
  );
}

/**
 * Gatehouse's own MCP server: Streamable HTTP at `/mcp` for every revision in use (2026-07-28
 * per request, 2025-06-18 and 2025-11-25 in sessions), its RFC 9728 metadata, the Origin check,
 * and the scopes each call needs, checked before any tool runs.
 */
export function mcpEndpoint(deps: McpEndpointDeps) {
  const sessions = new LegacySessions(deps.clock, { idleMs: 30 * 60_000, max: 1000 });
  const callerOf = (authInfo: AuthInfo | undefined): McpCaller => {
    const caller = authInfo?.extra?.['caller'] as McpCaller | undefined;
    if (!caller) throw new GatehouseError('INTERNAL', 'an MCP request arrived without its caller');
    return caller;
  };
  const modern = createMcpHandler(
    ({ authInfo }) => adminMcpServer(deps.service, (ctx) => callerOf(ctx ?? authInfo)),
    {
      legacy: 'reject',
      maxRequestBodySize: MCP_MAX_BODY_BYTES,
      onerror: (e) => deps.logger.debug({ err: e }, 'mcp'),
    },
  );

  const origins = (exchange: RequestExchange) => {
    const scheme = publicScheme(exchange, deps.trustForwarded);
    const own = `${scheme}://${exchange.rawHost.toLowerCase()}`;
    const issuer = deps.issuer();
    return {
      resource: resourceUrl(scheme, exchange.rawHost, MCP_PATH),
      allowed: [own, ...(issuer ? [new URL(issuer).origin] : [])],
    };
  };

  /** The metadata document of `/mcp` as this request reached it (RFC 9728 section 2). */
  const metadata = (exchange: RequestExchange) => {
    const { resource } = origins(exchange);
    const issuer = deps.issuer();
    return {
      resource,
      ...(issuer ? { authorization_servers: [issuer] } : {}),
      scopes_supported: [...MCP_SCOPES],
      bearer_methods_supported: ['header'],
      resource_name: 'Gatehouse',
    };
  };

  const serve = async (exchange: RequestExchange): Promise<Response> => {
    const { req } = exchange;
    const { resource, allowed } = origins(exchange);
    const meta = metadataUrl(resource);
    const origin = req.headers.origin;
    // A browser page elsewhere must not drive this server through a name that resolves here.
    if (origin !== undefined && !allowed.includes(origin.toLowerCase()))
      return jsonRpcError(
        new GatehouseError(
          'MCP_ORIGIN_REFUSED',
          `requests from pages at ${origin} are refused: only ${allowed.join(' or ')} may call /mcp from a browser`,
        ),
      );
    const caller = await mcpCaller(req.headers.authorization, resource, meta, deps.keys, deps.verifyToken);
    let body: Buffer | undefined;
    let parsed: unknown;
    if (req.method === 'POST') {
      body = await readBoundedBody(req, MCP_MAX_BODY_BYTES);
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const needed = scopesNeeded(parsed);
      const missing = needed.scopes.filter((s) => !caller.scopes.includes(s));
      if (missing.length > 0) return jsonRpcError(scopeStepUp(meta, needed.scopes, needed.what), needed.id);
    }
    const request = new Request(new URL(exchange.target.path + exchange.target.search, resource), {
      method: req.method ?? 'GET',
      headers: webHeaders(req.headers),
      ...(body ? { body: new Uint8Array(body) } : {}),
    });
    const authInfo: AuthInfo = {
      token: '',
      clientId: caller.id,
      scopes: [...caller.scopes],
      resource: new URL(resource),
      extra: { caller },
    };
    const options = parsed === undefined ? { authInfo } : { authInfo, parsedBody: parsed };
    if (await isLegacyRequest(request, parsed, { maxRequestBodySize: MCP_MAX_BODY_BYTES }))
      return sessions.handle(request, { ...options, parsedBody: parsed, owner: caller.id }, () =>
        adminMcpServer(deps.service, (ctx) => callerOf(ctx ?? authInfo)),
      );
    return modern.fetch(request, options);
  };

  return {
    /** Answers `/mcp` and its metadata. */
    async request(exchange: RequestExchange, isMetadata: boolean): Promise<void> {
      if (isMetadata) {
        sendMetadata(exchange, metadata(exchange));
        return;
      }
      let response: Response;
      try {
        response = await serve(exchange);
      } catch (error) {
        if (error instanceof BodyTooLargeError) exchange.res.shouldKeepAlive = false;
        if (!(error instanceof GatehouseError)) deps.logger.error({ err: error }, 'mcp request failed');
        response = jsonRpcError(error);
      }
      await sendResponse(exchange, response);
    },
    /** How many 2025-revision sessions this node holds. */
    get sessions() {
      return sessions.size;
    },
    async close(): Promise<void> {
      await sessions.close();
      await modern.close();
    },
  };
}

/** A Node request's headers as the Fetch API's. */
function webHeaders(headers: NodeJS.Dict<string | string[]>): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  return out;
}

/** Writes a Fetch response to the client, its body (an SSE stream, perhaps) with backpressure. */
async function sendResponse(exchange: RequestExchange, response: Response): Promise<void> {
  const { res } = exchange;
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  if (headers['content-type']?.includes('text/event-stream')) res.flushHeaders();
  const body = Readable.fromWeb(response.body as unknown as NodeWebStream);
  await streamResponse(body, res).catch(() => {
    body.destroy();
  });
}
