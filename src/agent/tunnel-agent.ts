import { EventEmitter } from 'node:events';
import { performServerHandshake, type ServerHttp2Session } from 'node:http2';
import { WebSocket } from 'ws';
import { AGENT_HEADER, CONNECT_PATH, PUBLIC_URL_HEADER, TUNNEL_HEADER } from '../tunnel/protocol.ts';
import { MAX_FRAME, SESSION_WINDOW, STREAM_WINDOW } from '../tunnel/tunnel-session.ts';
import { webSocketDuplex } from '../tunnel/websocket-duplex.ts';
import { backoffDelay } from './backoff.ts';
import { type ExchangeRecord, handleTunnelStream, type LocalTarget } from './local-forwarder.ts';

/** Settings of a {@link TunnelAgent}. */
export interface AgentOptions {
  readonly server: URL;
  readonly name: string;
  readonly key: string;
  readonly local: LocalTarget;
  readonly version: string;
  readonly heartbeatMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** Give up after this long without a connection (0: never). */
  readonly retryForMs?: number;
  /** Extra CA certificates (PEM) to trust for a `https` server, e.g. a private one. */
  readonly ca?: Buffer | undefined;
}

/** Why the agent stopped for good. */
export type FatalReason =
  | { kind: 'bad-key'; message: string }
  | { kind: 'no-such-tunnel'; message: string }
  | { kind: 'unreachable'; message: string };

/** Events of a {@link TunnelAgent}. */
export interface AgentEvents {
  connecting: [attempt: number];
  online: [publicUrl: string];
  offline: [reason: string, retryInMs: number];
  request: [record: ExchangeRecord];
  response: [record: ExchangeRecord];
  fatal: [reason: FatalReason];
}

/**
 * The tunnel agent: keeps one WebSocket open to Gatehouse, serves HTTP/2 on it, and forwards each
 * stream to the local server. It reconnects with capped backoff from the first attempt on, and
 * gives up only on a refused key, an unknown tunnel, or after `retryForMs` offline.
 */
export class TunnelAgent extends EventEmitter<AgentEvents> {
  readonly #options: Required<Omit<AgentOptions, 'ca'>> & Pick<AgentOptions, 'ca'>;
  #ws: WebSocket | undefined;
  #session: ServerHttp2Session | undefined;
  #attempt = 0;
  #offlineSince = Date.now();
  #stopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #publicUrl = '';

  constructor(options: AgentOptions) {
    super();
    this.#options = {
      heartbeatMs: 15_000,
      backoffBaseMs: 250,
      backoffCapMs: 15_000,
      retryForMs: 300_000,
      ...options,
    };
  }

  /** The public URL once connected. */
  get publicUrl(): string {
    return this.#publicUrl;
  }

  /** True while connected. */
  get online(): boolean {
    return this.#session !== undefined;
  }

  start(): void {
    this.#connect();
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeat);
    this.#session?.destroy();
    this.#ws?.close(1000, 'agent stopping');
    this.#ws?.terminate();
  }

  #connect(): void {
    if (this.#stopped) return;
    this.emit('connecting', this.#attempt);
    const url = new URL(CONNECT_PATH, this.#options.server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, {
      headers: {
        authorization: `Bearer ${this.#options.key}`,
        [TUNNEL_HEADER]: this.#options.name,
        [AGENT_HEADER]: this.#options.version,
      },
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
      maxPayload: 64 * 1024 * 1024,
      ...(this.#options.ca ? { ca: this.#options.ca } : {}),
    });
    this.#ws = ws;
    let refused = false;

    ws.on('upgrade', (res) => {
      this.#publicUrl = String(res.headers[PUBLIC_URL_HEADER] ?? '');
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 4096) body += c;
      });
      res.on('end', () => {
        const message = parseMessage(body) ?? `HTTP ${res.statusCode}`;
        if (res.statusCode === 401) {
          refused = true;
          this.#fatal({ kind: 'bad-key', message });
        } else if (res.statusCode === 404) {
          refused = true;
          this.#fatal({ kind: 'no-such-tunnel', message });
        } else {
          this.#scheduleRetry(`server answered ${res.statusCode}: ${message}`);
        }
        ws.terminate();
      });
      res.on('error', () => ws.terminate());
    });
    ws.on('open', () => this.#online(ws));
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.#ws !== ws) return;
      clearInterval(this.#heartbeat);
      const wasOnline = this.#session !== undefined;
      this.#session?.destroy();
      this.#session = undefined;
      if (wasOnline) this.#offlineSince = Date.now();
      if (!refused) this.#scheduleRetry(wasOnline ? 'connection lost' : 'cannot reach the server');
    });
  }

  #online(ws: WebSocket): void {
    this.#attempt = 0;
    const duplex = webSocketDuplex(ws);
    duplex.on('error', () => {});
    const session = performServerHandshake(duplex, {
      settings: { initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME, maxConcurrentStreams: 1000 },
    });
    session.setLocalWindowSize(SESSION_WINDOW);
    session.on('error', () => {});
    session.on('stream', (stream, headers, flags) => {
      handleTunnelStream(stream, headers, flags, this.#options.local, {
        onStart: (record) => this.emit('request', record),
        onEnd: (record) => this.emit('response', record),
      });
    });
    this.#session = session;
    let awaitingPong = false;
    ws.on('pong', () => {
      awaitingPong = false;
    });
    this.#heartbeat = setInterval(() => {
      if (awaitingPong) {
        ws.terminate();
        return;
      }
      awaitingPong = true;
      ws.ping();
    }, this.#options.heartbeatMs);
    this.emit('online', this.#publicUrl);
  }

  #scheduleRetry(reason: string): void {
    if (this.#stopped) return;
    const offlineFor = Date.now() - this.#offlineSince;
    if (this.#options.retryForMs > 0 && offlineFor >= this.#options.retryForMs) {
      this.#fatal({
        kind: 'unreachable',
        message: `${reason}; gave up after ${Math.round(offlineFor / 1000)} s`,
      });
      return;
    }
    const delay = backoffDelay(this.#attempt++, this.#options.backoffBaseMs, this.#options.backoffCapMs);
    this.emit('offline', reason, delay);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #fatal(reason: FatalReason): void {
    if (this.#stopped) return;
    this.stop();
    this.emit('fatal', reason);
  }
}

function parseMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return body.trim() || undefined;
  }
}
