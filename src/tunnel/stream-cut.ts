import { constants, type Http2Session, type Http2Stream } from 'node:http2';

/**
 * True when a closed stream finished normally: both sides ended, nothing was reset, the connection
 * still stands. Call it from a `'close'` listener, where it tells a delivered answer from a cut one:
 * `'finish'` cannot, since a stream whose peer had already ended closes before it finishes, and a
 * reset one finishes too.
 */
export function closedWhole(stream: Http2Stream, session: Http2Session): boolean {
  return stream.rstCode === constants.NGHTTP2_NO_ERROR && !session.destroyed;
}
