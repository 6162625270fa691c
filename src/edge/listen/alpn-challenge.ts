import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import type { Logger } from '../../core/logger.ts';

/** The ALPN protocol a TLS-ALPN-01 validator offers, and only it (RFC 8737 §3). */
export const ACME_TLS_ALPN = 'acme-tls/1';

/** The answer certificate for a name while its TLS-ALPN-01 challenge is up. */
export type AlpnChallengeLookup = (serverName: string) => Promise<{ cert: string; key: string } | undefined>;

/**
 * Answers a TLS-ALPN-01 validation on a connection already read up to its ClientHello: the
 * handshake completes with the challenge certificate and `acme-tls/1`, then the connection ends,
 * as RFC 8737 §3 asks. No challenge up for the name: the connection is closed.
 */
export async function answerAlpnChallenge(
  socket: Socket,
  read: Buffer,
  serverName: string,
  lookup: AlpnChallengeLookup,
  logger: Logger,
): Promise<void> {
  const answer = await lookup(serverName).catch(() => undefined);
  if (!answer) {
    logger.debug({ serverName }, 'acme-tls/1 handshake for a name with no challenge up');
    socket.destroy();
    return;
  }
  socket.unshift(read);
  const tls = new TLSSocket(socket, {
    isServer: true,
    secureContext: createSecureContext({ cert: answer.cert, key: answer.key }),
    ALPNProtocols: [ACME_TLS_ALPN],
  });
  tls.once('secure', () => tls.end());
  tls.on('error', () => socket.destroy());
  tls.once('close', () => socket.destroy());
}
