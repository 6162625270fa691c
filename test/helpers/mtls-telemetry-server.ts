import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import type { FieldValue } from '../../src/telemetry/records.ts';
import {
  decodeAlerts,
  decodeEnvelope,
  decodeErrors,
  decodeVehicleData,
  encodeAck,
  type VehicleAlerts,
  type VehicleErrors,
} from '../../src/telemetry/wire/index.ts';

/** One frame a vehicle sent, decoded. */
export interface ReceivedFrame {
  readonly connection: number;
  readonly txid: string;
  readonly topic: string;
  /** The envelope's created_at, seconds. */
  readonly createdAtSeconds: number;
  readonly senderId: string;
  readonly v?: {
    vin: string;
    createdAt: number | undefined;
    isResend: boolean;
    fields: Record<string, FieldValue>;
  };
  readonly alerts?: VehicleAlerts;
  readonly errors?: VehicleErrors;
}

/** A vehicle connection as the server saw it. */
export interface ReceivedConnection {
  readonly id: number;
  readonly commonName: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly socket: WebSocket;
  closed: boolean;
}

/** A minimal mTLS WebSocket telemetry server for tests: decodes every frame and acks on demand. */
export interface TestTelemetryServer {
  readonly port: number;
  readonly frames: ReceivedFrame[];
  readonly connections: ReceivedConnection[];
  /** Whether frames are acked as they arrive (default true). */
  acking: boolean;
  /** Closes every vehicle connection abruptly. */
  dropConnections(): void;
  close(): Promise<void>;
}

const text = new TextDecoder();

/**
 * Starts the server with `cert`/`key`, requiring client certificates from `clientCa` (as Tesla's
 * server does: no certificate, no handshake).
 */
export async function startTestTelemetryServer(tls: {
  cert: string;
  key: string;
  clientCa: string;
}): Promise<TestTelemetryServer> {
  const server: Server = createServer({
    cert: tls.cert,
    key: tls.key,
    ca: tls.clientCa,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const wss = new WebSocketServer({ server });
  const frames: ReceivedFrame[] = [];
  const connections: ReceivedConnection[] = [];
  const state: TestTelemetryServer = {
    port: 0,
    frames,
    connections,
    acking: true,
    dropConnections: () => {
      for (const c of connections) c.socket.terminate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.socket.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  wss.on('connection', (socket, req) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const connection: ReceivedConnection = {
      id: connections.length + 1,
      commonName: String(peer.subject?.CN ?? ''),
      headers: req.headers,
      socket,
      closed: false,
    };
    connections.push(connection);
    socket.on('close', () => {
      connection.closed = true;
    });
    socket.on('message', (data: Buffer) => {
      const envelope = decodeEnvelope(data);
      const payload = envelope.stream?.payload ?? new Uint8Array();
      const topic = envelope.topic;
      frames.push({
        connection: connection.id,
        txid: text.decode(envelope.txid),
        topic,
        createdAtSeconds: envelope.stream?.createdAt ?? 0,
        senderId: envelope.stream?.senderId ?? '',
        ...(topic === 'V' ? { v: decodeVehicleData(payload) } : {}),
        ...(topic === 'alerts' ? { alerts: decodeAlerts(payload) } : {}),
        ...(topic === 'errors' ? { errors: decodeErrors(payload) } : {}),
      });
      if (state.acking && socket.readyState === WebSocket.OPEN) {
        socket.send(encodeAck(envelope.txid.slice(), topic));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (state as { port: number }).port = (server.address() as AddressInfo).port;
  after(() => state.close());
  return state;
}
