import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { request } from 'undici';
import type { ExchangeLog } from './exchange-log.ts';
import { INSPECTOR_PAGE } from './inspector-page.ts';
import type { ExchangeRecord, LocalTarget } from './local-forwarder.ts';

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

/**
 * The agent's inspector: a page and a JSON API over the recent exchanges, and replay of one of
 * them straight to the local server (the public side is not involved in a replay).
 */
export function createInspectorApp(
  log: ExchangeLog,
  target: LocalTarget,
  onReplay: (record: ExchangeRecord) => void,
): Hono {
  const app = new Hono();
  app.get('/', (c) => c.html(INSPECTOR_PAGE));
  app.get('/api/requests', (c) => c.json({ requests: log.list().map((r) => describeExchange(r, false)) }));
  app.get('/api/requests/:id', (c) => {
    const record = log.get(c.req.param('id'));
    if (!record)
      return c.json({ error: 'NOT_FOUND', message: `no recorded request ${c.req.param('id')}` }, 404);
    return c.json(describeExchange(record, true));
  });
  app.post('/api/requests/:id/replay', async (c) => {
    const original = log.get(c.req.param('id'));
    if (!original)
      return c.json({ error: 'NOT_FOUND', message: `no recorded request ${c.req.param('id')}` }, 404);
    const captured = original.requestBody.reduce((n, b) => n + b.length, 0);
    if (captured < original.bytesIn) {
      return c.json(
        {
          error: 'BODY_NOT_CAPTURED',
          message: `only ${captured} of ${original.bytesIn} body bytes were kept; raise --inspect-body-limit to replay it`,
        },
        409,
      );
    }
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
