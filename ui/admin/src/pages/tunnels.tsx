import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { api, errorText } from '../api.ts';
import type { PageProps } from '../app.tsx';
import { when } from '../format.ts';
import { ShownOnce } from '../shown-once.tsx';
import type { Tunnel } from '../types.ts';
import { useLoad } from '../use-load.ts';
import { TunnelDetail } from './tunnel-detail.tsx';

/** The tunnels, or one tunnel's page (`#/tunnels/<name>`) with its traffic history. */
export function TunnelsPage({ sub }: PageProps) {
  return sub ? <TunnelDetail name={decodeURIComponent(sub)} /> : <TunnelList />;
}

/** Tunnels with their agents' live state; rotate a key (shown once) or delete a tunnel. */
function TunnelList() {
  const { data, error, reload } = useLoad(() => api<{ tunnels: Tunnel[] }>('GET', '/api/v1/tunnels'));
  const [shown, setShown] = useState<{ name: string; key: string } | undefined>(undefined);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  // Agents come and go: the list is read again every few seconds.
  useEffect(() => {
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [reload]);
  const act = async (what: () => Promise<void>) => {
    setActionError(undefined);
    try {
      await what();
      reload();
    } catch (e) {
      setActionError(errorText(e));
    }
  };
  const rotate = (t: Tunnel) =>
    act(async () => {
      if (!confirm(`Rotate the key of ${t.name}? Its agent is disconnected until it has the new key.`))
        return;
      const made = await api<{ key: string }>(
        'POST',
        `/api/v1/tunnels/${encodeURIComponent(t.name)}/rotate-key`,
      );
      setShown({ name: t.name, key: made.key });
    });
  const remove = (t: Tunnel) =>
    act(async () => {
      if (!confirm(`Delete the tunnel ${t.name}?`)) return;
      await api('DELETE', `/api/v1/tunnels/${encodeURIComponent(t.name)}`);
    });
  return (
    <>
      {shown && (
        <ShownOnce
          what={
            <>
              The new key of <strong>{shown.name}</strong>
            </>
          }
          secret={shown.key}
          onDone={() => setShown(undefined)}
        />
      )}
      <Alert text={error ?? actionError} />
      {data && data.tunnels.length === 0 && <p>No tunnels yet: create one with gatehouse tunnel create.</p>}
      {data && data.tunnels.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Agent</th>
              <th scope="col">Address</th>
              <th scope="col">Connected since</th>
              <th scope="col">Requests</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.tunnels.map((t) => (
              <tr key={t.name} data-tunnel={t.name}>
                <td>
                  <a
                    href={`#/tunnels/${encodeURIComponent(t.name)}`}
                    aria-label={`${t.name}: status and traffic history`}
                  >
                    {t.name}
                  </a>
                </td>
                <td>
                  <span class="badge" data-online={String(t.online)}>
                    {t.online ? 'online' : 'offline'}
                  </span>
                </td>
                <td>{t.agentVersion ?? '—'}</td>
                <td class="mono">{t.clientIp ?? '—'}</td>
                <td>{when(t.connectedSince)}</td>
                <td>
                  {t.requests}
                  {t.activeRequests > 0 ? ` (${t.activeRequests} open)` : ''}
                </td>
                <td class="actions">
                  <button
                    type="button"
                    class="quiet"
                    onClick={() => rotate(t)}
                    aria-label={`Rotate key of ${t.name}`}
                  >
                    Rotate key
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() => remove(t)}
                    aria-label={`Delete ${t.name}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
