/** How the app logs a person in through Gatehouse's authorization server (`/ui/sign-in.json`). */
export interface AdminAppLogin {
  readonly issuer: string;
  readonly clientId: string;
  /** The admin API as a resource indicator (RFC 8707): `<issuer>/api`. */
  readonly resource: string;
  readonly scope: string;
}

/** What the gateway says the sign-in page may offer besides an API key. */
export type SignInDocument =
  | { readonly oauth: AdminAppLogin }
  | { readonly oauth: null; readonly reason: string };

/** Reads `/ui/sign-in.json`; a gateway that cannot say offers no login. */
export async function signInDocument(): Promise<SignInDocument> {
  try {
    const res = await fetch('/ui/sign-in.json', {
      cache: 'no-store',
      headers: { accept: 'application/json' },
    });
    if (!res.ok) return { oauth: null, reason: `the gateway answered ${res.status}` };
    return (await res.json()) as SignInDocument;
  } catch (error) {
    return { oauth: null, reason: error instanceof Error ? error.message : String(error) };
  }
}
