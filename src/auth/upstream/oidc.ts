import * as client from 'openid-client';
import { type Clock, systemClock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import type {
  UpstreamGrant,
  UpstreamIdentity,
  UpstreamLogin,
  UpstreamProvider,
} from '../identity/identity.ts';

/** A generic OpenID Connect issuer to log in through. */
export interface OidcProviderSettings {
  /** The id policies and URLs use; `oidc` unless several issuers are configured. */
  readonly id?: string | undefined;
  /** Shown on the login page; the issuer's host by default. */
  readonly label?: string | undefined;
  /** The issuer URL; its `/.well-known/openid-configuration` is read on first use. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  /** Scopes asked for; `openid profile email offline_access` by default (offline_access for re-reading). */
  readonly scopes?: string | undefined;
  /** An issuer on plain http; allowed by default only on loopback (development, tests). */
  readonly allowInsecureHttp?: boolean | undefined;
  readonly clock?: Clock | undefined;
}

/** Re-read a grant this long before its access token expires. */
const REFRESH_MARGIN_MS = 60_000;

/** Claims that say who the person is, not what they may do: left out of `claims` for policies. */
const TOKEN_MECHANICS = new Set([
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'at_hash',
  'c_hash',
  'auth_time',
  'azp',
  'sid',
  'jti',
]);

/** The generic OIDC upstream: discovery, code + PKCE + nonce, userinfo, refresh to read again. */
export function oidcProvider(settings: OidcProviderSettings): UpstreamProvider {
  const id = settings.id ?? 'oidc';
  const now = settings.clock ?? systemClock;
  const scope = settings.scopes ?? 'openid profile email offline_access';
  const allowHttp = settings.allowInsecureHttp ?? isLoopback(settings.issuer);
  let configuration: Promise<client.Configuration> | undefined;
  const config = () => {
    configuration ??= client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
        allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        configuration = undefined;
        throw new GatehouseError(
          'LOGIN_FAILED',
          `cannot read the OIDC discovery document of ${settings.issuer}: check the issuer URL (${(error as Error).message})`,
          { cause: error },
        );
      });
    return configuration;
  };

  const loginFrom = async (
    cfg: client.Configuration,
    tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
    expectedSubject: string | typeof client.skipSubjectCheck,
    previous?: UpstreamGrant,
  ): Promise<UpstreamLogin> => {
    const idClaims = tokens.claims();
    const subject = idClaims?.sub ?? expectedSubject;
    const userinfo = await client.fetchUserInfo(cfg, tokens.access_token, subject);
    const claims: Record<string, unknown> = {};
    for (const [k, v] of Object.entries({ ...idClaims, ...userinfo }))
      if (!TOKEN_MECHANICS.has(k)) claims[k] = v;
    const identity: UpstreamIdentity = {
      provider: id,
      subject: userinfo.sub,
      // sub, not preferred_username: a user name at an IdP can be edited to someone else's.
      login: userinfo.sub,
      ...(typeof userinfo.email === 'string' && userinfo.email_verified === true
        ? { email: userinfo.email }
        : {}),
      ...(typeof userinfo.name === 'string'
        ? { name: userinfo.name }
        : typeof userinfo.preferred_username === 'string'
          ? { name: userinfo.preferred_username }
          : {}),
      orgs: [],
      teams: [],
      groups: [],
      claims,
    };
    const refreshToken = tokens.refresh_token ?? previous?.refreshToken;
    const expiresIn = tokens.expiresIn();
    const grant: UpstreamGrant = {
      accessToken: tokens.access_token,
      ...(refreshToken ? { refreshToken } : {}),
      ...(expiresIn !== undefined ? { expiresAt: now() + expiresIn * 1000 } : {}),
    };
    return { identity, grant };
  };

  return {
    id,
    label: settings.label ?? new URL(settings.issuer).host,
    clientId: settings.clientId,
    async authorizationUrl(attempt) {
      return client.buildAuthorizationUrl(await config(), {
        redirect_uri: attempt.redirectUri,
        scope,
        state: attempt.state,
        nonce: attempt.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(attempt.codeVerifier),
        code_challenge_method: 'S256',
        // Issuers hand out refresh tokens (needed to re-read the identity) only after consent.
        ...(scope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
      });
    },
    async complete(attempt, callbackUrl) {
      const cfg = await config();
      try {
        const tokens = await client.authorizationCodeGrant(cfg, callbackUrl, {
          pkceCodeVerifier: attempt.codeVerifier,
          expectedState: attempt.state,
          expectedNonce: attempt.nonce,
          idTokenExpected: true,
        });
        return await loginFrom(cfg, tokens, client.skipSubjectCheck);
      } catch (error) {
        throw new GatehouseError('LOGIN_FAILED', describe(error), { cause: error });
      }
    },
    async reread(grant) {
      const cfg = await config();
      try {
        if (grant.expiresAt === undefined || grant.expiresAt - REFRESH_MARGIN_MS > now()) {
          const userinfo = await client.fetchUserInfo(cfg, grant.accessToken, client.skipSubjectCheck);
          const tokens = asTokens(grant, now());
          return await loginFrom(cfg, tokens, userinfo.sub, grant);
        }
        if (!grant.refreshToken)
          throw new GatehouseError(
            'LOGIN_REVOKED',
            'the access token expired and the issuer gave no refresh token',
          );
        const tokens = await client.refreshTokenGrant(cfg, grant.refreshToken);
        return await loginFrom(cfg, tokens, client.skipSubjectCheck, grant);
      } catch (error) {
        if (error instanceof GatehouseError) throw error;
        if (isRefusal(error)) throw new GatehouseError('LOGIN_REVOKED', describe(error), { cause: error });
        throw new GatehouseError('LOGIN_FAILED', describe(error), { cause: error });
      }
    },
  };
}

function isLoopback(url: string): boolean {
  const host = URL.parse(url)?.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host ?? '');
}

/** A saved grant as a token response, to read userinfo with it again. */
function asTokens(
  grant: UpstreamGrant,
  at: number,
): client.TokenEndpointResponse & client.TokenEndpointResponseHelpers {
  return {
    access_token: grant.accessToken,
    token_type: 'bearer',
    claims: () => undefined,
    expiresIn: () =>
      grant.expiresAt === undefined ? undefined : Math.max(0, Math.floor((grant.expiresAt - at) / 1000)),
  } as client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
}

/** True when the issuer refused the grant itself (revoked, expired), not when it was unreachable. */
function isRefusal(error: unknown): boolean {
  const e = error as { error?: string; status?: number };
  return e.error === 'invalid_grant' || e.error === 'invalid_token' || e.status === 401;
}

function describe(error: unknown): string {
  const e = error as { error?: string; error_description?: string; message?: string };
  if (e.error)
    return `the issuer answered ${e.error}${e.error_description ? `: ${e.error_description}` : ''}`;
  return e.message ?? String(error);
}
