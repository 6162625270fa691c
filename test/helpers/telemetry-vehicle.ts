import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { FieldValue, RecordSink, TelemetryRecord } from '../../src/telemetry/records.ts';
import { encodeStreamEnvelope, encodeVehicleData } from '../../src/telemetry/wire/index.ts';
import { certificateAuthority, clientCertificate, selfSigned } from './certs.ts';

/** Certificates of a receiver test: the vehicles' CA, the server's certificate, and vehicles'. */
export interface TelemetryPki {
  /** `telemetry.ca`: the CA vehicle certificates chain to. */
  readonly ca: string;
  /** `telemetry.cert` / `telemetry.key`: the server's (vehicles trust it as their `ca`). */
  readonly server: { readonly cert: string; readonly key: string };
  /** A vehicle certificate with this CN from the trusted CA. */
  vehicle(cn: string): { cert: Buffer; key: Buffer };
  /** A vehicle certificate with this CN from a CA the receiver does not trust. */
  stranger(cn: string): { cert: Buffer; key: Buffer };
}

/** Makes the certificates in `dir` with openssl. */
export function telemetryPki(dir: string): TelemetryPki {
  const ca = certificateAuthority(dir, 'vehicle-ca');
  const other = certificateAuthority(dir, 'other-ca');
  const server = selfSigned(dir, 'server', ['localhost']);
  const issue = (authority: { cert: string; key: string }, file: string, cn: string) => {
    const made = clientCertificate(dir, file, cn, authority);
    return { cert: readFileSync(made.cert), key: readFileSync(made.key) };
  };
  let n = 0;
  return {
    ca: ca.cert,
    server,
    vehicle: (cn) => issue(ca, `vehicle-${n++}`, cn),
    stranger: (cn) => issue(other, `stranger-${n++}`, cn),
  };
}

/** Writes a YAML config file with a `telemetry:` block; returns its path. */
export function telemetryConfigFile(dir: string, yaml: string): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** A vehicle's WebSocket to the receiver, with the messages it got, in order. */
export interface TestVehicle {
  readonly ws: WebSocket;
  /** The next message from the server (already received or still to come). */
  next(): Promise<Buffer>;
  /** Resolves with the close code once the socket is closed. */
  readonly closed: Promise<number>;
  close(): Promise<void>;
}

/** Connects as a vehicle with `identity`; rejects when the handshake or upgrade fails. */
export function connectVehicle(
  port: number,
  serverCert: string,
  identity: { cert: Buffer; key: Buffer } | undefined,
  headers: Record<string, string> = {},
  /** The name the vehicle asks for by SNI and checks the certificate against; localhost unless given. */
  servername?: string,
): Promise<TestVehicle> {
  const ws = new WebSocket(`wss://${servername ? '127.0.0.1' : 'localhost'}:${port}/`, {
    ca: readFileSync(serverCert),
    ...(servername ? { servername } : {}),
    ...(identity ?? {}),
    headers: servername ? { ...headers, host: servername } : headers,
  });
  const received: Buffer[] = [];
  const waiting: ((message: Buffer) => void)[] = [];
  ws.on('message', (data) => {
    const message = data as Buffer;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else received.push(message);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      resolve({
        ws,
        next: () => {
          const message = received.shift();
          return message ? Promise.resolve(message) : new Promise((r) => waiting.push(r));
        },
        closed,
        close: async () => {
          if (ws.readyState !== ws.CLOSED) ws.close();
          await closed;
        },
      });
    });
  });
}

/** A `V` frame as a vehicle sends it. */
export function vehicleDataFrame(input: {
  txid: string;
  vin: string;
  fields: Record<string, FieldValue>;
  createdAt?: number;
}): Uint8Array {
  const createdAt = input.createdAt ?? Date.now();
  return encodeStreamEnvelope({
    txid: input.txid,
    topic: 'V',
    createdAt: Math.floor(createdAt / 1000),
    senderId: `vehicle_device.${input.vin}`,
    deviceType: 'vehicle_device',
    deviceId: input.vin,
    payload: encodeVehicleData({ vin: input.vin, createdAt, fields: input.fields }),
  });
}

/**
 * A sink for tests of reliable ack: it holds every record it was given; it refuses while
 * `failing`, and with `holding` keeps each write pending until `release()`.
 */
export class TestSink implements RecordSink {
  readonly name: string;
  failing = false;
  holding = false;
  readonly written: TelemetryRecord[] = [];
  readonly attempts: TelemetryRecord[] = [];
  #pending: (() => void)[] = [];
  /** Most writes pending at once. */
  maxPending = 0;

  constructor(name: string) {
    this.name = name;
  }

  get pending(): number {
    return this.#pending.length;
  }

  async write(record: TelemetryRecord): Promise<void> {
    this.attempts.push(record);
    if (this.failing) throw new Error(`${this.name} is down`);
    if (this.holding) {
      await new Promise<void>((resolve) => {
        this.#pending.push(resolve);
        this.maxPending = Math.max(this.maxPending, this.#pending.length);
      });
    }
    this.written.push(record);
  }

  /** Lets the oldest held write finish. */
  release(): void {
    this.#pending.shift()?.();
  }

  async close(): Promise<void> {}
}
