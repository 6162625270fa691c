import { randomBytes } from 'node:crypto';
import type { LoginAttempt, UpstreamProvider } from '../../src/auth/identity/identity.ts';
import { consentForm } from './standin-http.ts';

/** A fresh login attempt for `redirectUri`, as the authorization server would keep it. */
export function newAttempt(redirectUri: string): LoginAttempt {
  const random = () => randomBytes(24).toString('base64url');
  return { redirectUri, state: random(), codeVerifier: random(), nonce: random() };
}

/**
 * What a browser does between `authorizationUrl` and the callback: opens the provider's authorize
 * URL and, on the consent page, presses Authorize (or Cancel). Returns the URL the provider sends
 * the browser back to.
 */
export async function clickThrough(authorizeUrl: URL, approve = true): Promise<URL> {
  let res = await fetch(authorizeUrl, { redirect: 'manual' });
  if (res.status === 200) {
    const form = consentForm(await res.text(), approve);
    res = await fetch(new URL(authorizeUrl.pathname, authorizeUrl), {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
  }
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`the provider answered ${res.status} instead of redirecting back: ${await res.text()}`);
  return new URL(location);
}

/** A whole login: authorization URL, the browser's click, the callback completed. */
export async function logIn(provider: UpstreamProvider, redirectUri: string) {
  const attempt = newAttempt(redirectUri);
  const callback = await clickThrough(await provider.authorizationUrl(attempt));
  return provider.complete(attempt, callback);
}
