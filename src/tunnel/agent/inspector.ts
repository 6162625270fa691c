import { randomBytes, randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { request } from 'undici';
import { honoErrorHandler } from '../../http/error-response.ts';
import { readCaptured } from './captured-exchange.ts';
import { InspectorError } from './errors.ts';
import type { ExchangeLog } from './exchange-log.ts';
import { guardInspector } from './inspector-guard.ts';
import { INSPECTOR_PAGE } from './inspector-page.ts';
import type { ExchangeRecord, LocalTarget } from './local-forwarder.ts';
import { localDispatcher } from './local-forwarder.ts';

const HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

function bodyText(chunks: Buffer[]): { text: string; bytes: number; encoding: 'utf8' | 'base64' } {
  const buffer = Buffer.concat(chunks);
  const text = buffer.toString('utf8');
  // Binary bodies survive the trip to the page as base64.
  return text.includes('\uFFFD')
    ? { text: buffer.toString('base64'), bytes: buffer.length, encoding: 'base64' }
    : { text, bytes: buffer.length, encoding: 'utf8' };
}

/** An exchange as the inspector API shows it; bodies only in the detailed form. */
export function describeExchange(record: ExchangeRecord, withBodies: boolean) {
  const summary = {
    id: record.id,
    method: record.method,
    path: record.path,
    status: record.status,
    durationMs: record.durationMs,
    startedAt: new Date(record.startedAt).toISOString(),
    bytesIn: record.bytesIn,
    bytesOut: record.bytesOut,
    ...(record.error ? { error: record.error } : {}),
  };
  if (!withBodies) return summary;
  return {
    ...summary,
    requestHeaders: record.requestHeaders,
    responseHeaders: record.responseHeaders,
    requestBody: bodyText(record.requestBody),
    responseBody: bodyText(record.responseBody),
  };
}

/** A fresh secret for one run's inspector: 256 random bits. */
export function inspectorToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The tunnel an inspector belongs to, as its page and API show it. */
export interface InspectedTunnel {
  readonly name: string;
  /** Known once the server has accepted the connection. */
  readonly publicUrl: string | null;
  readonly state: 'connecting' | 'online' | 'offline';
  /** Why it is offline, while it is. */
  readonly reason: string | null;
  /** When it entered this state (ISO 8601). */
  readonly since: string;
  readonly local: string;
  readonly server: string;
}

/** What an inspector shows and whom it lets in. */
export interface InspectorOptions {
  readonly tunnel: () => InspectedTunnel;
  readonly log: ExchangeLog;
  readonly target: LocalTarget;
  readonly onReplay: (record: ExchangeRecord) => void;
  /** This run's token, needed by the API (see {@link guardInspector}). */
  readonly token: string;
}

/**
 * The agent's inspector: a page and a JSON API over the recent exchanges, and replay of one of
 * them straight to the local server (the public side is not involved in a replay).
 */
export function createInspectorApp(options: InspectorOptions): Hono<{ Bindings: HttpBindings }> {
  const { log, target, onReplay } = options;
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.onError(honoErrorHandler);
  app.use(secureHeaders({ referrerPolicy: 'no-referrer' }));
  app.use(guardInspector(options.token));
  app.get('/', (c) => c.html(INSPECTOR_PAGE));
  app.get('/api/tunnel', (c) => c.json(options.tunnel()));
  app.get('/api/requests', (c) =>
    c.json({ tunnel: options.tunnel(), requests: log.list().map((r) => describeExchange(r, false)) }),
  );
  app.get('/api/requests/:id', async (c) => {
    return c.json(describeExchange(await readCaptured(recorded(log, c.req.param('id'))), true));
  });
  app.post('/api/requests/:id/replay', async (c) => {
    const original = await readCaptured(recorded(log, c.req.param('id')));
    const captured = original.requestBody.reduce((n, b) => n + b.length, 0);
    if (captured < original.bytesIn)
      throw new InspectorError(
        'BODY_NOT_CAPTURED',
        `only ${captured} of ${original.bytesIn} body bytes were kept; raise --inspect-body-limit to replay it`,
      );
    const replay: ExchangeRecord = {
      id: randomUUID(),
      method: original.method,
      path: original.path,
      requestHeaders: { ...original.requestHeaders, 'gatehouse-replay-of': original.id },
      status: 0,
      responseHeaders: {},
      startedAt: Date.now(),
      durationMs: 0,
      bytesIn: captured,
      bytesOut: 0,
      requestBody: original.requestBody,
      responseBody: [],
    };
    try {
      const headers = Object.fromEntries(Object.entries(replay.requestHeaders).filter(([k]) => !HOP.has(k)));
      const res = await request(new URL(original.path, target.url).toString(), {
        method: original.method as 'GET',
        headers,
        body: captured > 0 ? Buffer.concat(original.requestBody) : null,
        dispatcher: localDispatcher,
      });
      replay.status = res.statusCode;
      replay.responseHeaders = res.headers as Record<string, string | string[]>;
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        replay.bytesOut += b.length;
        if (replay.responseBody.reduce((n, x) => n + x.length, 0) < target.captureBytes)
          replay.responseBody.push(b);
      }
    } catch (error) {
      replay.status = 502;
      replay.error = error instanceof Error ? error.message : String(error);
    }
    replay.durationMs = Date.now() - replay.startedAt;
    onReplay(replay);
    return c.json(describeExchange(replay, true), 201);
  });
  return app;
}

function recorded(log: ExchangeLog, id: string): ExchangeRecord {
  const record = log.get(id);
  if (!record)
    throw new InspectorError(
      'NOT_FOUND',
      `no recorded request ${id}; the inspector keeps only the most recent ones`,
    );
  return record;
}
