import type { ComponentChild } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { api } from '../api.ts';
import { TimeChart } from '../chart.tsx';
import { bytes, when } from '../format.ts';
import { LiveStatus } from '../live-status.tsx';
import type { Analytics, Tunnel } from '../types.ts';
import { isUnavailable, NOT_RECORDED } from '../unavailable.ts';
import { useLiveRefresh } from '../use-live.ts';
import { useLoad } from '../use-load.ts';
import { TunnelConnections } from './tunnel-connections.tsx';

/** The windows a tunnel's history covers, by the analytics API's name. */
const WINDOWS = [
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
] as const;

/** How often the agent's state and its connections are read again. */
const STATE_EVERY_MS = 3000;

/** One tunnel: its agent's state and connections, and its requests and bytes in and out over the last hour, day or week. */
export function TunnelDetail({ name }: { name: string }) {
  const path = `/api/v1/tunnels/${encodeURIComponent(name)}`;
  const tunnel = useLoad(() => api<Tunnel>('GET', path), [path]);
  const [span, setSpan] = useState<string>('1h');
  const history = useLoad(async () => {
    const query = new URLSearchParams({ tunnel: name, window: span });
    try {
      return await api<Analytics>('GET', `/api/v1/analytics?${query}`);
    } catch (e) {
      if (isUnavailable(e)) return null;
      throw e;
    }
  }, [name, span]);
  const reloadTunnel = tunnel.reload;
  // The agent's state is read again as often as the list does; the history as requests arrive.
  useEffect(() => {
    const timer = setInterval(reloadTunnel, STATE_EVERY_MS);
    return () => clearInterval(timer);
  }, [reloadTunnel]);
  const recorded = history.data !== undefined && history.data !== null;
  const live = useLiveRefresh(
    recorded ? `/api/v1/requests/stream?${new URLSearchParams({ tunnel: name })}` : null,
    history.reload,
  );
  const heading = useRef<HTMLHeadingElement>(null);
  // Coming from the list by keyboard, the reader lands on what it opened.
  useEffect(() => heading.current?.focus(), [name]);

  const t = tunnel.data;
  return (
    <>
      <p>
        <a href="#/tunnels">All tunnels</a>
      </p>
      <h2 ref={heading} tabIndex={-1} data-tunnel-detail={name}>
        Tunnel {name}
      </h2>
      <Alert text={tunnel.error} />
      {t && (
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <span class="badge" data-online={String(t.online)}>
              {t.online ? 'online' : 'offline'}
            </span>
          </dd>
          <dt>Address</dt>
          <dd>
            <a href={t.url}>{t.url}</a>
          </dd>
          <dt>Agent</dt>
          <dd>
            {t.agentVersion ?? '—'} {t.clientIp ? `from ${t.clientIp}` : ''}
          </dd>
          <dt>Connected since</dt>
          <dd>{when(t.connectedSince)}</dd>
          <dt>Requests since the agent connected</dt>
          <dd>
            {t.requests}
            {t.activeRequests > 0 ? ` (${t.activeRequests} open)` : ''}
          </dd>
        </dl>
      )}
      <TunnelConnections name={name} everyMs={STATE_EVERY_MS} />
      <h2>Traffic history</h2>
      <fieldset class="choice">
        <legend>Window</legend>
        {WINDOWS.map(([value, label]) => (
          <label class="check" key={value}>
            <input
              type="radio"
              name="history-window"
              value={value}
              checked={span === value}
              onChange={() => setSpan(value)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      {history.data === null && (
        <p class="note" data-unavailable>
          {NOT_RECORDED} Turn it on (<code>--request-log on</code>) to keep this tunnel's traffic history.
        </p>
      )}
      <Alert text={history.error} />
      {history.data === undefined && !history.error && <p>Loading…</p>}
      {history.data && <History data={history.data} live={<LiveStatus state={live} />} />}
    </>
  );
}

/** A window of one tunnel's traffic: totals, requests and bytes per bucket as charts, and as a table. */
function History({ data, live }: { data: Analytics; live: ComponentChild }) {
  const times = useMemo(() => data.series.map((b) => Date.parse(b.at) / 1000), [data]);
  const requests = useMemo(
    () => [
      { label: 'requests', stroke: '#1d4ed8', values: data.series.map((b) => b.requests) },
      { label: 'errors', stroke: '#b91c1c', values: data.series.map((b) => b.errors) },
    ],
    [data],
  );
  const traffic = useMemo(
    () => [
      { label: 'in', stroke: '#047857', values: data.series.map((b) => b.bytesIn) },
      { label: 'out', stroke: '#7c3aed', values: data.series.map((b) => b.bytesOut) },
    ],
    [data],
  );
  const busy = data.series.filter((b) => b.requests > 0);
  return (
    <>
      <p class="hint">
        {when(data.from)} to {when(data.to)}, {live}
      </p>
      <section class="cards" aria-label="Totals of the window" data-window={data.window}>
        <div class="card">
          <span class="card-label">Requests</span>
          <span class="card-value" data-history-total>
            {data.total}
          </span>
        </div>
        <div class="card">
          <span class="card-label">Errors (5xx)</span>
          <span class="card-value">{data.status['5xx']}</span>
        </div>
        <div class="card">
          <span class="card-label">In</span>
          <span class="card-value" data-history-in>
            {bytes(data.bytesIn)}
          </span>
        </div>
        <div class="card">
          <span class="card-label">Out</span>
          <span class="card-value" data-history-out>
            {bytes(data.bytesOut)}
          </span>
        </div>
      </section>
      <div class="charts">
        <TimeChart
          name="tunnel-requests"
          title="Requests and errors per bucket"
          unit=""
          times={times}
          lines={requests}
        />
        <TimeChart
          name="tunnel-bytes"
          title="Bytes in and out per bucket"
          unit="B"
          format={bytes}
          times={times}
          lines={traffic}
        />
      </div>
      <details>
        <summary>
          The history as a table ({busy.length} {busy.length === 1 ? 'bucket' : 'buckets'} with requests)
        </summary>
        <table>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">Requests</th>
              <th scope="col">Errors</th>
              <th scope="col">In</th>
              <th scope="col">Out</th>
            </tr>
          </thead>
          <tbody>
            {busy.map((b) => (
              <tr key={b.at} data-bucket={b.at}>
                <td>{when(b.at)}</td>
                <td>{b.requests}</td>
                <td>{b.errors}</td>
                <td>{bytes(b.bytesIn)}</td>
                <td>{bytes(b.bytesOut)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}
