import { createServer, type IncomingMessage, request } from 'node:http';
import { Duplex } from 'node:stream';
import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import type { ExchangeRecord } from './local-forwarder.ts';

/** A duplex that reads `bytes` and then ends, and swallows whatever is written to it. */
function replaying(bytes: Buffer): Duplex {
  const duplex = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  duplex.push(bytes);
  duplex.push(null);
  return duplex;
}

/** Collects a parsed message's headers and as much of its body as was captured. */
function collect(
  message: IncomingMessage,
): Promise<{ headers: Record<string, string | string[]>; body: Buffer[] }> {
  return new Promise((resolve) => {
    const body: Buffer[] = [];
    const done = () => resolve({ headers: message.headers as Record<string, string | string[]>, body });
    message.on('data', (chunk: Buffer) => body.push(chunk));
    message.once('end', done);
    // A capture cut at the inspector's limit ends mid-body: what was kept is still shown.
    message.once('error', done);
    message.once('close', done);
  });
}

/** Parses captured request bytes with Node's HTTP server parser. */
function parseRequest(
  bytes: Buffer,
): Promise<{ headers: Record<string, string | string[]>; body: Buffer[] } | undefined> {
  return new Promise((resolve) => {
    const server = createServer((req) => {
      collect(req).then(resolve);
    });
    server.on('clientError', () => resolve(undefined));
    const socket = replaying(bytes);
    socket.once('close', () => setImmediate(() => resolve(undefined)));
    server.emit('connection', socket);
  });
}

/** Parses captured response bytes with Node's HTTP client parser; `method` tells a HEAD's answer. */
function parseResponse(
  bytes: Buffer,
  method: string,
): Promise<{ headers: Record<string, string | string[]>; body: Buffer[] } | undefined> {
  return new Promise((resolve) => {
    const req = request({ createConnection: () => replaying(bytes) as never, method, path: '/' });
    req.on('response', (res) => {
      collect(res).then(resolve);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Exchanges already parsed: the raw bytes stay for the inspector's raw view. */
const parsed = new WeakSet<ExchangeRecord>();

/**
 * Fills an exchange's headers and bodies from the bytes the agent kept (protocol 2), once it has
 * ended, when the inspector asks for them: nothing is parsed while requests flow. The parsers are
 * Node's own. The raw bytes are kept as they were, for the raw view.
 */
export async function readCaptured(record: ExchangeRecord): Promise<ExchangeRecord> {
  const { rawRequest, rawResponse } = record;
  if (!rawRequest || !rawResponse || parsed.has(record)) return record;
  // One still under way is parsed again next time, when more of it has been kept.
  if (record.status !== 0 || record.error !== undefined) parsed.add(record);
  const [sent, answered] = await Promise.all([
    parseRequest(Buffer.concat(rawRequest)),
    parseResponse(Buffer.concat(rawResponse), record.method),
  ]);
  if (sent) {
    record.requestHeaders = Object.fromEntries(
      Object.entries(sent.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(', ') : value,
      ]),
    );
    record.requestBody = sent.body;
  }
  if (answered) {
    record.responseHeaders = endToEndHeaders(answered.headers);
    record.responseBody = answered.body;
  }
  return record;
}
