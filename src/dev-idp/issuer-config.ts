import type { ClientMetadata, Configuration } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { revokeGrant, StoreAdapter } from '../auth/server/store-adapter.ts';
import type { Clock } from '../core/clock.ts';
import type { EphemeralRepository } from '../store/types.ts';
import type { IssuerKeys } from './issuer-keys.ts';
import { problemPage } from './pages.ts';
import type { Person } from './people.ts';

/** The scopes it knows, and the claims each brings (`groups` with `profile`, as Gatehouse asks for no other). */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  profile: ['preferred_username', 'name', 'groups'],
  email: ['email', 'email_verified'],
} as const;

/** Every claim a person has, for the grant a login makes. */
export const PERSON_CLAIMS = [...CLAIMS_BY_SCOPE.profile, ...CLAIMS_BY_SCOPE.email];

/** Where the login page of an interaction is; oidc-provider scopes its interaction cookie to it. */
export const INTERACTION_PATH = '/interaction';

/** What the issuer is made of. */
export interface IssuerSettings {
  readonly client: ClientMetadata;
  readonly people: ReadonlyMap<string, Person>;
  readonly keys: IssuerKeys;
  readonly ephemeral: EphemeralRepository;
  readonly clock: Clock;
  readonly accessTokenSeconds: number;
}

/** True for an http URL on a loopback name, where RFC 8252 lets the port vary. */
export function isLoopbackRedirect(uri: string): boolean {
  const url = URL.parse(uri);
  return url?.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * oidc-provider's configuration, every development-only default replaced: its own interactions,
 * kept keys, a real adapter, lifetimes and error pages, so it prints no warning of its own.
 */
export function issuerConfiguration(settings: IssuerSettings): Configuration {
  const { ephemeral, clock, people } = settings;
  const onReplay = async (_model: string, payload: { grantId?: string | undefined }): Promise<never> => {
    // A code or refresh token used twice: the grant it belongs to is ended (RFC 6749 §4.1.2).
    if (payload.grantId) await revokeGrant(ephemeral, clock, payload.grantId);
    throw new errors.InvalidGrant('this code or token was already used: its grant is now revoked');
  };
  const day = 86_400;
  return {
    adapter: (name: string) => new StoreAdapter(name, ephemeral, clock, onReplay),
    clients: [settings.client],
    findAccount: async (_ctx, sub) => {
      const person = people.get(sub);
      return person && { accountId: sub, claims: async () => ({ ...person, groups: [...person.groups] }) };
    },
    jwks: { keys: [settings.keys.signing as never] },
    cookies: {
      keys: [settings.keys.cookie],
      // Apart from the cookies of an oidc-provider on the same host name (Gatehouse's own).
      names: { session: 'dev-idp-session', interaction: 'dev-idp-interaction', resume: 'dev-idp-resume' },
    },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: false } },
    pkce: { required: () => true },
    responseTypes: ['code'],
    scopes: Object.keys(CLAIMS_BY_SCOPE).concat('offline_access'),
    claims: Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([k, v]) => [k, [...v]])),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: settings.accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * day,
      Grant: 14 * day,
      Session: 14 * day,
      Interaction: 600,
    },
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = problemPage(
        'Login failed',
        `${out.error}${out.error_description ? `: ${out.error_description}` : ''}`,
      );
    },
  };
}
