import { useEffect } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { api } from '../api.ts';
import { when } from '../format.ts';
import { useLoad } from '../use-load.ts';

/** One entry of a tunnel's audit trail, as `GET /api/v1/tunnels/{name}/events` gives it. */
interface TunnelEvent {
  type: 'connect' | 'disconnect' | 'rejected';
  at: string;
  ip: string;
  agentVersion?: string;
  reason?: string;
}

/** How many of the newest connections, drops and refused keys the page shows. */
const SHOWN = 20;

const WHAT: Record<TunnelEvent['type'], string> = {
  connect: 'connected',
  disconnect: 'disconnected',
  rejected: 'refused (bad key)',
};

/**
 * A tunnel's online and offline history: when its agents connected and dropped, from where, with
 * which version and why, and keys refused. Read again as often as the tunnel's state is.
 */
export function TunnelConnections({ name, everyMs }: { name: string; everyMs: number }) {
  const path = `/api/v1/tunnels/${encodeURIComponent(name)}/events?limit=${SHOWN}`;
  const { data, error, reload } = useLoad(() => api<{ events: TunnelEvent[] }>('GET', path), [path]);
  useEffect(() => {
    const timer = setInterval(reload, everyMs);
    return () => clearInterval(timer);
  }, [reload, everyMs]);
  return (
    <>
      <h2>Connections</h2>
      <Alert text={error} />
      {data && data.events.length === 0 && <p>No agent has connected yet.</p>}
      {data && data.events.length > 0 && (
        <table>
          <caption class="visually-hidden">The newest {SHOWN} connections, drops and refused keys</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">From</th>
              <th scope="col">Agent</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {data.events.map((e, i) => (
              <tr key={`${e.at}/${e.type}/${i}`} data-event={e.type}>
                <td>{when(e.at)}</td>
                <td>{WHAT[e.type]}</td>
                <td class="mono">{e.ip}</td>
                <td>{e.agentVersion ?? '—'}</td>
                <td>{e.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
