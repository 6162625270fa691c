import { startDevIdp } from '../../src/dev-idp/dev-idp.ts';

/** A person the issuer knows; tests change `claims` to see a re-read notice it. */
export interface IssuerUser {
  readonly sub: string;
  readonly preferred_username: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups: string[];
}

/** A real oidc-provider as an upstream OIDC issuer on loopback, with a login form tests post to. */
export interface OidcIssuer {
  /** `http://localhost:<port>`: another host name than the gateway's, so browser cookies stay apart. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly users: Map<string, IssuerUser>;
  /** Revokes every grant of a user, as an operator removing the app's access would. */
  revokeUser(sub: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the issuer: `gatehouse dev-idp`'s, keeping nothing on disk. Its login page is a form
 * (`id="login"`) whose `user` field names a sub; posting it logs that user in and grants every
 * requested scope (consent included), as a person clicking through would.
 */
export async function startOidcIssuer(options: {
  redirectUris: string[];
  users: IssuerUser[];
  accessTokenSeconds?: number;
}): Promise<OidcIssuer> {
  const users = new Map(options.users.map((u) => [u.sub, u]));
  const idp = await startDevIdp({
    host: '127.0.0.1',
    port: 0,
    issuer: (port) => `http://localhost:${port}`,
    people: users,
    redirectUris: options.redirectUris,
    dataDir: ':memory:',
    accessTokenSeconds: options.accessTokenSeconds,
  });
  return {
    url: idp.url,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    users,
    revokeUser: async (sub) => {
      await idp.revoke(sub);
    },
    stop: () => idp.stop(),
  };
}
