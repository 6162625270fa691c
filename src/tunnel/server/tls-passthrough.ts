import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { Http2TunnelSession } from '../protocol/h2-session.ts';
import { refuseWithAlert } from '../protocol/tls-alert.ts';
import { forwardPassthrough, type PassthroughOutcome } from './forward-passthrough.ts';
import { forwardPassthroughOverMux } from './mux-passthrough.ts';
import { MuxTunnelSession } from './mux-tunnel-session.ts';
import type { TunnelRegistry } from './tunnel-registry.ts';

/** What passthrough routing needs from the tunnel service. */
export interface TlsPassthroughDeps {
  readonly registry: TunnelRegistry;
  /** The tunnel a host name addresses, if it is an existing tunnel's. */
  readonly nameForHost: (host: string) => string | undefined;
  readonly settings: { readonly offlineWaitMs: number; readonly maxConcurrentStreams: number };
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
}

/** What an HTTPS listener asks before terminating a TLS connection itself. */
export interface PassthroughRoute {
  /** The tunnel a TLS connection for `serverName` passes through to, unterminated; undefined for Gatehouse's own TLS. */
  claim(serverName: string): string | undefined;
  /** Sends a claimed connection down its tunnel; `hello` holds every byte read from it so far. */
  pass(socket: Socket, hello: Buffer, serverName: string, tunnel: string): void;
}

/**
 * Routes TLS connections by server name to tunnels whose agents asked for passthrough, so the
 * TLS (and any client certificate) ends on the agent's side. A name is claimed while its agent is
 * connected for passthrough, and, on this node, after it disconnects: a client that comes in the
 * meantime waits for it as requests do, then gets a TLS alert, never Gatehouse's own certificate.
 */
export class TlsPassthrough implements PassthroughRoute {
  readonly #deps: TlsPassthroughDeps;
  /** Tunnels whose latest agent on this node asked for passthrough. */
  readonly #names = new Set<string>();

  constructor(deps: TlsPassthroughDeps) {
    this.#deps = deps;
    deps.registry.on('connected', (session) => {
      if (session.info.passthrough) this.#names.add(session.info.name);
      else this.#names.delete(session.info.name);
    });
  }

  /** Forgets a tunnel (deleted): its name goes back to Gatehouse's own TLS. */
  forget(name: string): void {
    this.#names.delete(name);
  }

  claim(serverName: string): string | undefined {
    const name = this.#deps.nameForHost(serverName);
    return name !== undefined && this.#names.has(name) ? name : undefined;
  }

  pass(socket: Socket, hello: Buffer, serverName: string, tunnel: string): void {
    const done = (outcome: PassthroughOutcome) => this.#report(tunnel, serverName, outcome);
    // A client may send its hello and its FIN together; the connection must stay open to answer it.
    socket.allowHalfOpen = true;
    // A client that leaves while the tunnel is awaited needs nothing more.
    socket.on('error', () => {});
    this.#deps.registry.waitFor(tunnel, this.#deps.settings.offlineWaitMs).then((session) => {
      if (socket.destroyed) return;
      if (!session?.info.passthrough) {
        refuseWithAlert(socket);
        done({ kind: 'refused', reason: `tunnel ${tunnel} is offline: no agent is connected for it` });
        return;
      }
      const limit = this.#deps.settings.maxConcurrentStreams;
      if (session.activeStreams >= limit) {
        refuseWithAlert(socket);
        done({ kind: 'refused', reason: `tunnel ${tunnel} already has ${limit} streams open` });
        return;
      }
      const options = { serverName, requestId: randomUUID(), onDone: done };
      if (session instanceof MuxTunnelSession) forwardPassthroughOverMux(socket, hello, session, options);
      else forwardPassthrough(socket, hello, session as Http2TunnelSession, options);
    });
  }

  #report(tunnel: string, serverName: string, outcome: PassthroughOutcome): void {
    this.#deps.metrics?.tunnelPassthrough.inc({
      tunnel,
      outcome: outcome.kind === 'spliced' ? (outcome.whole ? 'whole' : 'cut') : 'refused',
    });
    if (outcome.kind === 'refused') {
      this.#deps.logger.info({ tunnel, serverName, reason: outcome.reason }, 'TLS passthrough refused');
      return;
    }
    this.#deps.metrics?.tunnelBytes.inc({ tunnel, direction: 'in' }, outcome.bytesRead);
    this.#deps.metrics?.tunnelBytes.inc({ tunnel, direction: 'out' }, outcome.bytesWritten);
    this.#deps.logger.debug(
      {
        tunnel,
        serverName,
        whole: outcome.whole,
        bytesIn: outcome.bytesRead,
        bytesOut: outcome.bytesWritten,
      },
      'TLS passthrough connection closed',
    );
  }
}
