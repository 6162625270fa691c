import type { ClientHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Http2TunnelSession } from '../protocol/h2-session.ts';
import { PASSTHROUGH_HEADER, REQUEST_ID_HEADER } from '../protocol/protocol.ts';
import { type SpliceOutcome, splice } from '../protocol/splice.ts';
import { refuseWithAlert } from '../protocol/tls-alert.ts';

/** How a passthrough connection went, for logs and metrics. */
export type PassthroughOutcome =
  | ({ readonly kind: 'spliced' } & SpliceOutcome)
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Sends a TLS connection, still unterminated, down the tunnel as one CONNECT stream: `hello` (the
 * bytes read to find its server name) goes first once the agent says its local TLS server took the
 * connection, then the connection's bytes both ways. If the agent or its local server cannot take
 * it, the client gets a TLS alert.
 */
export function forwardPassthrough(
  socket: Socket,
  hello: Buffer,
  session: Http2TunnelSession,
  options: {
    readonly serverName: string;
    readonly requestId: string;
    readonly onDone: (outcome: PassthroughOutcome) => void;
  },
): void {
  let answered = false;
  const refuse = (reason: string) => {
    if (answered) return;
    answered = true;
    refuseWithAlert(socket);
    options.onDone({ kind: 'refused', reason });
  };
  let stream: ClientHttp2Stream;
  try {
    stream = session.request(
      {
        ':method': 'CONNECT',
        ':authority': `${options.serverName}:443`,
        [PASSTHROUGH_HEADER]: 'tls',
        [REQUEST_ID_HEADER]: options.requestId,
      },
      { endStream: false },
    );
  } catch (error) {
    // The tunnel is closing under this connection.
    refuse(`tunnel ${session.info.name} cannot open a stream (${(error as Error).message})`);
    return;
  }
  stream.on('error', () => {});
  // A client that gives up while the agent connects ends the attempt.
  const gone = () => stream.destroy();
  socket.once('close', gone);
  socket.on('error', () => {});
  stream.once('response', (headers) => {
    const status = Number(headers[':status']);
    if (status !== 200) {
      stream.close();
      refuse(`the agent answered ${status}: its local TLS server did not take the connection`);
      return;
    }
    answered = true;
    socket.off('close', gone);
    stream.write(hello);
    splice(socket, stream, (outcome) => options.onDone({ kind: 'spliced', ...outcome }));
    socket.resume();
  });
  stream.once('close', () => refuse(`tunnel ${session.info.name} closed the stream before answering`));
}
