import type { TransportKind } from './transport.ts';

/** Who is on the other end of a tunnel connection. */
export interface SessionInfo {
  readonly name: string;
  readonly ip: string;
  readonly agentVersion: string;
  readonly connectedAt: Date;
  /** The agent asked for TLS connections to its name, passed through unterminated. */
  readonly passthrough: boolean;
}

/** Counters shown in the tunnel listing and metrics. */
export interface SessionStats {
  requests: number;
  bytesIn: number;
  bytesOut: number;
}

/** One agent connection as the edge sees it, whichever protocol version it speaks. */
export interface TunnelSession {
  /** 1: HTTP/2 streams (agents of the previous release); 2: the multiplexing layer. */
  readonly protocol: 1 | 2;
  readonly info: SessionInfo;
  readonly stats: SessionStats;
  /** Which upgrade carries this tunnel. */
  readonly transport: TransportKind;
  /** True until the connection ends. */
  readonly open: boolean;
  /** Requests and connections in flight. */
  readonly activeStreams: number;
  /** Calls `listener` once, when the connection ends, with why. */
  onClose(listener: (reason: string) => void): void;
  /** Ends the connection; whatever is in flight fails at once (it is never re-sent). */
  close(reason: string): void;
}
