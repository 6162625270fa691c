import type { Http2Session } from 'node:http2';

/**
 * Pings the peer over HTTP/2 every `intervalMs`; when a ping is still unanswered at the next
 * tick, the peer is taken for dead and `onDead` runs. HTTP/2 sends PING ahead of queued DATA
 * frames, so a busy tunnel is not mistaken for a dead one. Returns the function that stops it.
 */
export function startHeartbeat(session: Http2Session, intervalMs: number, onDead: () => void): () => void {
  let awaiting = false;
  const timer = setInterval(() => {
    if (session.destroyed || session.closed) return;
    if (awaiting) {
      clearInterval(timer);
      onDead();
      return;
    }
    awaiting = true;
    session.ping((error) => {
      if (!error) awaiting = false;
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
