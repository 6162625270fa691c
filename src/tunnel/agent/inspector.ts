import { randomBytes } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { honoErrorHandler } from '../../http/error-response.ts';
import { readCaptured } from './captured-exchange.ts';
import { InspectorError } from './errors.ts';
import { showBody, showRaw } from './exchange-body.ts';
import type { ExchangeLog } from './exchange-log.ts';
import { guardInspector } from './inspector-guard.ts';
import { INSPECTOR_CSP, INSPECTOR_PAGE } from './inspector-page.ts';
import { readEdits, replayExchange } from './inspector-replay.ts';
import type { ExchangeRecord, LocalTarget } from './local-forwarder.ts';

/** The public address a request reached: the tunnel's public URL and the path, when it is known. */
function fullUrl(publicUrl: string | null, path: string): string | null {
  return publicUrl && /^https?:/.test(publicUrl) ? new URL(path, publicUrl).toString() : null;
}

/** An exchange as the inspector API shows it; headers, bodies and raw bytes only in the detailed form. */
export function describeExchange(
  record: ExchangeRecord,
  withBodies: boolean,
  publicUrl: string | null = null,
) {
  const summary = {
    id: record.id,
    method: record.method,
    path: record.path,
    url: fullUrl(publicUrl, record.path),
    status: record.status,
    durationMs: record.durationMs,
    startedAt: new Date(record.startedAt).toISOString(),
    bytesIn: record.bytesIn,
    bytesOut: record.bytesOut,
    ...(record.error ? { error: record.error } : {}),
    ...(record.replayOf ? { replayOf: record.replayOf } : {}),
  };
  if (!withBodies) return summary;
  return {
    ...summary,
    requestHeaders: record.requestHeaders,
    responseHeaders: record.responseHeaders,
    requestBody: showBody(record.requestBody, record.bytesIn, record.requestHeaders),
    responseBody: showBody(record.responseBody, record.bytesOut, record.responseHeaders),
    // Replays are sent by the agent itself: no bytes crossed the tunnel for them.
    rawRequest: showRaw(record.rawRequest),
    rawResponse: showRaw(record.rawResponse),
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

/** A replay's edits from a JSON body; none when there is no body. */
async function editsOf(text: string) {
  if (!text.trim()) return readEdits(undefined);
  try {
    return readEdits(JSON.parse(text));
  } catch (error) {
    if (error instanceof InspectorError) throw error;
    throw new InspectorError(
      'BAD_REQUEST',
      'the replay edits are not JSON: send {"method", "path", "headers", "body"}',
    );
  }
}

/**
 * The agent's inspector: a page and a JSON API over the recent exchanges, and replay of one of
 * them, as it was or edited, straight to the local server (the public side is not involved).
 */
export function createInspectorApp(options: InspectorOptions): Hono<{ Bindings: HttpBindings }> {
  const { log, target, onReplay } = options;
  const publicUrl = () => options.tunnel().publicUrl;
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.onError(honoErrorHandler);
  app.use(secureHeaders({ referrerPolicy: 'no-referrer', contentSecurityPolicy: INSPECTOR_CSP }));
  app.use(guardInspector(options.token));
  app.get('/', (c) => c.html(INSPECTOR_PAGE));
  app.get('/api/tunnel', (c) => c.json(options.tunnel()));
  app.get('/api/requests', (c) => {
    const url = publicUrl();
    return c.json({
      tunnel: options.tunnel(),
      requests: log.list().map((r) => describeExchange(r, false, url)),
    });
  });
  app.delete('/api/requests', (c) => {
    log.clear();
    return c.body(null, 204);
  });
  app.get('/api/requests/:id', async (c) => {
    return c.json(describeExchange(await readCaptured(recorded(log, c.req.param('id'))), true, publicUrl()));
  });
  app.post('/api/requests/:id/replay', async (c) => {
    const original = await readCaptured(recorded(log, c.req.param('id')));
    const replay = await replayExchange(original, await editsOf(await c.req.text()), target);
    onReplay(replay);
    return c.json(describeExchange(replay, true, publicUrl()), 201);
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
