import type { Socket } from 'node:net';
import { InfoKind, StreamKind } from '../protocol/mux-frames.ts';
import type { MuxStream } from '../protocol/mux-stream.ts';
import { spliceMux } from '../protocol/splice.ts';
import { refuseWithAlert } from '../protocol/tls-alert.ts';
import type { PassthroughOutcome } from './forward-passthrough.ts';
import type { MuxTunnelSession } from './mux-tunnel-session.ts';

/**
 * Sends a TLS connection, still unterminated, down a protocol-2 tunnel on a stream of its own:
 * `hello` (the bytes read to find its server name) goes first, and once the agent says its local
 * TLS server took the connection (an INFO frame), the connection's bytes flow both ways. If the
 * agent or its local server cannot take it, the client gets a TLS alert.
 */
export function forwardPassthroughOverMux(
  socket: Socket,
  hello: Buffer,
  session: MuxTunnelSession,
  options: {
    readonly requestId: string;
    readonly onDone: (outcome: PassthroughOutcome) => void;
  },
): void {
  const over = session.begin();
  let answered = false;
  const refuse = (reason: string) => {
    if (answered) return;
    answered = true;
    over();
    refuseWithAlert(socket);
    options.onDone({ kind: 'refused', reason });
  };
  let stream: MuxStream;
  try {
    stream = session.openStream(StreamKind.PASSTHROUGH);
  } catch (error) {
    refuse(`tunnel ${session.info.name} cannot open a stream (${(error as Error).message})`);
    return;
  }
  session.requestStarted(stream, options.requestId, 'CONNECT', '');
  let why = `tunnel ${session.info.name} closed the stream before answering`;
  stream.on('error', (error) => {
    why = `the agent could not reach its local TLS server (${error.message})`;
  });
  // A client that gives up while the agent connects ends the attempt.
  const gone = () => stream.destroy();
  socket.once('close', gone);
  socket.on('error', () => {});
  stream.write(hello);
  stream.once('info', (payload: Buffer) => {
    if (payload[0] !== InfoKind.ACCEPTED) return;
    answered = true;
    socket.off('close', gone);
    spliceMux(socket, stream, (outcome) => {
      over();
      options.onDone({ kind: 'spliced', ...outcome });
    });
    socket.resume();
  });
  stream.once('close', () => refuse(why));
}
