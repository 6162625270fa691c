/** The part of a socket {@link writeCoalescer} needs. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  /** Bytes written and not yet handed to the system. */
  readonly writableLength: number;
}

/** Held writes go out once this many bytes wait, whatever the moment: a burst never piles up. */
const MAX_HELD_BYTES = 64 * 1024;

/**
 * Returns a function to call before each write: the first call corks the socket and the writes
 * made until the current callback (and its promise jobs) is over leave together, in one write
 * and, on TLS, one record, rather than one system call each. Small frames sent in bursts (acks,
 * dashboard records) cost far more in writes than in bytes. With `'turn'` the writes wait for
 * the end of the event loop's turn instead, gathering what every socket read in it produced.
 */
export function writeCoalescer(socket: Corkable, until: 'callback' | 'turn' = 'callback'): () => void {
  let corked = false;
  const flush = (): void => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) {
      if (socket.writableLength < MAX_HELD_BYTES) return;
      socket.uncork();
      socket.cork();
      return;
    }
    corked = true;
    socket.cork();
    if (until === 'turn') setImmediate(flush);
    else process.nextTick(flush);
  };
}
