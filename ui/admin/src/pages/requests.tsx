import { useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { bytes, when } from '../format.ts';
import { LiveStatus } from '../live-status.tsx';
import { useRequestFeed } from '../request-feed.ts';
import { NOT_RECORDED } from '../unavailable.ts';

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

/** The request log: newest first, filtered, more on demand, and live while following. */
export function RequestsPage() {
  const [draft, setDraft] = useState<Filters>({});
  const [filters, setFilters] = useState<Readonly<Record<string, string>>>({});
  const [following, setFollowing] = useState(true);
  const { records, next, state, error, live, more } = useRequestFeed(filters, following);

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
          setFilters(Object.fromEntries(Object.entries(draft).filter(([, v]) => v)));
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
          <label class="check">
            <input
              type="checkbox"
              checked={following}
              onChange={(e) => setFollowing(e.currentTarget.checked)}
            />{' '}
            Live
          </label>
          {following && <LiveStatus state={live} />}
        </div>
      </form>
      <Alert text={error} />
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
