import { useEffect } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { api } from '../api.ts';
import { daysUntil } from '../format.ts';
import { LiveStatus } from '../live-status.tsx';
import type { Analytics, Certificate, Tunnel } from '../types.ts';
import { isUnavailable, NOT_RECORDED } from '../unavailable.ts';
import { useLiveRefresh } from '../use-live.ts';
import { useLoad } from '../use-load.ts';

/** How often the overview reads tunnels and certificates again when no request has made it. */
const STATE_REFRESH_MS = 5000;

/**
 * Requests, errors and latency of the last hour (when recorded), tunnels online, certificates near
 * expiry; read again, every few seconds at most, while requests arrive on the live stream.
 */
export function OverviewPage() {
  const { data, error, reload } = useLoad(async () => {
    const [routes, tunnels, certificates, analytics] = await Promise.all([
      api<{ routes: unknown[] }>('GET', '/api/v1/routes'),
      api<{ tunnels: Tunnel[] }>('GET', '/api/v1/tunnels'),
      api<{ certificates: Certificate[] }>('GET', '/api/v1/certificates'),
      api<Analytics>('GET', '/api/v1/analytics?window=1h').catch((e: unknown) => {
        if (isUnavailable(e)) return null;
        throw e;
      }),
    ]);
    return {
      routes: routes.routes.length,
      tunnels: tunnels.tunnels,
      certificates: certificates.certificates,
      analytics,
    };
  });
  // Without records there is nothing to follow; until the first read, whether there are is unknown.
  const recorded = data !== undefined && data.analytics !== null;
  const live = useLiveRefresh(recorded ? '/api/v1/requests/stream' : null, reload);
  // Tunnels come and go, and certificates change, with no request to tell of it: read again now and then.
  useEffect(() => {
    const timer = setInterval(reload, STATE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  if (error) return <Alert text={error} />;
  if (!data) return <p>Loading…</p>;
  const online = data.tunnels.filter((t) => t.online).length;
  const expiring = data.certificates.filter((c) => {
    const days = daysUntil(c.notAfter);
    return c.status === 'near-expiry' || c.status === 'expired' || (days !== undefined && days < 21);
  });
  const a = data.analytics;
  const errors = a ? a.status['5xx'] + a.status['4xx'] : 0;
  return (
    <>
      <section class="cards" aria-label="Summary">
        <Card label="Requests/s (1 h)" value={a ? a.ratePerSecond.toFixed(2) : 'not recorded'} />
        <Card label="Errors (1 h)" value={a ? String(errors) : 'not recorded'} />
        <Card label="p95 latency" value={a ? `${a.latencyMs.p95} ms` : 'not recorded'} />
        <Card label="Routes" value={String(data.routes)} href="#/routes" />
        <Card label="Tunnels online" value={`${online} of ${data.tunnels.length}`} href="#/tunnels" />
        <Card label="Certificates near expiry" value={String(expiring.length)} href="#/certificates" />
      </section>
      {a ? (
        <p class="hint">
          Request numbers: <LiveStatus state={live} />
        </p>
      ) : (
        <p class="note">{NOT_RECORDED}</p>
      )}
      {expiring.length > 0 && (
        <>
          <h2>Certificates near expiry</h2>
          <ul>
            {expiring.map((c) => (
              <li key={c.id}>
                {c.names.join(', ')}: {c.status}, {daysUntil(c.notAfter) ?? '?'} days left
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function Card({ label, value, href }: { label: string; value: string; href?: string }) {
  const body = (
    <>
      <span class="card-label">{label}</span>
      <span class="card-value" data-card={label}>
        {value}
      </span>
    </>
  );
  return href ? (
    <a class="card" href={href}>
      {body}
    </a>
  ) : (
    <div class="card">{body}</div>
  );
}
