import { useEffect, useState } from 'preact/hooks';
import { Alert } from './alert.tsx';
import { api, errorText } from './api.ts';
import { completeLogin, dropStrayAnswer, loginErrorText, loginReturned, startLogin } from './oauth.ts';
import { type SignInDocument, signInDocument } from './sign-in-document.ts';
import { forgetToken, saveToken } from './tokens.ts';

/**
 * Sign-in with an admin API key, or, when the gateway offers it, the admin login through its
 * authorization server. Either is kept in this tab's sessionStorage, sent as Bearer, never in a URL.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [offer, setOffer] = useState<SignInDocument | undefined>(undefined);
  const [finishing, setFinishing] = useState(loginReturned());
  useEffect(() => {
    void signInDocument().then(setOffer);
    dropStrayAnswer();
    if (!loginReturned()) return;
    completeLogin().then(onSignedIn, (e: unknown) => {
      forgetToken();
      setError(loginErrorText(e));
      setFinishing(false);
    });
  }, []);
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
  const logIn = async () => {
    if (!offer?.oauth) return;
    setError(undefined);
    try {
      await startLogin(offer.oauth);
    } catch (e) {
      setError(loginErrorText(e));
    }
  };
  if (finishing)
    return (
      <main class="sign-in">
        <h1>Gatehouse admin</h1>
        <p role="status">Signing in…</p>
      </main>
    );
  return (
    <main class="sign-in">
      <h1>Gatehouse admin</h1>
      <Alert id="sign-in-error" text={error} />
      {offer?.oauth && (
        <section class="login" aria-label="Log in">
          <button type="button" onClick={logIn}>
            Log in
          </button>
          <p class="hint">
            With your login at <code>{new URL(offer.oauth.issuer).host}</code>: for the people this gateway
            names in <code>--admin-users</code>.
          </p>
        </section>
      )}
      <form onSubmit={submit} aria-label="Sign in with an API key">
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
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">
        The key (<code>gk_…</code>, from <code>GATEHOUSE_ADMIN_KEY</code> or{' '}
        <code>gatehouse keys create</code>) stays in this tab and is sent only to this gateway.
      </p>
    </main>
  );
}
