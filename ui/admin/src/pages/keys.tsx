import { useState } from 'preact/hooks';
import { Alert } from '../alert.tsx';
import { ApiError, api, errorText } from '../api.ts';
import { when } from '../format.ts';
import { ShownOnce } from '../shown-once.tsx';
import { useLoad } from '../use-load.ts';

interface ApiKey {
  id: string;
  name: string;
  prefix?: string;
  createdAt?: string;
  revokedAt?: string | null;
  [field: string]: unknown;
}

/** Admin API keys: create (the key shown once) and revoke. */
export function KeysPage() {
  const { data, error, reload } = useLoad(() => api<{ keys: ApiKey[] }>('GET', '/api/v1/keys'));
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const [made, setMade] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const create = async (event: Event) => {
    event.preventDefault();
    setNameError(undefined);
    try {
      const key = await api<{ key: string }>('POST', '/api/v1/keys', { name });
      setMade(key.key);
      setName('');
      reload();
    } catch (e) {
      if (e instanceof ApiError && e.field === 'name') setNameError(e.message);
      else setActionError(errorText(e));
    }
  };
  const revoke = async (key: ApiKey) => {
    if (!confirm(`Revoke the key ${key.name}?`)) return;
    try {
      await api('DELETE', `/api/v1/keys/${encodeURIComponent(key.id)}`);
      reload();
    } catch (e) {
      setActionError(errorText(e));
    }
  };
  return (
    <>
      <form class="inline" onSubmit={create}>
        <div class="field">
          <label for="key-name">New key's name</label>
          <input
            id="key-name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            aria-invalid={nameError ? 'true' : undefined}
            aria-describedby={nameError ? 'key-name-error' : undefined}
          />
          {nameError && (
            <p id="key-name-error" class="field-error" role="alert">
              {nameError}
            </p>
          )}
        </div>
        <button type="submit">Create key</button>
      </form>
      {made && <ShownOnce what="The new key" secret={made} onDone={() => setMade(undefined)} />}
      <Alert text={error ?? actionError} />
      {data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Created</th>
              <th scope="col">Revoked</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td class="mono">{k.id}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.revokedAt)}</td>
                <td class="actions">
                  {!k.revokedAt && (
                    <button
                      type="button"
                      class="danger"
                      onClick={() => revoke(k)}
                      aria-label={`Revoke ${k.name}`}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
