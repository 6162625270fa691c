import { useMemo, useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { api } from '../api.ts';
import { TimeChart } from '../chart.tsx';
import { bytes } from '../format.ts';
import type { Analytics } from '../types.ts';
import { isUnavailable, NOT_RECORDED } from '../unavailable.ts';
import { useLoad } from '../use-load.ts';

const WINDOWS = ['15m', '1h', '24h', '7d'] as const;
const SCOPES = ['all', 'host', 'route', 'tunnel'] as const;

/** Rate, latency and status mix over a window, for everything or one host, route or tunnel. */
export function AnalyticsPage() {
  const [span, setSpan] = useState<string>('1h');
  const [scope, setScope] = useState<string>('all');
  const [name, setName] = useState('');
  const [asked, setAsked] = useState({ window: '1h', scope: 'all', name: '' });
  const { data, error } = useLoad(async () => {
    const params = new URLSearchParams({ window: asked.window });
    if (asked.scope !== 'all' && asked.name) params.set(asked.scope, asked.name);
    try {
      return await api<Analytics>('GET', `/api/v1/analytics?${params}`);
    } catch (e) {
      if (isUnavailable(e)) return null;
      throw e;
    }
  }, [asked]);
  const times = useMemo(() => data?.series.map((b) => Date.parse(b.at) / 1000) ?? [], [data]);
  const rate = useMemo(
    () => [
      { label: 'requests', stroke: '#1d4ed8', values: data?.series.map((b) => b.requests) ?? [] },
      { label: 'errors', stroke: '#b91c1c', values: data?.series.map((b) => b.errors) ?? [] },
    ],
    [data],
  );
  const latency = useMemo(
    () => [
      { label: 'p50', stroke: '#047857', values: data?.series.map((b) => b.p50) ?? [] },
      { label: 'p95', stroke: '#b45309', values: data?.series.map((b) => b.p95) ?? [] },
    ],
    [data],
  );
  if (data === null)
    return (
      <p class="note" data-unavailable>
        {NOT_RECORDED}
      </p>
    );
  return (
    <>
      <form
        class="filters"
        aria-label="Window"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ window: span, scope, name });
        }}
      >
        <div class="field">
          <label for="analytics-window">Window</label>
          <select id="analytics-window" value={span} onChange={(e) => setSpan(e.currentTarget.value)}>
            {WINDOWS.map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="analytics-scope">Of</label>
          <select id="analytics-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
            {SCOPES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        {scope !== 'all' && (
          <div class="field">
            <label for="analytics-name">
              {scope === 'route' ? 'Route id' : scope === 'host' ? 'Host' : 'Tunnel name'}
            </label>
            <input id="analytics-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
        )}
        <div class="buttons">
          <button type="submit">Show</button>
        </div>
      </form>
      <Alert text={error} />
      {!data && !error && <p>Loading…</p>}
      {data && (
        <>
          <section class="cards" aria-label="Totals">
            <div class="card">
              <span class="card-label">Requests</span>
              <span class="card-value" data-total>
                {data.total}
              </span>
            </div>
            <div class="card">
              <span class="card-label">Per second</span>
              <span class="card-value">{data.ratePerSecond.toFixed(2)}</span>
            </div>
            <div class="card">
              <span class="card-label">p50 / p95 / p99</span>
              <span class="card-value">
                {data.latencyMs.p50} / {data.latencyMs.p95} / {data.latencyMs.p99} ms
              </span>
            </div>
            <div class="card">
              <span class="card-label">Visitors</span>
              <span class="card-value">{data.uniqueVisitors}</span>
            </div>
            <div class="card">
              <span class="card-label">In / out</span>
              <span class="card-value">
                {bytes(data.bytesIn)} / {bytes(data.bytesOut)}
              </span>
            </div>
          </section>
          <div class="charts">
            <TimeChart
              name="rate"
              title="Requests and errors per bucket"
              unit=""
              times={times}
              lines={rate}
            />
            <TimeChart name="latency" title="Latency" unit="ms" times={times} lines={latency} />
          </div>
          <h2>Status mix</h2>
          <StatusMix status={data.status} />
          <div class="columns">
            <section>
              <h2>Top paths</h2>
              <table>
                <tbody>
                  {data.topPaths.map((p) => (
                    <tr key={p.path}>
                      <td class="mono">{p.path}</td>
                      <td>{p.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section>
              <h2>Top errors</h2>
              <table>
                <tbody>
                  {data.topErrors.map((e) => (
                    <tr key={`${e.status}${e.error}`}>
                      <td>{e.status}</td>
                      <td class="mono">{e.error ?? ''}</td>
                      <td>{e.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
        </>
      )}
    </>
  );
}

/** The status classes as one bar, each part as wide as its share, with the counts written out. */
function StatusMix({ status }: { status: Analytics['status'] }) {
  const classes = ['2xx', '3xx', '4xx', '5xx'] as const;
  const total = classes.reduce((sum, c) => sum + status[c], 0);
  return (
    <div class="status-mix">
      <div class="bar" aria-hidden="true">
        {total > 0 &&
          classes.map((c) =>
            status[c] > 0 ? <span key={c} data-class={c} style={{ flexGrow: status[c] }} /> : null,
          )}
      </div>
      <ul class="legend">
        {classes.map((c) => (
          <li key={c} data-class={c}>
            {c}: {status[c]}
          </li>
        ))}
      </ul>
    </div>
  );
}
