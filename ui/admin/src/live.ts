import { ApiError, follow } from './api.ts';
import { BACKOFF, type Backoff, retryDelay } from './backoff.ts';

/** Where a live stream stands: opening, open, waiting to open again after a drop, or stopped for good. */
export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What {@link followReconnecting} tells its page. */
export interface LiveHandlers {
  /** An event of the stream. */
  onEvent(event: string, data: string): void;
  /** The server has the subscription: the first time, or again after a drop (`reopened`). */
  onOpen(reopened: boolean): void;
  /** The stream's state changed. */
  onState(state: LiveState): void;
  /** The server refused the stream (a 4xx: a key gone, recording turned off): it is not tried again. */
  onRefused(error: unknown): void;
  /** The stream could not open or broke, and will be tried again. */
  onDropped?(error: unknown): void;
}

/**
 * Follows an admin API stream and opens it again whenever it breaks or the server ends it (a
 * restart, the network), waiting longer after each failed try up to {@link Backoff.capMs}; a
 * refusal stops it. Returns a function that stops it for good.
 */
export function followReconnecting(
  path: string,
  handlers: LiveHandlers,
  backoff: Backoff = BACKOFF,
): () => void {
  let stopped = false;
  let opened = false;
  let attempt = 0;
  let stop: () => void = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    if (!opened && attempt === 0) handlers.onState('connecting');
    stop = follow(
      path,
      (event, data) => handlers.onEvent(event, data),
      (error) => {
        if (stopped) return;
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
          stopped = true;
          handlers.onState('closed');
          handlers.onRefused(error);
          return;
        }
        handlers.onState('reconnecting');
        handlers.onDropped?.(error);
        timer = setTimeout(open, retryDelay(attempt++, backoff));
      },
      () => {
        if (stopped) return;
        const reopened = opened;
        opened = true;
        attempt = 0;
        handlers.onState('open');
        handlers.onOpen(reopened);
      },
    );
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    stop();
  };
}
