import { useEffect, useRef, useState } from 'preact/hooks';
import { followReconnecting, type LiveState } from './live.ts';
import { isOwnCall } from './own-calls.ts';
import type { RequestRecord } from './types.ts';

/** At most this often a page re-reads what it sums up while requests stream in. */
export const REFRESH_GAP_MS = 3000;

/**
 * Calls `refresh` when new request records arrive on `stream` (an admin API stream path, null
 * for none), at most once every `gapMs` however many arrive, and after the stream comes back from
 * a drop (what changed meanwhile was not seen). Calls to this origin's admin API and app do not
 * count: the re-reads themselves are such calls. Returns the stream's state.
 */
export function useLiveRefresh(
  stream: string | null,
  refresh: () => void,
  gapMs = REFRESH_GAP_MS,
): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (stream === null) {
      setState('closed');
      return;
    }
    let last = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const now = () => {
      clearTimeout(timer);
      timer = undefined;
      last = Date.now();
      latest.current();
    };
    const soon = () => {
      if (timer === undefined) timer = setTimeout(now, Math.max(0, last + gapMs - Date.now()));
    };
    const stop = followReconnecting(stream, {
      onEvent: (event, data) => {
        if (event === 'request' && !isOwnCall(JSON.parse(data) as RequestRecord, location.host)) soon();
      },
      onOpen: (reopened) => {
        if (reopened) now();
      },
      onState: setState,
      // A server without records (or with recording off) has no stream: the page says so itself.
      onRefused: () => {},
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [stream, gapMs]);
  return state;
}
