import type { Transform } from 'node:stream';
import { mcpCredentialOf } from '../../auth/route/route-secrets.ts';
import { verifiedIdentity } from '../../auth/route/verified-identity.ts';
import { BodyTooLargeError, readBoundedBody } from '../../core/bounded-body.ts';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { SealingKey } from '../../core/sealing.ts';
import type { UpstreamPool } from '../../edge/proxy/upstream-pool.ts';
import { publicScheme } from '../../http/forwarded.ts';
import type { RouteHandler } from '../../routes/route-handler.ts';
import type { Routed } from '../../routes/routed.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import type { TunnelService } from '../../tunnel/server/tunnel-service.ts';
import { answerInspector, type CallOutcome, type ListFilter } from './answer-inspector.ts';
import type { McpAudit } from './mcp-audit.ts';
import { callsOf, checkHeaders, HEADER_MISMATCH, type McpCall } from './mcp-message.ts';
import { grantsOf, listFilterFor, nameAllowed, patternsFor } from './mcp-policy.ts';
import { headerOf, headerValue, sendRpcError } from './rpc-answers.ts';
import { SessionOwners } from './session-owners.ts';
import { forward } from './upstream-forward.ts';
import { answerClientDocument, answerUpstreamLogin, sendConnectFirst } from './upstream-login-pages.ts';
import { UPSTREAM_PATHS, UpstreamLogins } from './upstream-logins.ts';

/** What MCP routes need from the gateway. */
export interface McpRouteDeps {
  readonly pool: UpstreamPool;
  readonly tunnels: TunnelService;
  readonly ephemeral: EphemeralRepository;
  readonly audit: McpAudit;
  readonly routeSecrets: () => SealingKey | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Believe `X-Forwarded-Proto` for the route's own URLs (`--trust-proxy`). */
  readonly trustForwarded: boolean;
}

/** Largest request body an MCP route reads to authorise it. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The handler of `mcp` routes. The route's auth has let the caller in and taken their token away;
 * here each JSON-RPC message is checked against its `Mcp-Method`/`Mcp-Name` headers and the
 * caller's tools, prompts and resources; the upstream gets the route's own credential, never the
 * caller's; list answers are filtered to what the caller may use; every call is audited.
 */
export function mcpRouteHandler(deps: McpRouteDeps): RouteHandler<Extract<Routed, { kind: 'mcp' }>> {
  const sessions = new SessionOwners(deps.ephemeral);
  const logins = new UpstreamLogins(deps.ephemeral, deps.routeSecrets, deps.clock);
  return {
    async request(exchange, { route }) {
      const { req, res } = exchange;
      const started = deps.clock();
      const base = `${publicScheme(exchange, deps.trustForwarded)}://${exchange.rawHost}${route.path === '/' ? '' : route.path}`;
      if (answerClientDocument(exchange, route, base)) return;
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
      if (await answerUpstreamLogin(exchange, route, caller, base, logins)) return;
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
      const perPerson = route.mcp.credential !== undefined && 'oauth' in route.mcp.credential;
      let upstreamToken: string | undefined;
      if (perPerson) {
        upstreamToken = await logins.tokenFor(route, caller);
        if (!upstreamToken) {
          sendConnectFirst(res, `${base}${UPSTREAM_PATHS.connect}`, route.id, calls);
          return;
        }
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
      const credential = upstreamToken
        ? { header: 'authorization', value: `Bearer ${upstreamToken}` }
        : mcpCredentialOf(route, deps.routeSecrets());
      let status = 502;
      const tap = (headers: Record<string, string | string[]>): Transform => {
        const opened = headerValue(headers['mcp-session-id']);
        if (opened && requested.some((c) => c.method === 'initialize'))
          void sessions.claim(route.id, opened, caller).catch(() => {});
        delete headers['content-length'];
        // The upstream's challenge would send the client to the upstream's own authorization server.
        delete headers['www-authenticate'];
        return answerInspector(headerValue(headers['content-type']) ?? '', watched, (id, outcome) =>
          outcomes.set(id, outcome),
        );
      };
      try {
        status = await forward(deps, exchange, route, body, credential, tap);
        if (status === 401 && !res.headersSent) {
          if (perPerson) {
            // The upstream no longer takes the person's token: they connect again.
            await logins.forget(route.id, caller);
            sendConnectFirst(res, `${base}${UPSTREAM_PATHS.connect}`, route.id, calls);
          } else
            sendRpcError(
              res,
              new GatehouseError(
                'UPSTREAM_UNREACHABLE',
                "the MCP server refused the route's credential: its operator sets mcp.credential anew",
              ),
              calls.find((c) => c.id !== null)?.id ?? null,
              -32603,
            );
        }
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
