import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { AnsweredRequest } from '../core/answered-request.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { EdgeError } from '../http/edge-error.ts';
import { errorCodeOf, sendEdgeError } from '../http/error-page.ts';
import { rawErrorCodeOf, writeRawError } from '../http/error-response.ts';
import { type AnswerKind, answerError, type Exchange } from '../http/exchange.ts';
import { type ClientInfo, clientIp } from '../http/forwarded.ts';
import { checkRequest } from '../http/request-guard.ts';
import { targetForLog } from '../http/request-target.ts';
import { type GuardPolicy, passGuards } from '../routes/guard.ts';
import { findMount, type Mount } from '../routes/mount.ts';
import { handlerFor, type RouteHandlers } from '../routes/route-handler.ts';
import { type Routed, routedName } from '../routes/routed.ts';

/** What {@link createDispatcher} puts together. */
export interface DispatchDeps {
  /** Applications answered before routing, first match wins. */
  readonly mounts: readonly Mount[];
  /** What serves a normalised host and path: a tunnel's own host, else the best route. */
  readonly resolve: (host: string, path: string) => Routed | undefined;
  /** The guards each routed exchange passes before its handler. */
  readonly guards: GuardPolicy;
  readonly handlers: RouteHandlers;
  readonly adminHosts: ReadonlySet<string>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Told of every answered exchange, for the request log; absent when that is off. */
  readonly record?: ((answered: AnsweredRequest) => void) | undefined;
  /** Who a route's login or token let through on this request. */
  readonly userOf?: ((req: IncomingMessage) => string | undefined) | undefined;
  /** When a request arrived, for its record. */
  readonly clock?: Clock | undefined;
}

/**
 * The one path every request and upgrade takes: checks, mounted applications, routing, the
 * route's guards, then its kind's handler. Returns the HTTP server's `request` and `upgrade`
 * listeners.
 */
export function createDispatcher(deps: DispatchDeps) {
  // Access lines are built here from chosen fields and never carry headers, so they skip the
  // redaction pass, which otherwise costs a measurable share of each proxied request.
  const access = deps.logger.child({}, { redact: { paths: [] } });

  const clock = deps.clock ?? systemClock;
  const record = deps.record;
  const logLine = (req: IncomingMessage, started: bigint, fields: AccessFields) => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    deps.metrics.observe(fields.kind, fields.status, seconds);
    const path = targetForLog(req.url ?? '');
    const ms = Math.round(seconds * 1e4) / 10;
    if (record && fields.from) recordOf(req, path, ms, fields, fields.from);
    access.info(
      {
        kind: fields.kind,
        method: req.method,
        host: req.headers.host,
        path,
        status: fields.status,
        ms,
        ...(fields.name ? { [fields.kind === 'tunnel' ? 'tunnel' : 'route']: fields.name } : {}),
        ...(fields.upgrade ? { upgrade: true } : {}),
        ...(fields.aborted ? { aborted: true } : {}),
      },
      'request',
    );
  };

  const recordOf = (req: IncomingMessage, path: string, ms: number, f: AccessFields, from: Start) => {
    const socket = from.socket;
    const named = f.name ?? null;
    const read = socket?.bytesRead ?? 0;
    const written = socket?.bytesWritten ?? 0;
    const mark = socket ? marks.get(socket) : undefined;
    if (socket) marks.set(socket, { read, written });
    record!({
      startedAt: from.at,
      method: req.method ?? '',
      host: (req.headers.host ?? '').toLowerCase(),
      path,
      status: f.status,
      durationMs: ms,
      bytesIn: Math.max(0, read - (mark?.read ?? 0)),
      bytesOut: Math.max(0, written - (mark?.written ?? 0)),
      ip: clientIp(socket?.remoteAddress),
      user: deps.userOf?.(req) ?? null,
      route: named !== null && f.kind !== 'tunnel' ? named : null,
      tunnel: f.kind === 'tunnel' ? named : null,
      userAgent: req.headers['user-agent'] ?? null,
      error: f.error ?? null,
    });
  };
  // Where each connection's byte counts stood when its previous exchange ended: an exchange's bytes
  // are what the socket carried since (a keep-alive connection carries one exchange after another).
  const marks = new WeakMap<Socket, { read: number; written: number }>();
  const startOf = (req: IncomingMessage): Start | undefined =>
    record ? { at: clock(), socket: req.socket } : undefined;

  const dispatch = async (exchange: Exchange): Promise<void> => {
    const { host, target } = exchange;
    const mount = findMount(deps.mounts, exchange.type, host, deps.adminHosts.has(host), target.path);
    if (mount && !(await mount.declines?.(host, target.path))) {
      exchange.label(mount.kind);
      await (exchange.type === 'request' ? mount.request!(exchange) : mount.upgrade!(exchange));
      return;
    }
    const routed = deps.resolve(host, target.path);
    if (!routed) {
      answerError(exchange, new EdgeError('ROUTE_NOT_FOUND', `No route serves ${host}${target.path}.`));
      return;
    }
    exchange.label(routed.kind === 'relay' ? 'proxy' : routed.kind, routedName(routed));
    if (!(await passGuards(deps.guards(routed), exchange, routed))) return;
    const handler = handlerFor(deps.handlers, routed);
    await (exchange.type === 'request'
      ? handler.request(exchange, routed)
      : handler.upgrade(exchange, routed));
  };

  const fail = (exchange: Exchange, error: unknown) => {
    deps.logger.error({ err: error }, 'dispatch failed');
    answerError(exchange, new EdgeError('INTERNAL', 'Gatehouse failed to answer this request.'));
  };

  const request = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const from = startOf(req);
    let kind: AnswerKind = 'edge';
    let name: string | undefined;
    res.once('close', () => {
      const status = res.headersSent ? res.statusCode : 499;
      const error = from ? errorCodeOf(res) : undefined;
      logLine(req, started, { kind, name, status, aborted: !res.writableFinished, from, error });
    });
    const checked = checkRequest(req);
    if (checked instanceof EdgeError) {
      sendEdgeError(req, res, checked);
      return;
    }
    const exchange: Exchange = {
      type: 'request',
      req,
      res,
      ...checked,
      client: clientOf(req, checked.rawHost),
      label(k, n) {
        kind = k;
        name = n;
      },
    };
    dispatch(exchange).catch((error: unknown) => fail(exchange, error));
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const started = process.hrtime.bigint();
    const from = startOf(req);
    socket.on('error', () => socket.destroy());
    let kind: AnswerKind = 'edge';
    let name: string | undefined;
    let finished = false;
    const done = (status: number) => {
      if (finished) return;
      finished = true;
      const error = from ? rawErrorCodeOf(socket) : undefined;
      logLine(req, started, { kind, name, status, upgrade: true, from, error });
    };
    const checked = checkRequest(req);
    if (checked instanceof EdgeError) {
      done(writeRawError(socket, checked));
      return;
    }
    const exchange: Exchange = {
      type: 'upgrade',
      req,
      socket,
      head,
      ...checked,
      client: clientOf(req, checked.rawHost),
      label(k, n) {
        kind = k;
        name = n;
      },
      done,
    };
    dispatch(exchange).catch((error: unknown) => fail(exchange, error));
  };

  return { request, upgrade };
}

interface AccessFields {
  readonly kind: AnswerKind;
  readonly name: string | undefined;
  readonly status: number;
  readonly upgrade?: boolean;
  readonly aborted?: boolean;
  /** Where the exchange began, when it is recorded. */
  readonly from?: Start | undefined;
  readonly error?: string | undefined;
}

/** When an exchange began, and its connection. */
interface Start {
  readonly at: number;
  readonly socket: Socket | undefined;
}

function clientOf(req: IncomingMessage, rawHost: string): ClientInfo {
  return {
    ip: clientIp(req.socket.remoteAddress),
    proto: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
    host: rawHost,
  };
}
