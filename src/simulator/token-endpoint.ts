import { createHash } from 'node:crypto';
import type { AccessTokens } from './access-tokens.ts';
import type { Grants, RefreshGrant } from './grants.ts';
import { invalidRequest, loginRequired, parseScopes, unauthorizedClient } from './oauth-error.ts';
import { sameSecret } from './same-secret.ts';
import { REGIONS, type Region } from './seed.ts';
import type { SimUrls } from './urls.ts';
import type { SimAccount, SimApp, World } from './world.ts';

/** What the token endpoint needs. */
export interface TokenEndpointDeps {
  readonly world: World;
  readonly grants: Grants;
  readonly tokens: AccessTokens;
  readonly urls: SimUrls;
}

/** Tesla's success body. */
export interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  token_type: 'Bearer';
}

type Params = Readonly<Record<string, string | undefined>>;

function required(params: Params, name: string): string {
  const value = params[name];
  if (!value) throw invalidRequest('invalid_request', `The ${name} parameter is required`);
  return value;
}

function authenticatedApp(deps: TokenEndpointDeps, params: Params): SimApp {
  const app = deps.world.apps.get(params['client_id'] ?? '');
  if (!app || !sameSecret(params['client_secret'] ?? '', app.clientSecret)) throw unauthorizedClient();
  return app;
}

/** The region whose base URL `audience` is; `invalid_audience` otherwise. */
function audienceRegion(deps: TokenEndpointDeps, audience: string): Region {
  const region = REGIONS.find((r) => deps.urls.regionBaseUrl(r) === audience.replace(/\/+$/, ''));
  if (!region) {
    throw invalidRequest(
      'invalid_audience',
      `audience ${audience} is not a Fleet API base URL; use one of ${REGIONS.map((r) => deps.urls.regionBaseUrl(r)).join(', ')}`,
    );
  }
  return region;
}

async function userTokens(
  deps: TokenEndpointDeps,
  clientId: string,
  account: SimAccount,
  scopes: readonly string[],
  authTime: number,
  nonce: string | undefined,
  lifetimes: { readonly refresh_token_seconds: number },
): Promise<{ answer: TokenAnswer; jti: string; refresh: RefreshGrant | undefined }> {
  const access = await deps.tokens.issue({ clientId, scopes, account, region: account.region, authTime });
  const refresh = scopes.includes('offline_access')
    ? deps.grants.newRefreshToken(
        { clientId, scopes, accountId: account.id, authTime, fromCode: undefined },
        account.region,
        lifetimes.refresh_token_seconds,
      )
    : undefined;
  const answer: TokenAnswer = {
    access_token: access.token,
    ...(refresh ? { refresh_token: refresh.token } : {}),
    ...(scopes.includes('openid') ? { id_token: await deps.tokens.idToken(clientId, account, nonce) } : {}),
    expires_in: access.expiresIn,
    token_type: 'Bearer',
  };
  return { answer, jti: access.jti, refresh };
}

async function authorizationCode(deps: TokenEndpointDeps, params: Params): Promise<TokenAnswer> {
  const app = authenticatedApp(deps, params);
  const code = deps.grants.code(required(params, 'code'));
  if (params['audience']) audienceRegion(deps, params['audience']);
  if (!code || code.clientId !== app.clientId) {
    throw invalidRequest('invalid_auth_code', 'The authorization code is invalid or has expired');
  }
  if (code.used) {
    // A code presented twice may have been stolen: what it issued stops working too.
    for (const jti of code.issuedJtis) deps.tokens.revoke(jti);
    for (const token of code.issuedRefreshTokens) deps.grants.revokeRefreshToken(token);
    throw invalidRequest('invalid_auth_code', 'The authorization code has already been used');
  }
  if (deps.grants.expired(code)) {
    throw invalidRequest('invalid_auth_code', 'The authorization code is invalid or has expired');
  }
  if (params['redirect_uri'] !== code.redirectUri) {
    throw invalidRequest('invalid_redirect_url', 'redirect_uri must be the one the authorize request used');
  }
  if (code.codeChallenge) {
    const verifier = required(params, 'code_verifier');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!sameSecret(challenge, code.codeChallenge)) {
      throw invalidRequest('invalid_grant', 'The code_verifier does not match the code_challenge');
    }
  }
  code.used = true;
  const account = deps.world.accounts.get(code.accountId);
  if (!account) throw invalidRequest('invalid_auth_code', 'The account of this code no longer exists');
  const { answer, jti, refresh } = await userTokens(
    deps,
    app.clientId,
    account,
    code.scopes,
    code.authTime,
    code.nonce,
    deps.world.seed.token_lifetimes,
  );
  code.issuedJtis.push(jti);
  if (refresh) {
    code.issuedRefreshTokens.push(refresh.token);
    refresh.fromCode = code.code;
  }
  return answer;
}

async function refreshToken(deps: TokenEndpointDeps, params: Params): Promise<TokenAnswer> {
  const clientId = required(params, 'client_id');
  if (!deps.world.apps.has(clientId)) {
    throw invalidRequest('invalid_client_id', `client_id ${clientId} is not a registered application`);
  }
  const grant = deps.grants.refreshToken(required(params, 'refresh_token'));
  if (!grant || grant.used || deps.grants.expired(grant)) throw loginRequired();
  if (grant.clientId !== clientId) {
    throw invalidRequest('invalid_client_id', 'The refresh token was issued to another client_id');
  }
  const account = deps.world.accounts.get(grant.accountId);
  if (!account) throw loginRequired();
  grant.used = true;
  const { answer, jti, refresh } = await userTokens(
    deps,
    clientId,
    account,
    grant.scopes,
    grant.authTime,
    undefined,
    deps.world.seed.token_lifetimes,
  );
  // Successors stay tied to the code, so a replayed code still revokes the whole chain.
  const origin = grant.fromCode ? deps.grants.code(grant.fromCode) : undefined;
  if (origin) {
    origin.issuedJtis.push(jti);
    if (refresh) {
      origin.issuedRefreshTokens.push(refresh.token);
      refresh.fromCode = origin.code;
    }
  }
  return answer;
}

async function clientCredentials(deps: TokenEndpointDeps, params: Params): Promise<TokenAnswer> {
  const app = authenticatedApp(deps, params);
  const region = audienceRegion(deps, required(params, 'audience'));
  const scopes = parseScopes(params['scope']);
  const access = await deps.tokens.issue({ clientId: app.clientId, scopes, region });
  return { access_token: access.token, expires_in: access.expiresIn, token_type: 'Bearer' };
}

/** Answers `POST /oauth2/v3/token` for the three grants Tesla supports; throws `OAuthError`s. */
export function exchangeToken(deps: TokenEndpointDeps, params: Params): Promise<TokenAnswer> {
  switch (params['grant_type']) {
    case 'authorization_code':
      return authorizationCode(deps, params);
    case 'refresh_token':
      return refreshToken(deps, params);
    case 'client_credentials':
      return clientCredentials(deps, params);
    case undefined:
    case '':
      return Promise.reject(invalidRequest('invalid_request', 'The grant_type parameter is required'));
    default:
      return Promise.reject(
        invalidRequest(
          'unsupported_grant_type',
          `grant_type ${params['grant_type']} is not supported; use authorization_code, refresh_token or client_credentials`,
        ),
      );
  }
}
