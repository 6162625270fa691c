const KEY = 'gatehouse.dashboard.token';

/**
 * The token from `?token=` (kept for this tab, then taken out of the address bar so it is not
 * left in screenshots or bookmarks), else the one kept earlier in this tab.
 */
export function takeToken(): string | undefined {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  if (given) {
    sessionStorage.setItem(KEY, given);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return given;
  }
  return sessionStorage.getItem(KEY) ?? undefined;
}

/** Keeps a token typed into the form for this tab. */
export function keepToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

/** Forgets the token (it was refused). */
export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
