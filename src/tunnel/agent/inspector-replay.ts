import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { InspectorError } from './errors.ts';
import type { ExchangeRecord, LocalTarget } from './local-forwarder.ts';
import { localDispatcher } from './local-forwarder.ts';

/** Headers a replay never copies: the connection to the local server sets its own. */
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

/** The header a replayed request carries, naming the exchange it replays. */
export const REPLAY_OF_HEADER = 'gatehouse-replay-of';

/** What a replay may change from the original; anything unset is sent as it was. */
export interface ReplayEdits {
  readonly method?: string;
  readonly path?: string;
  /** The whole set of request headers to send (names are case-insensitive). */
  readonly headers?: Record<string, string>;
  /** The body as UTF-8 text… */
  readonly body?: string;
  /** …or as base64, for bytes that are not text. */
  readonly bodyBase64?: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function bad(message: string): InspectorError {
  return new InspectorError('BAD_REQUEST', message);
}

/** Checks a replay's edits as the page (or a script) sent them; throws a 400 naming the field. */
export function readEdits(value: unknown): ReplayEdits {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw bad('a replay takes a JSON object: {"method", "path", "headers", "body"}, each optional');
  const edits = value as Record<string, unknown>;
  const { method, path, headers, body, bodyBase64 } = edits;
  if (method !== undefined && (typeof method !== 'string' || !TOKEN.test(method)))
    throw bad('method must be an HTTP method such as GET or POST');
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/') || /[\s]/.test(path)))
    throw bad('path must start with / and hold no spaces, e.g. /orders?id=3');
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
      throw bad('headers must be an object of names to values, e.g. {"x-debug": "1"}');
    for (const [name, v] of Object.entries(headers))
      if (!TOKEN.test(name) || typeof v !== 'string' || /[\r\n]/.test(v))
        throw bad(`header ${JSON.stringify(name)} must be a valid name with a one-line text value`);
  }
  if (body !== undefined && typeof body !== 'string') throw bad('body must be text (or use bodyBase64)');
  if (bodyBase64 !== undefined && typeof bodyBase64 !== 'string') throw bad('bodyBase64 must be base64 text');
  return edits as ReplayEdits;
}

function bodyOf(original: ExchangeRecord, edits: ReplayEdits): Buffer {
  if (edits.body !== undefined) return Buffer.from(edits.body, 'utf8');
  if (edits.bodyBase64 !== undefined) return Buffer.from(edits.bodyBase64, 'base64');
  const captured = original.requestBody.reduce((n, b) => n + b.length, 0);
  if (captured < original.bytesIn)
    throw new InspectorError(
      'BODY_NOT_CAPTURED',
      `only ${captured} of ${original.bytesIn} body bytes were kept; raise --inspect-body-limit to replay it, or send a body with the replay`,
    );
  return Buffer.concat(original.requestBody);
}

/**
 * Sends an exchange again, with the edits, straight to the local server (the public side is not
 * involved), and records what came back as a new exchange marked as a replay of the original.
 */
export async function replayExchange(
  original: ExchangeRecord,
  edits: ReplayEdits,
  target: LocalTarget,
): Promise<ExchangeRecord> {
  const body = bodyOf(original, edits);
  const method = (edits.method ?? original.method).toUpperCase();
  const path = edits.path ?? original.path;
  const given = edits.headers
    ? Object.fromEntries(Object.entries(edits.headers).map(([k, v]) => [k.toLowerCase(), v]))
    : original.requestHeaders;
  const replay: ExchangeRecord = {
    id: randomUUID(),
    method,
    path,
    requestHeaders: { ...given, [REPLAY_OF_HEADER]: original.id },
    status: 0,
    responseHeaders: {},
    startedAt: Date.now(),
    durationMs: 0,
    bytesIn: body.length,
    bytesOut: 0,
    requestBody: body.length > 0 ? [body] : [],
    responseBody: [],
    replayOf: original.id,
  };
  try {
    const headers = Object.fromEntries(Object.entries(replay.requestHeaders).filter(([k]) => !HOP.has(k)));
    const res = await request(new URL(path, target.url).toString(), {
      method: method as 'GET',
      headers,
      body: body.length > 0 ? body : null,
      dispatcher: localDispatcher,
    });
    replay.status = res.statusCode;
    replay.responseHeaders = res.headers as Record<string, string | string[]>;
    let kept = 0;
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      replay.bytesOut += b.length;
      if (kept < target.captureBytes) {
        replay.responseBody.push(b.subarray(0, target.captureBytes - kept));
        kept += Math.min(b.length, target.captureBytes - kept);
      }
    }
  } catch (error) {
    replay.status = 502;
    replay.error = error instanceof Error ? error.message : String(error);
  }
  replay.durationMs = Date.now() - replay.startedAt;
  return replay;
}
