import { connect, type PeerCertificate } from 'node:tls';
import type { Clock } from '../../src/core/clock.ts';
import type { Logger } from '../../src/core/logger.ts';
import { startTestGateway, type TestGateway } from './gateway.ts';
import { type Pebble, type PebbleOptions, startPebble } from './pebble.ts';
import { freePort } from './redis.ts';

/** A gateway with ACME on, ordering from a pebble started for it; both stop in `stop`. */
export interface AcmeWorld {
  readonly pebble: Pebble;
  readonly gatehouse: TestGateway;
  readonly httpsPort: number;
  stop(): Promise<void>;
}

/**
 * Starts pebble pointed at two free ports, then a gateway listening on them with ACME on: pebble
 * needs the ports in its config, so they are picked first.
 */
export async function startAcmeWorld(
  options: {
    flags?: Record<string, string | boolean | undefined>;
    pebble?: Omit<PebbleOptions, 'httpPort' | 'tlsPort'>;
    logger?: Logger;
    /** Starts the gateway on these ports against this pebble instead of new ones (a second node). */
    shared?: { pebble: Pebble; httpPort: number; httpsPort: number };
    env?: Record<string, string>;
    clock?: Clock;
    /** Where pebble's validator connects instead of the gateway's own ports (a port nothing answers on, say). */
    validatorPorts?: { http?: number; tls?: number };
  } = {},
): Promise<AcmeWorld> {
  const httpPort = options.shared?.httpPort ?? (await freePort());
  const httpsPort = options.shared?.httpsPort ?? (await freePort());
  const pebble =
    options.shared?.pebble ??
    (await startPebble({
      httpPort: options.validatorPorts?.http ?? httpPort,
      tlsPort: options.validatorPorts?.tls ?? httpsPort,
      ...options.pebble,
    }));
  try {
    const gatehouse = await startTestGateway({
      flags: {
        port: String(httpPort),
        'tls-port': String(httpsPort),
        'acme-directory': pebble.directory,
        'acme-directory-ca': pebble.apiCaFile,
        'acme-email': 'ops@gatehouse.test',
        ...options.flags,
      },
      ...(options.env ? { env: options.env } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return {
      pebble,
      gatehouse,
      httpsPort,
      stop: async () => {
        await gatehouse.stop();
        if (!options.shared) await pebble.stop();
      },
    };
  } catch (error) {
    if (!options.shared) await pebble.stop();
    throw error;
  }
}

/**
 * Completes a handshake for `servername` trusting only `ca`; resolves with the certificate the
 * server sent, or rejects with the handshake's error.
 */
export function handshake(
  port: number,
  servername: string,
  ca: string,
  ALPNProtocols?: string[],
): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername,
      ca,
      ...(ALPNProtocols ? { ALPNProtocols } : {}),
    });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve(peer);
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** The DNS names a certificate carries. */
export function dnsNames(peer: PeerCertificate): string[] {
  return (peer.subjectaltname ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4))
    .sort();
}
