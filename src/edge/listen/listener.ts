import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ListenerConfig } from '../../config/schema.ts';
import { ConfigError } from '../../core/config-error.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { writeRawResponse } from '../../http/raw-response.ts';
import { parserErrorStatus } from '../../http/request-guard.ts';
import type { PassthroughRoute } from '../../tunnel/server/tls-passthrough.ts';
import type { AlpnChallengeLookup } from './alpn-challenge.ts';
import { type ConnectionLimits, ConnectionTable } from './connection-limits.ts';
import type { CertificateSet } from './tls-contexts.ts';
import { peekBeforeTermination } from './tls-peek.ts';

/** What every listener hands its traffic to, and what it reports to. */
export interface ListenerDeps {
  readonly request: (req: IncomingMessage, res: ServerResponse) => void;
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  readonly maxHeaderSize: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** HTTPS listeners ask it about each TLS connection's server name before terminating it. */
  readonly passthrough?: PassthroughRoute | undefined;
  /** Connections held at most, per listener and per client address. */
  readonly connectionLimits: ConnectionLimits;
  /** How long a TLS client has for its ClientHello and then the handshake, each. */
  readonly handshakeTimeoutMs: number;
  /** Automatic certificates on HTTPS listeners, when ACME is on. */
  readonly acme?: ListenerAcme | undefined;
}

/** What HTTPS listeners ask of automatic certificates. */
export interface ListenerAcme {
  /** Answers TLS-ALPN-01 validations. */
  readonly alpnChallenge: AlpnChallengeLookup;
  /** Certifies a name no certificate covers at its first handshake; resolves true once one does. */
  readonly onDemand?: ((serverName: string) => Promise<boolean>) | undefined;
}

/** The TCP connection under a TLS one (the table tracks those), or the connection itself. */
function rawSocket(socket: Duplex): Duplex {
  return (socket as { _parent?: Duplex })._parent ?? socket;
}

/** A listener as started: its bound port, and for HTTPS the certificates it serves. */
export interface RunningListener {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  readonly certificates: CertificateSet | undefined;
}

/** HTTP/1.1 server settings shared by every listener. */
function configure(server: Server, deps: ListenerDeps, name: string, table: ConnectionTable<Duplex>): Server {
  // The latest response on each connection, for a parse error that follows a request.
  const answering = new WeakMap<Duplex, ServerResponse>();
  server.maxHeadersCount = 200;
  // Streams of any length are fine; stalled ones are cut by the per-route idle timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    answering.set(req.socket, res);
    const raw = rawSocket(req.socket);
    table.busy(raw);
    res.once('close', () => table.done(raw));
    deps.request(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    table.pinned(rawSocket(socket));
    deps.upgrade(req, socket, head);
  });
  // First of all connection handlers: a connection past a limit goes before anything reads it.
  server.prependListener('connection', (socket: Socket) => {
    if (!table.admit(socket)) return;
    socket.once('close', () => table.closed(socket));
  });
  // Accepting can fail (EMFILE when out of descriptors); the server retries by itself, and an
  // 'error' without a listener would end the process.
  server.on('error', (error: NodeJS.ErrnoException) => {
    deps.metrics.acceptErrors.inc({ code: error.code ?? 'unknown' });
    deps.logger.error(
      { listener: name, code: error.code, err: error.message, open: table.size },
      error.code === 'EMFILE' || error.code === 'ENFILE'
        ? 'out of file descriptors: lower --max-connections or raise the open-file limit (ulimit -n)'
        : 'accepting a connection failed',
    );
  });
  server.on('connect', (_req, socket: Duplex) => {
    writeRawResponse(socket, 405, [['content-type', 'text/plain']], 'CONNECT is not supported.\n');
  });
  server.on('connection', (socket: Socket) => {
    deps.metrics.openConnections.inc();
    socket.once('close', () => deps.metrics.openConnections.dec());
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, message } = parserErrorStatus(error.code);
    deps.metrics.observe('edge', status, 0);
    deps.logger.info({ kind: 'edge', status, code: error.code }, 'rejected malformed request');
    const refuse = () => writeRawResponse(socket, status, [['content-type', 'text/plain']], `${message}\n`);
    const pending = answering.get(socket);
    if (!pending || pending.writableFinished || pending.destroyed) {
      refuse();
    } else if (pending.req.complete) {
      // The bad bytes follow a whole request, which the upstream may have acted on: answer it first.
      pending.once('finish', refuse);
    } else {
      // The bad bytes broke the body being read. Once the refusal is out the connection goes, and
      // with it the request, so the upstream sees it aborted instead of waiting for the rest.
      if (pending.headersSent) socket.destroy();
      else refuse();
      socket.once('finish', () => socket.destroy());
    }
  });
  return server;
}

/**
 * Starts one listener: plain HTTP, or HTTPS with certificates chosen by SNI (possibly none yet:
 * handshakes then fail until one is added) and, when configured, client certificates.
 */
export async function startListener(
  spec: ListenerConfig,
  certificates: CertificateSet | undefined,
  deps: ListenerDeps,
): Promise<RunningListener> {
  const common = { maxHeaderSize: deps.maxHeaderSize, requireHostHeader: false };
  const table = new ConnectionTable<Duplex>(deps.connectionLimits, (reason, client) => {
    deps.metrics.connectionsShed.inc({ reason });
    deps.logger.warn(
      { listener: spec.name, reason, client, open: table.size },
      reason === 'client'
        ? 'connection limit of one client reached (--max-connections-per-client): closed its oldest idle connection, or refused the new one'
        : 'connection limit of the listener reached (--max-connections): closed the oldest idle connection, or refused the new one',
    );
  });
  let server: Server;
  if (certificates && spec.tls) {
    const clientCa = certificates.clientCa;
    const https = createHttpsServer({
      ...common,
      ...(certificates.defaultPem ?? {}),
      SNICallback: (name, cb) => {
        const onDemand = deps.acme?.onDemand;
        if (!onDemand || certificates.covers(name)) {
          cb(null, certificates.select(name));
          return;
        }
        // The handshake waits for the order; the handshake timeout bounds the wait.
        onDemand(name).then(
          () => cb(null, certificates.select(name)),
          () => cb(null, certificates.select(name)),
        );
      },
      handshakeTimeout: deps.handshakeTimeoutMs,
      requestCert: spec.tls.clientCertificates !== 'none',
      rejectUnauthorized: spec.tls.clientCertificates === 'require',
      ...(clientCa ? { ca: clientCa } : {}),
    });
    certificates.onDefaultChange((pem) =>
      https.setSecureContext({ ...pem, ...(clientCa ? { ca: clientCa } : {}) }),
    );
    https.on('tlsClientError', (error: NodeJS.ErrnoException) => {
      deps.logger.debug(
        { listener: spec.name, code: error.code, err: error.message },
        'TLS handshake failed',
      );
    });
    // Before configure(): its connection counting then sees passed-through connections too.
    if (deps.passthrough || deps.acme)
      peekBeforeTermination(https, deps.passthrough, {
        alpnChallenge: deps.acme?.alpnChallenge,
        logger: deps.logger,
        listener: spec.name,
        timeoutMs: deps.handshakeTimeoutMs,
        onPassed: (socket) => table.pinned(socket),
      });
    server = https as unknown as Server;
  } else {
    server = createServer(common);
  }
  configure(server, deps, spec.name, table);
  const port = await listen(server, spec);
  return { name: spec.name, port, server, certificates };
}

function listen(server: Server, spec: ListenerConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${spec.host ?? 'all interfaces'} port ${spec.port}`;
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new ConfigError(
              `listener ${spec.name}: ${where} ${error.code === 'EADDRINUSE' ? 'is already in use' : 'is not allowed for this user'} (${error.code}); choose another port`,
              { field: spec.name, cause: error },
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(spec.port, spec.host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
