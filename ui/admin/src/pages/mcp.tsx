import { useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { api } from '../api.ts';
import { when } from '../format.ts';
import { useLoad } from '../use-load.ts';
import { RoutePicker } from './route-picker.tsx';

interface McpCall {
  id: string;
  at: string;
  who: string;
  method: string;
  name: string | null;
  argumentsHash: string | null;
  outcome: string;
  durationMs: number;
}

/** The calls through an MCP route: who called what, and how it ended. */
export function McpPage() {
  const [routeId, setRouteId] = useState<string | undefined>(undefined);
  return (
    <>
      <RoutePicker kind="mcp" value={routeId} onChange={setRouteId} />
      {routeId && <Calls key={routeId} routeId={routeId} />}
    </>
  );
}

function Calls({ routeId }: { routeId: string }) {
  const { data, error } = useLoad(() =>
    api<{ calls: McpCall[] }>('GET', `/api/v1/routes/${encodeURIComponent(routeId)}/mcp-calls?limit=200`),
  );
  if (error) return <Alert text={error} />;
  if (!data) return <p>Loading…</p>;
  if (data.calls.length === 0) return <p>No calls yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Method</th>
          <th scope="col">Name</th>
          <th scope="col">Outcome</th>
          <th scope="col">ms</th>
          <th scope="col">Arguments (SHA-256)</th>
        </tr>
      </thead>
      <tbody>
        {data.calls.map((c) => (
          <tr key={c.id}>
            <td>{when(c.at)}</td>
            <td>{c.who}</td>
            <td class="mono">{c.method}</td>
            <td class="mono">{c.name ?? '—'}</td>
            <td>{c.outcome}</td>
            <td>{c.durationMs}</td>
            <td class="mono hash">{c.argumentsHash?.slice(0, 16) ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
