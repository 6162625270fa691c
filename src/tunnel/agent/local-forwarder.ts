import type { Http2Session, IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { constants } from 'node:http2';
import { type Readable, Transform } from 'node:stream';
import { Agent, request } from 'undici';
import { endToEndHeaders, hopByHopNames } from '../../http/hop-by-hop.ts';
import { outboundLookup } from '../../http/outbound.ts';
import { ClientGoneError, discard, streamResponse } from '../../http/stream-response.ts';
import { TunnelError } from '../protocol/errors.ts';
import { PROTOCOL_HEADER_PREFIX, REQUEST_ID_HEADER, UPGRADE_HEADER } from '../protocol/protocol.ts';
import { closedWhole, endedWhole } from '../protocol/stream-cut.ts';
import { forwardUpgradeLocally } from './local-upgrade.ts';

/** One request the agent handled, as the inspector and status line see it. */
export interface ExchangeRecord {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  requestHeaders: Record<string, string>;
  status: number;
  responseHeaders: Record<string, string | string[]>;
  readonly startedAt: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
  /** The first bytes of each body, up to the inspector's cap. */
  requestBody: Buffer[];
  responseBody: Buffer[];
  error?: string;
  /** Set on a replay made from the inspector: the id of the exchange it replayed. */
  replayOf?: string;
  /**
   * (Protocol 2) The first bytes each way as they crossed the tunnel, heads included; headers and
   * bodies are read from them when the inspector asks (see `captured-exchange.ts`).
   */
  rawRequest?: Buffer[];
  rawResponse?: Buffer[];
}

/** A record of an exchange that starts now, nothing answered yet. */
export function newExchangeRecord(
  id: string,
  method: string,
  path: string,
  requestHeaders: Record<string, string> = {},
): ExchangeRecord {
  return {
    id,
    method,
    path,
    requestHeaders,
    status: 0,
    responseHeaders: {},
    startedAt: Date.now(),
    durationMs: 0,
    bytesIn: 0,
    bytesOut: 0,
    requestBody: [],
    responseBody: [],
  };
}

/** Where and how the agent forwards. */
export interface LocalTarget {
  readonly url: URL;
  readonly preserveHost: boolean;
  /** How many body bytes of each exchange to keep for the inspector (0 keeps none). */
  readonly captureBytes: number;
}

/** Hooks the agent reports exchanges through. */
export interface ExchangeHooks {
  onStart(record: ExchangeRecord): void;
  onEnd(record: ExchangeRecord): void;
}

/** Connections to the local server; `*.localhost` is loopback, as in a browser. */
export const localDispatcher = new Agent({
  keepAliveTimeout: 10_000,
  connect: { timeout: 10_000, lookup: outboundLookup },
});

/** Handles one stream from the edge: a public request to forward to the local server. */
export function handleTunnelStream(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  target: LocalTarget,
  hooks: ExchangeHooks,
): void {
  stream.on('error', () => {});
  const method = String(headers[':method'] ?? 'GET');
  const path = String(headers[':path'] ?? '/');
  const requestHeaders = plainHeaders(headers);
  requestHeaders['host'] = target.preserveHost
    ? String(headers[':authority'] ?? target.url.host)
    : target.url.host;
  const upgrade = headers[UPGRADE_HEADER];
  if (upgrade) {
    forwardUpgradeLocally(
      stream,
      { method, path, headers: requestHeaders, protocol: String(upgrade) },
      target,
    );
    return;
  }
  const record = newExchangeRecord(String(headers[REQUEST_ID_HEADER] ?? ''), method, path, requestHeaders);
  hooks.onStart(record);
  const hasBody = (flags & constants.NGHTTP2_FLAG_END_STREAM) === 0;
  forward(stream, record, hasBody, target).finally(() => {
    record.durationMs = Date.now() - record.startedAt;
    hooks.onEnd(record);
  });
}

async function forward(
  stream: ServerHttp2Stream,
  record: ExchangeRecord,
  hasBody: boolean,
  target: LocalTarget,
): Promise<void> {
  const session = stream.session!;
  const abort = new AbortController();
  // Aborting creates an exception object; only a stream cut mid-exchange needs it.
  stream.once('close', () => {
    if (!closedWhole(stream, session)) abort.abort();
  });
  try {
    const local = await request(new URL(record.path, target.url).toString(), {
      method: record.method as 'GET',
      headers: withoutHopByHop(record.requestHeaders),
      body: hasBody ? requestBody(stream, record, target.captureBytes, abort) : null,
      dispatcher: localDispatcher,
      signal: abort.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    record.status = local.statusCode;
    record.responseHeaders = endToEndHeaders(local.headers);
    if (stream.destroyed) {
      discard(local.body);
      return;
    }
    // Trailers cost an extra HEADERS frame per response; wait for them only when announced.
    const announcesTrailers = local.headers['trailer'] !== undefined;
    stream.respond({ ':status': local.statusCode, ...record.responseHeaders } as OutgoingHttpHeaders, {
      waitForTrailers: announcesTrailers,
    });
    if (announcesTrailers) {
      stream.once('wantTrailers', () => {
        const trailers = endToEndHeaders(local.trailers ?? {});
        stream.sendTrailers(trailers as OutgoingHttpHeaders);
      });
    }
    local.body.on('data', (chunk: Buffer) => capture(record, 'responseBody', chunk, target.captureBytes));
    await sendResponseBody(local.body, stream, session);
  } catch (error) {
    record.error = abort.signal.reason instanceof TunnelError ? abort.signal.reason.message : describe(error);
    if (stream.closed || stream.headersSent) {
      // A reset, not END_STREAM: the edge must pass on a cut, never a short answer that looks whole.
      stream.destroy(error as Error);
      return;
    }
    record.status = 502;
    const body = `Gatehouse agent: the local server at ${target.url.origin} ${record.error}.\n`;
    stream.respond({
      ':status': 502,
      'content-type': 'text/plain; charset=utf-8',
      'gatehouse-agent-error': 'local',
    });
    stream.end(body);
  }
}

/**
 * The stream's body on its way to the local server. It ends only if the edge ended the stream with
 * END_STREAM; a reset or a lost connection aborts the local request instead, so the local server
 * never takes a cut upload for a whole one.
 */
function requestBody(
  stream: ServerHttp2Stream,
  record: ExchangeRecord,
  captureBytes: number,
  abort: AbortController,
): Readable {
  // The tap sits in the pipe, so nothing flows before undici reads and backpressure holds.
  const body = tap((chunk) => capture(record, 'requestBody', chunk, captureBytes));
  stream.pipe(body, { end: false });
  stream.once('end', () => {
    if (endedWhole(stream)) body.end();
    else
      abort.abort(
        new TunnelError('TUNNEL_STREAM_FAILED', 'got an aborted request: the public request was cut short'),
      );
  });
  return body;
}

/**
 * Streams the local answer into the tunnel stream; resolves once the edge has it all, rejects with
 * {@link ClientGoneError} when the edge reset the stream first. Only the close tells: a reset stream
 * finishes too, and a stream whose request had ended closes before it finishes.
 */
async function sendResponseBody(
  body: Readable,
  stream: ServerHttp2Stream,
  session: Http2Session,
): Promise<void> {
  try {
    await streamResponse(body, stream);
  } catch (error) {
    if (!(error instanceof ClientGoneError)) throw error;
  }
  if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
  if (!closedWhole(stream, session)) throw new ClientGoneError();
}

/** Request headers as a plain record, without pseudo-headers or the tunnel protocol's own. */
function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || name.startsWith(PROTOCOL_HEADER_PREFIX) || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function withoutHopByHop(headers: Record<string, string>): Record<string, string> {
  const drop = hopByHopNames(headers['connection']);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop.has(name) && name !== 'expect'));
}

function capture(
  record: ExchangeRecord,
  side: 'requestBody' | 'responseBody',
  chunk: Buffer,
  cap: number,
): void {
  if (side === 'requestBody') record.bytesIn += chunk.length;
  else record.bytesOut += chunk.length;
  const kept = record[side].reduce((n, b) => n + b.length, 0);
  if (kept < cap) record[side].push(chunk.subarray(0, cap - kept));
}

function describe(error: unknown): string {
  const code =
    (error as { code?: string; cause?: { code?: string } })?.cause?.code ??
    (error as { code?: string })?.code;
  if (code === 'ECONNREFUSED') return 'refused the connection (is it running?)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'closed the connection';
  return `failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** A pass-through that shows each chunk to `see` on its way. */
function tap(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      see(chunk);
      callback(null, chunk);
    },
  });
}
