import { useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { api, errorText } from '../api.ts';
import type { Route } from '../types.ts';
import { useLoad } from '../use-load.ts';
import { RouteForm } from './route-form.tsx';

/** Every route: create, change and delete; changes take effect at once. */
export function RoutesPage() {
  const { data, error, reload } = useLoad(() => api<{ routes: Route[] }>('GET', '/api/v1/routes'));
  const [editing, setEditing] = useState<string | 'new' | undefined>(undefined);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const saved = () => {
    setEditing(undefined);
    reload();
  };
  const remove = async (route: Route) => {
    if (!confirm(`Delete the route ${route.host}${route.path}?`)) return;
    try {
      await api('DELETE', `/api/v1/routes/${encodeURIComponent(route.id)}`);
      reload();
    } catch (e) {
      setActionError(errorText(e));
    }
  };
  return (
    <>
      {editing === 'new' ? (
        <RouteForm onSaved={saved} onCancel={() => setEditing(undefined)} />
      ) : (
        <button type="button" onClick={() => setEditing('new')}>
          New route
        </button>
      )}
      <Alert text={error ?? actionError} />
      {data && data.routes.length === 0 && <p>No routes yet.</p>}
      {data && data.routes.length > 0 && (
        <table class="routes">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Path</th>
              <th scope="col">Kind</th>
              <th scope="col">Goes to</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.routes.map((route) =>
              editing === route.id ? (
                <tr key={route.id}>
                  <td colSpan={5}>
                    <RouteForm route={route} onSaved={saved} onCancel={() => setEditing(undefined)} />
                  </td>
                </tr>
              ) : (
                <tr key={route.id} data-route={route.host}>
                  <td>{route.host}</td>
                  <td>{route.path}</td>
                  <td>{route.kind}</td>
                  <td class="mono">{String(route.target ?? route.tunnel ?? '')}</td>
                  <td class="actions">
                    <button
                      type="button"
                      class="quiet"
                      onClick={() => setEditing(route.id)}
                      aria-label={`Edit ${route.host}${route.path}`}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      class="danger"
                      onClick={() => remove(route)}
                      aria-label={`Delete ${route.host}${route.path}`}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
    </>
  );
}
