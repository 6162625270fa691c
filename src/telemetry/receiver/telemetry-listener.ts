import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { ConfigError } from '../../core/config-error.ts';
import type { ReceiverSettings } from './receiver-settings.ts';
import { type ConnectionDeps, serveVehicle } from './vehicle-connection.ts';
import { vinOfCertificate } from './vehicle-identity.ts';

/** Tesla refuses messages over this many bytes; so does the receiver (close 1009). */
export const MAX_MESSAGE_BYTES = 1_000_000;

/** A running receiver listener. */
export interface TelemetryListener {
  readonly port: number;
  /** Serves this certificate from the next handshake on (an ACME certificate, new or renewed). */
  setCertificate(pem: { cert: Buffer; key: Buffer }): void;
  /** Stops accepting and closes every vehicle connection. */
  close(): Promise<void>;
}

/** The PEM files of the listener, read now so a bad path stops the start naming it. */
export function readTelemetryTls(config: ReceiverSettings): { cert?: Buffer; key?: Buffer; ca: Buffer } {
  const read = (file: 'cert' | 'key' | 'ca'): Buffer => {
    const path = config[file];
    if (path === undefined)
      throw new ConfigError(`invalid configuration: telemetry.${file}: is required with telemetry.port`, {
        field: `telemetry.${file}`,
      });
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError(
        `invalid configuration: telemetry.${file}: cannot read ${path}: ${(error as Error).message}`,
        { field: `telemetry.${file}`, cause: error },
      );
    }
  };
  // With `auto` the listener starts without a certificate and serves as soon as ACME gives one.
  if (config.cert === 'auto') return { ca: read('ca') };
  return { cert: read('cert'), key: read('key'), ca: read('ca') };
}

/**
 * The vehicles' listener: HTTPS that demands a client certificate from a trusted CA during the
 * handshake (as Tesla's server does), and a WebSocket on any path once the certificate names a VIN.
 */
export async function startTelemetryListener(
  config: ReceiverSettings,
  tls: { cert?: Buffer; key?: Buffer; ca: Buffer },
  deps: ConnectionDeps,
): Promise<TelemetryListener> {
  let server: Server;
  try {
    server = createServer({ ...tls, requestCert: true, rejectUnauthorized: true });
  } catch (error) {
    throw new ConfigError(
      `invalid configuration: telemetry.cert: the certificate, key or CA bundle does not load: ${(error as Error).message}`,
      { field: 'telemetry.cert', cause: error },
    );
  }
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const { logger } = deps;

  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket', connection: 'close' });
    res.end('Fleet Telemetry: vehicles connect with a WebSocket\n');
  });
  server.on('tlsClientError', (error, socket) => {
    logger.debug({ err: error, ip: socket.remoteAddress }, 'telemetry TLS handshake refused');
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    const tlsSocket = socket as TLSSocket;
    const vin = tlsSocket.authorized ? vinOfCertificate(tlsSocket.getPeerCertificate()) : undefined;
    if (!vin) {
      // The handshake already demands a trusted certificate; this is one without a usable CN.
      logger.warn({ ip: tlsSocket.remoteAddress }, 'vehicle certificate names no VIN in its CN');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return (Array.isArray(value) ? value[0] : value) || undefined;
    };
    const hello = {
      vin,
      connectionId: header('x-txid') ?? randomUUID(),
      networkInterface: header('x-network-interface'),
      deviceClientVersion: header('version'),
    };
    try {
      sockets.handleUpgrade(req, socket, head, (ws) => serveVehicle(ws, hello, deps, socket));
    } catch (error) {
      logger.warn({ err: error, vin }, 'vehicle WebSocket upgrade failed');
      socket.destroy();
    }
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${config.host ?? 'all interfaces'} port ${config.port}`;
      reject(
        new ConfigError(
          `telemetry listener: cannot listen on ${where} (${error.code ?? error.message}); choose another with --telemetry-port or GATEHOUSE_TELEMETRY_PORT, or an address of this machine with --telemetry-host`,
          { field: 'telemetry.port', cause: error },
        ),
      );
    });
    server.listen(config.port, config.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'telemetry listener error'));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    setCertificate: (pem) => server.setSecureContext({ ...pem, ca: tls.ca }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Each connection's end makes its DISCONNECTED record before the receiver goes on stopping.
      const ended = [...sockets.clients].map((ws) => new Promise((resolve) => ws.once('close', resolve)));
      for (const ws of sockets.clients) ws.terminate();
      await Promise.all(ended);
      server.closeAllConnections();
      await closed;
    },
  };
}
