import { Alert } from '../alert.tsx';
import { api } from '../api.ts';
import type { Route } from '../types.ts';
import { useLoad } from '../use-load.ts';

/** A select of the routes of one kind; the first is chosen when none is. */
export function RoutePicker({
  kind,
  value,
  onChange,
}: {
  kind: string;
  value: string | undefined;
  onChange: (id: string) => void;
}) {
  const { data, error } = useLoad(async () => {
    const routes = (await api<{ routes: Route[] }>('GET', '/api/v1/routes')).routes.filter(
      (r) => r.kind === kind,
    );
    if (value === undefined && routes[0]) onChange(routes[0].id);
    return routes;
  });
  if (error) return <Alert text={error} />;
  if (!data) return <p>Loading…</p>;
  if (data.length === 0) return <p>No {kind} routes.</p>;
  return (
    <div class="field">
      <label for={`${kind}-route`}>Route</label>
      <select id={`${kind}-route`} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {data.map((r) => (
          <option key={r.id} value={r.id}>
            {r.host}
            {r.path === '/' ? '' : r.path}
          </option>
        ))}
      </select>
    </div>
  );
}
