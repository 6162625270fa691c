import { useEffect, useState } from 'preact/hooks';
import { api, errorText, follow } from '../api.ts';
import { bytes, when } from '../format.ts';
import type { RequestRecord } from '../types.ts';
import { isUnavailable, NOT_RECORDED } from '../unavailable.ts';

/** The filters the records API takes, as the form holds them. */
const FILTERS = [
  ['host', 'Host', 'app.example.com'],
  ['route', 'Route id', ''],
  ['tunnel', 'Tunnel', ''],
  ['status', 'Status', '5xx or 404'],
  ['path', 'Path prefix', '/api'],
  ['ip', 'Client IP', ''],
  ['user', 'User', ''],
  ['since', 'Since', '2026-01-01T00:00:00Z'],
  ['until', 'Until', ''],
] as const;
type Filters = Partial<Record<(typeof FILTERS)[number][0], string>>;

function query(filters: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...extra })) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Records first seen live, newest first, then the page read, each once. */
function merged(shown: RequestRecord[], listed: RequestRecord[]): RequestRecord[] {
  const ids = new Set(listed.map((r) => r.id));
  return [...shown.filter((r) => !ids.has(r.id)), ...listed];
}

/** The request log: newest first, filtered, more on demand, and live while following. */
export function RequestsPage() {
  const [draft, setDraft] = useState<Filters>({});
  const [filters, setFilters] = useState<Filters>({});
  const [records, setRecords] = useState<RequestRecord[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'unavailable'>('loading');
  const [error, setError] = useState<string | undefined>(undefined);
  const [live, setLive] = useState(true);
  const [streaming, setStreaming] = useState(false);

  // Live records are subscribed to before the page is read, and the two merged: a request made
  // between the two is in one or the other, never lost.
  useEffect(() => {
    let current = true;
    let opened = false;
    setState('loading');
    setRecords([]);
    setStreaming(false);
    const load = () =>
      api<{ requests: RequestRecord[]; next: string | null }>(
        'GET',
        `/api/v1/requests${query(filters)}`,
      ).then(
        (page) => {
          if (!current) return;
          setRecords((shown) => merged(shown, page.requests));
          setNext(page.next);
          setState('ready');
          setError(undefined);
        },
        (e: unknown) => {
          if (!current) return;
          if (isUnavailable(e)) setState('unavailable');
          else setError(errorText(e));
        },
      );
    if (!live) {
      void load();
      return () => {
        current = false;
      };
    }
    const stop = follow(
      `/api/v1/requests/stream${query(filters)}`,
      (event, data) => {
        if (event !== 'request' || !current) return;
        const record = JSON.parse(data) as RequestRecord;
        setRecords((shown) =>
          shown.some((r) => r.id === record.id) ? shown : [record, ...shown].slice(0, 1000),
        );
      },
      (e) => {
        if (!current) return;
        setStreaming(false);
        if (!opened) void load();
        else setError(`The live stream stopped: ${errorText(e)}`);
      },
      () => {
        if (!current) return;
        opened = true;
        setStreaming(true);
        void load();
      },
    );
    return () => {
      current = false;
      stop();
    };
  }, [filters, live]);

  const more = async () => {
    if (!next) return;
    try {
      const page = await api<{ requests: RequestRecord[]; next: string | null }>(
        'GET',
        `/api/v1/requests${query(filters, { cursor: next })}`,
      );
      setRecords((shown) => [...shown, ...page.requests]);
      setNext(page.next);
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (state === 'unavailable')
    return (
      <p class="note" data-unavailable>
        {NOT_RECORDED}
      </p>
    );
  return (
    <>
      <form
        class="filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft });
        }}
      >
        {FILTERS.map(([name, label, placeholder]) => (
          <div class="field" key={name}>
            <label for={`filter-${name}`}>{label}</label>
            <input
              id={`filter-${name}`}
              value={draft[name] ?? ''}
              placeholder={placeholder}
              onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })}
            />
          </div>
        ))}
        <div class="buttons">
          <button type="submit">Apply</button>
          <label class="check" data-live={streaming ? 'open' : 'closed'}>
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} /> Live
          </label>
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {state === 'loading' && <p>Loading…</p>}
      {state === 'ready' && records.length === 0 && <p>No requests match.</p>}
      {records.length > 0 && (
        <table class="requests">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Method</th>
              <th scope="col">Host</th>
              <th scope="col">Path</th>
              <th scope="col">Status</th>
              <th scope="col">ms</th>
              <th scope="col">Out</th>
              <th scope="col">Client</th>
              <th scope="col">User</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.id} data-request={r.id}>
                <td>{when(r.at)}</td>
                <td>{r.method}</td>
                <td>{r.host}</td>
                <td class="mono">{r.path}</td>
                <td>
                  <span
                    class="badge"
                    data-class={`${Math.floor(r.status / 100)}xx`}
                    title={r.error ?? undefined}
                  >
                    {r.status}
                  </span>
                </td>
                <td>{r.durationMs}</td>
                <td>{bytes(r.bytesOut)}</td>
                <td class="mono">{r.ip}</td>
                <td>{r.user ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" class="quiet" onClick={more}>
          Older requests
        </button>
      )}
    </>
  );
}
