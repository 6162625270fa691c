import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from './api.ts';
import { followReconnecting, type LiveState } from './live.ts';
import { catchUpSince, merged } from './merge-records.ts';
import type { RequestRecord } from './types.ts';
import { isUnavailable } from './unavailable.ts';

/** Most records a page keeps from the live stream and catching up. */
const SHOWN = 1000;
/** The page size a catch-up reads. */
const CATCH_UP_PAGE = 500;
/**
 * The server writes records to its store a quarter-second after it makes them: a catch-up read
 * right after the stream opens can miss the last few made before it, so it is read once more then.
 */
const CATCH_UP_AGAIN_MS = 1000;

type Page = { requests: RequestRecord[]; next: string | null };

/** `?a=b…` of the filters given, with `extra` over them. */
export function queryOf(
  filters: Readonly<Record<string, string | undefined>>,
  extra: Record<string, string> = {},
) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...extra })) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** What the request log page shows: the records, the next page's cursor, and where loading and the stream stand. */
export interface RequestFeed {
  readonly records: RequestRecord[];
  readonly next: string | null;
  readonly state: 'loading' | 'ready' | 'unavailable';
  readonly error: string | undefined;
  readonly live: LiveState;
  /** Reads the next older page. */
  readonly more: () => Promise<void>;
}

/**
 * The records matching `filters`, newest first. While `following`, new records come by the live
 * stream, subscribed before the first page is read; when the stream drops it is opened again, and
 * what was made meanwhile is read by time from the newest record held, so none is lost or shown twice.
 */
export function useRequestFeed(filters: Readonly<Record<string, string>>, following: boolean): RequestFeed {
  const [records, setRecords] = useState<RequestRecord[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [state, setState] = useState<RequestFeed['state']>('loading');
  const [error, setError] = useState<string | undefined>(undefined);
  const [live, setLive] = useState<LiveState>('closed');

  useEffect(() => {
    let current = true;
    let newest: string | undefined;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    setState('loading');
    setRecords([]);
    setNext(null);
    setError(undefined);
    setLive(following ? 'connecting' : 'closed');
    const take = (incoming: readonly RequestRecord[]) => {
      for (const r of incoming) if (newest === undefined || r.at > newest) newest = r.at;
      setRecords((shown) => merged(shown, incoming).slice(0, SHOWN));
    };
    const failed = (e: unknown) => {
      if (!current) return;
      if (isUnavailable(e)) setState('unavailable');
      else setError(errorText(e));
    };
    const load = () =>
      api<Page>('GET', `/api/v1/requests${queryOf(filters)}`).then((page) => {
        if (!current) return;
        take(page.requests);
        setNext(page.next);
        setState('ready');
        setError(undefined);
      }, failed);
    // Everything from the newest record held on, page by page.
    const catchUp = async () => {
      if (newest === undefined) return load();
      const since = catchUpSince(newest, filters['since']);
      let cursor: string | null = null;
      let read = 0;
      try {
        do {
          const extra: Record<string, string> = { since, limit: String(CATCH_UP_PAGE) };
          if (cursor) extra['cursor'] = cursor;
          const page: Page = await api<Page>('GET', `/api/v1/requests${queryOf(filters, extra)}`);
          if (!current) return;
          take(page.requests);
          read += page.requests.length;
          cursor = page.next;
        } while (cursor && read < SHOWN);
      } catch (e) {
        failed(e);
      }
    };
    const later = (run: () => unknown, ms: number) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (current) void run();
      }, ms);
      timers.add(timer);
    };
    if (!following) {
      void load();
      return () => {
        current = false;
      };
    }
    let loaded = false;
    const stop = followReconnecting(`/api/v1/requests/stream${queryOf(filters)}`, {
      onEvent: (event, data) => {
        if (event === 'request' && current) take([JSON.parse(data) as RequestRecord]);
      },
      onOpen: (reopened) => {
        if (!current) return;
        if (reopened) setError(undefined);
        void (loaded ? catchUp() : load());
        loaded = true;
        later(catchUp, CATCH_UP_AGAIN_MS);
      },
      onState: (s) => current && setLive(s),
      onRefused: (e) => {
        if (!current) return;
        // Refused before it opened (recording off, say): the page read says why.
        if (!loaded) void load();
        else setError(`The live stream stopped: ${errorText(e)}`);
        loaded = true;
      },
      onDropped: () => {
        // The page is read even when the stream cannot open yet; the stream keeps trying.
        if (current && !loaded) {
          loaded = true;
          void load();
        }
      },
    });
    return () => {
      current = false;
      stop();
      for (const timer of timers) clearTimeout(timer);
    };
  }, [filters, following]);

  const more = async () => {
    if (!next) return;
    try {
      const page = await api<Page>('GET', `/api/v1/requests${queryOf(filters, { cursor: next })}`);
      setRecords((shown) => merged(shown, page.requests));
      setNext(page.next);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return { records, next, state, error, live, more };
}
