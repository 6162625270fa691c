import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { outboundLookup } from '../../http/outbound.ts';
import { TunnelError } from '../protocol/errors.ts';
import {
  AGENT_HEADER,
  CONNECT_PATH,
  LOCAL_HOST_HEADER,
  PASSTHROUGH_ADDRESS_HEADER,
  PASSTHROUGH_HEADER,
  PROTOCOL_VERSION_HEADER,
  PUBLIC_URL_HEADER,
  RAW_UPGRADE,
  RAW_UPGRADE_V2,
  TUNNEL_HEADER,
} from '../protocol/protocol.ts';
import {
  rawTransport,
  type TransportKind,
  type TunnelTransport,
  webSocketTransport,
} from '../protocol/transport.ts';

/** How long the upgrade handshake may take. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Where and as whom an agent connects. */
export interface DialOptions {
  readonly server: URL;
  /** Empty when a login token connects: the server then picks the person's tunnel. */
  readonly name: string;
  readonly key: string;
  readonly version: string;
  readonly transport: TransportKind;
  readonly ca?: Buffer | undefined;
  /** Ask for TLS connections to the tunnel's name, passed through unterminated. */
  readonly passthrough?: boolean;
  /** The tunnel protocol to ask for (2 unless talking to a Gatehouse of the previous release). */
  readonly protocol: 1 | 2;
  /** (Protocol 2) The `Host` the local server expects; absent to pass the public one on. */
  readonly localHost?: string | undefined;
}

/** A connected tunnel, ready for HTTP/2. */
export interface Dialed {
  readonly transport: TunnelTransport;
  readonly publicUrl: string;
  /** Where TLS clients reach the tunnel, when passthrough was asked for and granted. */
  readonly passthroughAddress: string | undefined;
  /** The protocol the server agreed to speak. */
  readonly protocol: 1 | 2;
}

/** The server answered the upgrade with something other than 101; `status` says what it was. */
export class DialRefused extends TunnelError {
  /** The server's HTTP status (101 when it switched to another protocol than the one asked for). */
  readonly status: number;
  constructor(status: number, message: string) {
    super('TUNNEL_DIAL_REFUSED', message);
    this.status = status;
  }
}

/** Opens the agent's connection to Gatehouse; `signal` abandons it. */
export function dial(options: DialOptions, signal: AbortSignal): Promise<Dialed> {
  return options.transport === 'raw' ? dialRaw(options, signal) : dialWebSocket(options, signal);
}

function credentials(options: DialOptions): Record<string, string> {
  return {
    authorization: `Bearer ${options.key}`,
    ...(options.name ? { [TUNNEL_HEADER]: options.name } : {}),
    [AGENT_HEADER]: options.version,
    ...(options.passthrough ? { [PASSTHROUGH_HEADER]: 'tls' } : {}),
    ...(options.protocol === 2 ? { [PROTOCOL_VERSION_HEADER]: '2' } : {}),
    ...(options.protocol === 2 && options.localHost ? { [LOCAL_HOST_HEADER]: options.localHost } : {}),
  };
}

/** The protocol a server's 101 agreed to: 2 only when it says so (a previous release says nothing). */
function protocolOf(headers: IncomingMessage['headers']): 1 | 2 {
  return headers[PROTOCOL_VERSION_HEADER] === '2' ? 2 : 1;
}

/** The passthrough address on a 101, if the server granted one. */
function passthroughAddressOf(headers: IncomingMessage['headers']): string | undefined {
  const value = headers[PASSTHROUGH_ADDRESS_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function dialRaw(options: DialOptions, signal: AbortSignal): Promise<Dialed> {
  return new Promise((resolve, reject) => {
    const url = new URL(CONNECT_PATH, options.server);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'GET',
      headers: { ...credentials(options), connection: 'Upgrade', upgrade: tokenOf(options.protocol) },
      agent: false,
      lookup: outboundLookup,
      signal,
      timeout: HANDSHAKE_TIMEOUT_MS,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    req.on('timeout', () => req.destroy(new Error('the upgrade handshake timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      readRefusal(res).catch(reject);
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const token = tokenOf(options.protocol);
      if (String(res.headers.upgrade ?? '').toLowerCase() !== token) {
        socket.destroy();
        reject(new DialRefused(101, `the server switched to ${String(res.headers.upgrade)}, not ${token}`));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve({
        transport: rawTransport(socket),
        publicUrl: String(res.headers[PUBLIC_URL_HEADER] ?? ''),
        passthroughAddress: passthroughAddressOf(res.headers),
        protocol: options.protocol,
      });
    });
    req.end();
  });
}

function dialWebSocket(options: DialOptions, signal: AbortSignal): Promise<Dialed> {
  return new Promise((resolve, reject) => {
    const url = new URL(CONNECT_PATH, options.server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, {
      headers: credentials(options),
      perMessageDeflate: false,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: 64 * 1024 * 1024,
      ...(options.ca ? { ca: options.ca } : {}),
      // Passed on to the connection as it is (ws's types leave it out).
      ...({ lookup: outboundLookup } as object),
    });
    const abort = () => ws.terminate();
    signal.addEventListener('abort', abort, { once: true });
    let publicUrl = '';
    let passthroughAddress: string | undefined;
    let protocol: 1 | 2 = 1;
    ws.on('upgrade', (res) => {
      publicUrl = String(res.headers[PUBLIC_URL_HEADER] ?? '');
      passthroughAddress = passthroughAddressOf(res.headers);
      protocol = protocolOf(res.headers);
    });
    ws.on('unexpected-response', (_req, res) => {
      readRefusal(res).catch(reject);
      res.on('close', () => ws.terminate());
    });
    ws.on('error', reject);
    ws.on('close', () => reject(new Error('the connection closed during the handshake')));
    ws.once('open', () => {
      signal.removeEventListener('abort', abort);
      resolve({ transport: webSocketTransport(ws), publicUrl, passthroughAddress, protocol });
    });
  });
}

/** The raw upgrade's token for a protocol version. */
function tokenOf(protocol: 1 | 2): string {
  return protocol === 2 ? RAW_UPGRADE_V2 : RAW_UPGRADE;
}

/** True when a refusal is a Gatehouse of the previous release that knows only protocol 1. */
export function refusedAsTooNew(error: DialRefused): boolean {
  return error.status === 400 && error.message.includes(`expected Upgrade: ${RAW_UPGRADE} (or websocket)`);
}

/** Reads a refusal's JSON message (up to 4 KiB) into a {@link DialRefused}. */
function readRefusal(res: IncomingMessage): Promise<never> {
  return new Promise((_resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (body.length < 4096) body += chunk;
    });
    res.on('end', () =>
      reject(new DialRefused(res.statusCode ?? 0, messageOf(body) ?? `HTTP ${res.statusCode}`)),
    );
    res.on('error', reject);
  });
}

function messageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return body.trim() || undefined;
  }
}
