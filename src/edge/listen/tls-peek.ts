import type { Server as NetServer, Socket } from 'node:net';
import type { Logger } from '../../core/logger.ts';
import type { PassthroughRoute } from '../../tunnel/server/tls-passthrough.ts';
import { ACME_TLS_ALPN, type AlpnChallengeLookup, answerAlpnChallenge } from './alpn-challenge.ts';
import { peekClientHello } from './client-hello.ts';

/**
 * Puts a look at each connection's ClientHello in front of an HTTPS server's own TLS. The server
 * keeps its port, and with it closing, connection tracking and timeouts; only its `connection`
 * handlers (TLS termination) wait until the server name is read. A name `route` claims has its
 * bytes, still encrypted, go to its tunnel; everything else (other names, no name, not TLS, a
 * malformed hello) reaches the server's TLS with every byte read given back, as if never looked at.
 * A hello offering `acme-tls/1` is a CA validating TLS-ALPN-01, answered by `alpnChallenge`.
 */
export function peekBeforeTermination(
  server: NetServer,
  route: PassthroughRoute | undefined,
  deps: {
    /** Answers TLS-ALPN-01 validations, when ACME is on. */
    readonly alpnChallenge?: AlpnChallengeLookup | undefined;
    readonly logger: Logger;
    readonly listener: string;
    /** How long a client may take to send its whole ClientHello; then the connection is closed. */
    readonly timeoutMs: number;
    /** A connection now belongs to a tunnel. */
    readonly onPassed?: (socket: Socket) => void;
  },
): void {
  const terminate = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const handOver = (socket: Socket, read: Buffer) => {
    if (read.length > 0) socket.unshift(read);
    for (const listener of terminate) listener.call(server, socket);
  };
  server.on('connection', (socket: Socket) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const decide = (action: () => void) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.pause();
      action();
    };
    const read = () => Buffer.concat(chunks, size);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const peek = peekClientHello(size === chunk.length ? chunk : read());
      if (peek.kind === 'incomplete') return;
      const serverName = peek.kind === 'hello' ? peek.serverName : undefined;
      const lookup = deps.alpnChallenge;
      if (serverName !== undefined && lookup && peek.kind === 'hello' && peek.alpn.includes(ACME_TLS_ALPN)) {
        decide(() => void answerAlpnChallenge(socket, read(), serverName, lookup, deps.logger));
        return;
      }
      const tunnel = serverName === undefined ? undefined : route?.claim(serverName);
      if (serverName !== undefined && tunnel !== undefined) {
        decide(() => {
          deps.onPassed?.(socket);
          route!.pass(socket, read(), serverName, tunnel);
        });
        return;
      }
      if (peek.kind === 'other')
        deps.logger.debug({ listener: deps.listener, reason: peek.reason }, 'not a ClientHello to route by');
      decide(() => handOver(socket, read()));
    };
    // A client gone, or done sending, before its hello is whole can complete no handshake.
    const onError = () => socket.destroy();
    const onEnd = () => decide(() => socket.destroy());
    const onClose = () => clearTimeout(timer);
    // A client that has not sent a whole ClientHello in time never will: handing it to TLS would
    // only start a second wait.
    const timer = setTimeout(() => decide(() => socket.destroy()), deps.timeoutMs).unref();
    socket.once('close', onClose);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.once('end', onEnd);
  });
}
