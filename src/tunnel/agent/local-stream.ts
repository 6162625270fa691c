import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { outboundLookup } from '../../http/outbound.ts';
import { InfoKind } from '../protocol/mux-frames.ts';
import type { MuxStream } from '../protocol/mux-stream.ts';
import {
  type ExchangeHooks,
  type ExchangeRecord,
  type LocalTarget,
  newExchangeRecord,
} from './local-forwarder.ts';

/** How long connecting to the local server may take. */
const CONNECT_TIMEOUT_MS = 10_000;

/** A connection to the local HTTP server (TLS for an https URL; `*.localhost` is loopback). */
export function connectLocal(url: URL): Socket {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  const socket = https
    ? connectTls({ host, port, servername: host, lookup: outboundLookup, ALPNProtocols: ['http/1.1'] })
    : connectTcp({ host, port, lookup: outboundLookup });
  socket.setNoDelay(true);
  socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error('connecting timed out')));
  socket.once(https ? 'secureConnect' : 'connect', () => socket.setTimeout(0));
  return socket;
}

/** Why a local connection failed, in words for the person at the agent. */
export function describeLocalFailure(error: unknown): string {
  const code = (error as { code?: string })?.code;
  if (code === 'ECONNREFUSED') return 'refused the connection (is it running?)';
  if (code === 'ECONNRESET') return 'closed the connection';
  return `failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Serves one HTTP stream from the edge (protocol 2): a connection to the local server whose bytes
 * pass both ways unchanged. The edge framed every request with its own HTTP parser and client, so
 * the agent parses nothing; what each exchange was (for the log and the inspector) comes in INFO
 * frames, and the first bytes each way are kept for the inspector to read when asked.
 */
export function serveLocalStream(stream: MuxStream, target: LocalTarget, hooks: ExchangeHooks): void {
  const local = connectLocal(target.url);
  let connected = false;
  let current: ExchangeRecord | undefined;
  const finish = (error?: string) => {
    const record = current;
    if (!record) return;
    current = undefined;
    if (error) record.error ??= error;
    record.durationMs = Date.now() - record.startedAt;
    hooks.onEnd(record);
  };
  stream.on('info', (payload: Buffer) => {
    const fields = payload.toString('utf8', 1).split('\n');
    if (payload[0] === InfoKind.REQUEST) {
      finish('the next request began before this one was reported over');
      current = startRecord(fields);
      hooks.onStart(current);
    } else if (payload[0] === InfoKind.RESPONSE && current) {
      current.status = Number(fields[0]) || 0;
      current.bytesIn = Number(fields[1]) || 0;
      current.bytesOut = Number(fields[2]) || 0;
      finish(fields[3] || undefined);
    }
  });
  if (target.captureBytes > 0) {
    const cap = target.captureBytes + HEAD_ALLOWANCE;
    stream.on('data', (chunk: Buffer) => current?.rawRequest && keep(current.rawRequest, chunk, cap));
    local.on('data', (chunk: Buffer) => current?.rawResponse && keep(current.rawResponse, chunk, cap));
  }
  local.once(target.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    connected = true;
  });
  local.on('error', (error) => {
    const failure = describeLocalFailure(error);
    const why = `the local server at ${target.url.origin} ${failure}`;
    if (current && current.status === 0) current.status = 502;
    finish(failure);
    // A reset, never an end: the edge answers 502 with this reason, or cuts an answer begun.
    stream.destroy(connected ? undefined : new Error(why));
  });
  stream.on('error', () => local.destroy());
  stream.once('close', () => {
    finish('the tunnel stream was cut');
    local.destroy();
  });
  local.once('close', () => {
    if (!stream.destroyed) stream.end();
  });
  stream.pipe(local);
  local.pipe(stream);
}

/** Room for request and response heads in the inspector's capture, beyond the body cap. */
const HEAD_ALLOWANCE = 16 * 1024;

function startRecord(fields: string[]): ExchangeRecord {
  return {
    ...newExchangeRecord(fields[0] ?? '', fields[1] ?? '', fields[2] ?? ''),
    rawRequest: [],
    rawResponse: [],
  };
}

function keep(kept: Buffer[], chunk: Buffer, cap: number): void {
  let size = 0;
  for (const piece of kept) size += piece.length;
  if (size < cap) kept.push(Buffer.from(chunk.subarray(0, cap - size)));
}
