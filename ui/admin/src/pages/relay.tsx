import { useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { api, errorText } from '../api.ts';
import { bytes, decodedBody, when } from '../format.ts';
import type { Delivery } from '../types.ts';
import { useLoad } from '../use-load.ts';
import { RoutePicker } from './route-picker.tsx';

interface Registration {
  developerId: string;
  target: { kind: 'tunnel'; name: string } | { kind: 'url'; url: string };
  expiresAt: string;
}

/** A relay route's registered developers and its webhook deliveries: read one, replay it. */
export function RelayPage() {
  const [routeId, setRouteId] = useState<string | undefined>(undefined);
  return (
    <>
      <RoutePicker kind="relay" value={routeId} onChange={setRouteId} />
      {routeId && <RelayRoute key={routeId} routeId={routeId} />}
    </>
  );
}

function RelayRoute({ routeId }: { routeId: string }) {
  const base = `/api/v1/routes/${encodeURIComponent(routeId)}`;
  const registrations = useLoad(() => api<{ registrations: Registration[] }>('GET', `${base}/registrations`));
  const deliveries = useLoad(() => api<{ deliveries: Delivery[] }>('GET', `${base}/deliveries?limit=50`));
  const [open, setOpen] = useState<string | undefined>(undefined);
  return (
    <>
      <h2>Registrations</h2>
      <Alert text={registrations.error} />
      {registrations.data && registrations.data.registrations.length === 0 && (
        <p>No developer is registered.</p>
      )}
      {registrations.data && registrations.data.registrations.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Developer</th>
              <th scope="col">Goes to</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {registrations.data.registrations.map((r) => (
              <tr key={r.developerId}>
                <td>{r.developerId}</td>
                <td class="mono">{r.target.kind === 'tunnel' ? `tunnel ${r.target.name}` : r.target.url}</td>
                <td>{when(r.expiresAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Webhook deliveries</h2>
      <button type="button" class="quiet" onClick={deliveries.reload}>
        Refresh
      </button>
      <Alert text={deliveries.error} />
      {deliveries.data && deliveries.data.deliveries.length === 0 && <p>No webhook received yet.</p>}
      {deliveries.data && deliveries.data.deliveries.length > 0 && (
        <table class="deliveries">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Request</th>
              <th scope="col">Size</th>
              <th scope="col">Sent to</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data.deliveries.map((d) => (
              <tr key={d.id} data-delivery={d.id}>
                <td>
                  <button
                    type="button"
                    class="link"
                    aria-expanded={open === d.id}
                    onClick={() => setOpen(open === d.id ? undefined : d.id)}
                  >
                    {when(d.receivedAt)}
                  </button>
                </td>
                <td class="mono">
                  {d.method} {d.pathAndQuery}
                </td>
                <td>{bytes(d.bodyBytes)}</td>
                <td>
                  {d.results.map((r) => (
                    <span
                      key={`${r.developer}${r.at}`}
                      class="result"
                      data-replay={r.replay ? 'true' : undefined}
                    >
                      {r.developer} {r.status}
                      {r.replay ? ' (replay)' : ''}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && (
        <DeliveryDetail
          base={base}
          id={open}
          developers={registrations.data?.registrations.map((r) => r.developerId) ?? []}
          onReplayed={deliveries.reload}
        />
      )}
    </>
  );
}

function DeliveryDetail({
  base,
  id,
  developers,
  onReplayed,
}: {
  base: string;
  id: string;
  developers: string[];
  onReplayed: () => void;
}) {
  const { data, error } = useLoad(
    () => api<Delivery>('GET', `${base}/deliveries/${encodeURIComponent(id)}`),
    [id],
  );
  const [developer, setDeveloper] = useState(developers[0] ?? '');
  const [outcome, setOutcome] = useState<string | undefined>(undefined);
  if (error) return <Alert text={error} />;
  if (!data) return <p>Loading…</p>;
  const body = decodedBody(data.body);
  const replay = async (event: Event) => {
    event.preventDefault();
    try {
      const result = await api<{ status: number; error?: string }>(
        'POST',
        `${base}/deliveries/${encodeURIComponent(id)}/replay`,
        {
          developer_id: developer,
        },
      );
      setOutcome(`Replayed to ${developer}: ${result.status}${result.error ? ` (${result.error})` : ''}`);
      onReplayed();
    } catch (e) {
      setOutcome(errorText(e));
    }
  };
  return (
    <section class="detail" aria-label="Delivery">
      <h3 class="mono">
        {data.method} {data.authority}
        {data.pathAndQuery}
      </h3>
      <table class="headers">
        <tbody>
          {Object.entries(data.headers).map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td class="mono">{Array.isArray(value) ? value.join(', ') : value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <pre class="body" data-binary={String(body.binary)}>
        {body.text}
      </pre>
      <form class="inline" onSubmit={replay}>
        <div class="field">
          <label for="replay-developer">Replay to developer</label>
          <input
            id="replay-developer"
            list="replay-developers"
            required
            value={developer}
            onInput={(e) => setDeveloper(e.currentTarget.value)}
          />
          <datalist id="replay-developers">
            {developers.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
        </div>
        <button type="submit">Replay</button>
      </form>
      {outcome && <p role="status">{outcome}</p>}
    </section>
  );
}
