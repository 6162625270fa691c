import { useState } from 'preact/hooks';
import { api, errorText, forgetToken, saveToken } from './api.ts';

/** Sign-in with an admin API key: kept in this tab's sessionStorage, sent as Bearer, never in a URL. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    saveToken(key.trim());
    try {
      await api('GET', '/api/v1/routes');
      onSignedIn();
    } catch (e) {
      forgetToken();
      setError(errorText(e));
    }
  };
  return (
    <main class="sign-in">
      <h1>Gatehouse admin</h1>
      <form onSubmit={submit}>
        <label for="api-key">Admin API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        The key (<code>gk_…</code>, from <code>GATEHOUSE_ADMIN_KEY</code> or{' '}
        <code>gatehouse keys create</code>) stays in this tab and is sent only to this gateway.
      </p>
    </main>
  );
}
