/** How this copy of the page is signed in: with a token (operators), or by a Tesla login. */
export type PageAccess =
  | { readonly kind: 'token' }
  /** Served by a `fleet-login` route: its cookie signs the socket in, for the person's own vehicles. */
  | { readonly kind: 'tesla-login'; readonly login: string; readonly report: string };

const meta = (name: string) =>
  document.querySelector(`meta[name="gatehouse-${name}"]`)?.getAttribute('content') ?? undefined;

/** What the server said in the page's meta tags; a token page when it said nothing. */
export function pageAccess(): PageAccess {
  if (meta('access') !== 'tesla-login') return { kind: 'token' };
  return { kind: 'tesla-login', login: meta('login') ?? 'login', report: meta('report') ?? 'report' };
}
