import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { mcpCredentialOf } from '../../auth/route/route-secrets.ts';
import { verifiedIdentity } from '../../auth/route/verified-identity.ts';
import { BodyTooLargeError, readBoundedBody } from '../../core/bounded-body.ts';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { SealingKey } from '../../core/sealing.ts';
import type { UpstreamPool } from '../../edge/proxy/upstream-pool.ts';
import { errorAnswer } from '../../http/error-response.ts';
import type { RequestExchange } from '../../http/exchange.ts';
import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import type { RouteOf } from '../../routes/route.ts';
import type { RouteHandler } from '../../routes/route-handler.ts';
import type { Routed } from '../../routes/routed.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import type { TunnelService } from '../../tunnel/server/tunnel-service.ts';
import { answerInspector, type CallOutcome, type ListFilter } from './answer-inspector.ts';
import type { McpAudit } from './mcp-audit.ts';
import { callsOf, checkHeaders, HEADER_MISMATCH, type McpCall } from './mcp-message.ts';
import { grantsOf, listFilterFor, nameAllowed, patternsFor } from './mcp-policy.ts';
import { SessionOwners } from './session-owners.ts';

/** What MCP routes need from the gateway. */
export interface McpRouteDeps {
  readonly pool: UpstreamPool;
  readonly tunnels: TunnelService;
  readonly ephemeral: EphemeralRepository;
  readonly audit: McpAudit;
  readonly routeSecrets: () => SealingKey | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Largest request body an MCP route reads to authorise it. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

type McpRoute = RouteOf<'mcp'>;

/** A JSON-RPC error answer with the HTTP status of the Gatehouse error it stands for. */
function sendRpcError(res: ServerResponse, error: unknown, id: string | number | null, code: number): void {
  const { status, headers, document } = errorAnswer(error);
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: { code, message: document.message, data: document },
  });
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/**
 * The handler of `mcp` routes. The route's auth has let the caller in and taken their token away;
 * here each JSON-RPC message is checked against its `Mcp-Method`/`Mcp-Name` headers and the
 * caller's tools, prompts and resources; the upstream gets the route's own credential, never the
 * caller's; list answers are filtered to what the caller may use; every call is audited.
 */
export function mcpRouteHandler(deps: McpRouteDeps): RouteHandler<Extract<Routed, { kind: 'mcp' }>> {
  const sessions = new SessionOwners(deps.ephemeral);
  return {
    async request(exchange, { route }) {
      const { req, res } = exchange;
      const started = deps.clock();
      const who = verifiedIdentity(req);
      if (!who) {
        sendRpcError(
          res,
          new GatehouseError('AUTH_UNAVAILABLE', 'this MCP route needs login, and no login was checked'),
          null,
          -32603,
        );
        return;
      }
      const caller = `${who.provider}:${who.login}`;
      let body: Buffer | undefined;
      let calls: McpCall[] = [];
      if (req.method === 'POST') {
        try {
          body = await readBoundedBody(req, MAX_BODY_BYTES);
          calls = callsOf(JSON.parse(body.toString('utf8')));
        } catch (error) {
          if (error instanceof BodyTooLargeError) res.shouldKeepAlive = false;
          const parse = !(error instanceof GatehouseError);
          sendRpcError(
            res,
            parse
              ? new GatehouseError('MCP_INVALID_MESSAGE', 'the body is not JSON: send a JSON-RPC 2.0 request')
              : error,
            null,
            parse ? -32700 : -32600,
          );
          return;
        }
      }
      const audit = (call: McpCall, outcome: string) =>
        void deps.audit
          .record(route.id, {
            who: caller,
            method: call.method,
            name: call.name ?? null,
            argumentsHash: call.argumentsHash ?? null,
            outcome,
            durationMs: deps.clock() - started,
          })
          .catch((error) =>
            deps.logger.warn({ err: error, route: route.id }, 'recording an MCP call failed'),
          );
      const requested = calls.filter((c) => c.method !== '');
      try {
        checkHeaders(req.headers, calls);
      } catch (error) {
        for (const call of requested) audit(call, 'header-mismatch');
        sendRpcError(res, error, calls[0]?.id ?? null, HEADER_MISMATCH);
        return;
      }
      const grants = grantsOf(route.mcp, who);
      const denied = requested.find((call) => {
        const patterns = patternsFor(grants, call.method);
        return patterns !== undefined && !nameAllowed(patterns, call.name ?? '');
      });
      if (denied) {
        for (const call of requested) audit(call, call === denied ? 'denied' : 'not sent');
        sendRpcError(
          res,
          new GatehouseError(
            'MCP_TOOL_DENIED',
            `${caller} may not use ${denied.name ?? 'that'} (${denied.method}) on this route; its operator grants it in mcp.access`,
          ),
          denied.id,
          -32602,
        );
        return;
      }
      const session = headerOf(req, 'mcp-session-id');
      if (session && !(await sessions.ownedBy(route.id, session, caller))) {
        sendRpcError(
          res,
          new GatehouseError('NOT_FOUND', 'no such MCP session for you: send initialize to begin one'),
          calls[0]?.id ?? null,
          -32001,
        );
        return;
      }

      const watched = new Map<string | number, ListFilter | undefined>();
      for (const call of requested)
        if (call.id !== null) watched.set(call.id, listFilterFor(grants, call.method));
      const outcomes = new Map<string | number, CallOutcome>();
      const credential = mcpCredentialOf(route, deps.routeSecrets());
      let status = 502;
      const tap = (headers: Record<string, string | string[]>): Transform => {
        const opened = headerValue(headers['mcp-session-id']);
        if (opened && requested.some((c) => c.method === 'initialize'))
          void sessions.claim(route.id, opened, caller).catch(() => {});
        delete headers['content-length'];
        return answerInspector(headerValue(headers['content-type']) ?? '', watched, (id, outcome) =>
          outcomes.set(id, outcome),
        );
      };
      try {
        status = await forward(deps, exchange, route, body, credential, tap);
      } finally {
        for (const call of requested)
          audit(
            call,
            (call.id !== null ? outcomes.get(call.id) : undefined) ??
              (status >= 400 ? `upstream ${status}` : 'ok'),
          );
      }
    },
    async upgrade(exchange) {
      exchange.socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      exchange.done(400);
    },
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  return headerValue(req.headers[name]);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Sends the request to the route's MCP server (a URL or a tunnel); gives the status it answered. */
async function forward(
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
    const downstream = endToEndHeaders(upstream.headers);
    const inspector = tap(downstream);
    res.writeHead(upstream.statusCode, downstream);
    if (/text\/event-stream/i.test(headerValue(downstream['content-type']) ?? '')) res.flushHeaders();
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
