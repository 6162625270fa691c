import { constants, type Http2Session, type Http2Stream } from 'node:http2';
import { addAbortSignal } from 'node:stream';

/**
 * Resets a stream with RST_STREAM(CANCEL) and nothing before it, so the peer sees a cut. `close()`
 * would first end the writable side, and the END_STREAM that sends makes a cut body look whole;
 * a stream destroyed by an aborted signal is reset at once, with CANCEL.
 */
export function cancelStream(stream: Http2Stream): void {
  if (stream.destroyed) return;
  const abort = new AbortController();
  addAbortSignal(abort.signal, stream);
  abort.abort();
}

/**
 * True when the peer ended its side with END_STREAM; call it from an `'end'` listener. Node also
 * ends the readable side of a stream that was reset or whose connection died, so `'end'` alone
 * does not say the body is whole.
 */
export function endedWhole(stream: Http2Stream, session: Http2Session | undefined = stream.session): boolean {
  // Node detaches a closed stream from its session, and may emit 'end' only after that (a GET
  // answered at once): the caller then passes the session it kept.
  if (stream.aborted || session === undefined || session.destroyed) return false;
  return !stream.closed || stream.rstCode === constants.NGHTTP2_NO_ERROR;
}

/**
 * True when a closed stream finished normally: both sides ended, nothing was reset, the connection
 * still stands. Call it from a `'close'` listener, where it tells a delivered answer from a cut one:
 * `'finish'` cannot, since a stream whose peer had already ended closes before it finishes.
 */
export function closedWhole(stream: Http2Stream, session: Http2Session): boolean {
  return stream.rstCode === constants.NGHTTP2_NO_ERROR && !session.destroyed;
}
