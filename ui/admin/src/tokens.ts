import type { AdminAppLogin } from './sign-in-document.ts';

/** Where the app keeps the API key or access token: this tab only, gone when it closes. */
const TOKEN_KEY = 'gatehouse.admin.token';
/** The refresh token of a login (never of a key). */
const REFRESH_KEY = 'gatehouse.admin.refresh';
/** The login the tokens came from: where to refresh and revoke them. */
const LOGIN_KEY = 'gatehouse.admin.login';

/** The key or token the app signs its calls with, if signed in. */
export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps an API key for this tab, in place of anything held before. */
export function saveToken(token: string): void {
  forgetToken();
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** A login's tokens, held for this tab. */
export interface HeldLogin {
  readonly login: AdminAppLogin;
  readonly refreshToken: string | undefined;
}

/** Keeps a login's tokens for this tab (a refreshed pair replaces the old one). */
export function saveLogin(accessToken: string, refreshToken: string | undefined, login: AdminAppLogin): void {
  sessionStorage.setItem(TOKEN_KEY, accessToken);
  sessionStorage.setItem(LOGIN_KEY, JSON.stringify(login));
  if (refreshToken) sessionStorage.setItem(REFRESH_KEY, refreshToken);
  else sessionStorage.removeItem(REFRESH_KEY);
}

/** The login behind the held token, if it was a login and not a key. */
export function heldLogin(): HeldLogin | undefined {
  const login = sessionStorage.getItem(LOGIN_KEY);
  if (!login) return undefined;
  return {
    login: JSON.parse(login) as AdminAppLogin,
    refreshToken: sessionStorage.getItem(REFRESH_KEY) ?? undefined,
  };
}

/** Forgets the key or the login's tokens. */
export function forgetToken(): void {
  for (const key of [TOKEN_KEY, REFRESH_KEY, LOGIN_KEY]) sessionStorage.removeItem(key);
}
