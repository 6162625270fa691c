import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { newCsrfToken } from '../../auth/sessions/csrf.ts';
import { bindLogin, clearedLoginCookie, isLoginBrowser } from '../../auth/sessions/login-binding.ts';
import { newSessionCookie } from '../../auth/sessions/session-cookie.ts';
import { GatehouseError } from '../../core/errors.ts';
import { TeslaApiError } from '../api/tesla-error.ts';
import { authorizeUrl, newPkce, type TeslaTokens } from '../api/tesla-oauth.ts';
import { requireClientCredentials } from '../tesla-settings.ts';
import { type LoginContext, redirectUriOf, routeSettings } from './login-context.ts';
import { LOGIN_STATE_TTL_MS } from './login-records.ts';
import { buildSessionReport } from './session-flow.ts';
import { sealTokens, tokenSetOf } from './token-vault.ts';

/**
 * `GET {prefix}/login`: a fresh state and PKCE pair kept 10 minutes, bound to this browser by a
 * login cookie made fresh for this login, then off to Tesla.
 */
export async function startLogin(ctx: LoginContext): Promise<void> {
  const { clientId } = requireClientCredentials(ctx.settings);
  const state = randomBytes(24).toString('base64url');
  const pkce = newPkce();
  // Never a value the browser sent: one planted by a sibling host would log it in as its planter.
  const binding = bindLogin(ctx.secure, ctx.site.base, LOGIN_STATE_TTL_MS / 1000);
  const redirectUri = redirectUriOf(ctx);
  await ctx.states.put(
    state,
    {
      verifier: pkce.verifier,
      browserHash: binding.browserHash,
      redirectUri,
      region: ctx.settings.region,
      createdAt: ctx.deps.clock(),
    },
    LOGIN_STATE_TTL_MS,
  );
  const location = authorizeUrl({
    authorizeUrl: ctx.settings.authorizeUrl,
    clientId,
    redirectUri,
    scopes: ctx.route.fleetLogin.scopes ?? ctx.settings.scopes,
    state,
    codeChallenge: pkce.challenge,
  });
  ctx.res.writeHead(302, {
    location,
    'cache-control': 'no-store',
    'set-cookie': binding.setCookie,
  });
  ctx.res.end();
}

function again(ctx: LoginContext): string {
  return `start again at ${ctx.prefix}/login`;
}

/** Tesla's errors about the code itself: the login has to start over. */
const CODE_REFUSED = new Set([
  'invalid_auth_code',
  'invalid_grant',
  'invalid_redirect_url',
  'invalid_request',
]);

/**
 * The callback: the state (known, unexpired, unused, from this browser), Tesla's `error`, the code
 * exchanged for tokens, the tokens sealed into the store, a session, the report; then to the report.
 */
export async function finishLogin(ctx: LoginContext, query: URLSearchParams): Promise<void> {
  const state = query.get('state');
  if (!state)
    throw new GatehouseError('FLEET_LOGIN_STATE_INVALID', `Tesla's answer carries no state: ${again(ctx)}.`);
  const pending = await ctx.states.get(state);
  // The delete decides who uses a state: of two callbacks racing with it, one gets true.
  if (!pending || !(await ctx.states.delete(state))) {
    throw new GatehouseError(
      'FLEET_LOGIN_STATE_INVALID',
      `This login is unknown, expired (logins last 10 minutes) or was finished already: ${again(ctx)}.`,
    );
  }
  if (!isLoginBrowser(ctx.req, pending.browserHash, ctx.secure, ctx.site.base)) {
    throw new GatehouseError(
      'FLEET_LOGIN_STATE_INVALID',
      `This login was started in another browser (or its cookie was lost): ${again(ctx)} in this browser.`,
    );
  }
  const error = query.get('error');
  if (error === 'access_denied') {
    throw new GatehouseError(
      'FLEET_LOGIN_DECLINED',
      `You declined to let this application see your Tesla account, so there is nothing to show. To use it, ${again(ctx)} and allow access.`,
    );
  }
  if (error) {
    const said = [error, query.get('error_description')].filter(Boolean).join(': ');
    throw new GatehouseError(
      'FLEET_LOGIN_FAILED',
      `Tesla could not complete the login (${said}): ${again(ctx)}.`,
    );
  }
  const code = query.get('code');
  if (!code) throw new GatehouseError('FLEET_LOGIN_FAILED', `Tesla's answer carries no code: ${again(ctx)}.`);

  const credentials = requireClientCredentials(ctx.settings);
  const regional = routeSettings(ctx.deps, ctx.route, pending.region);
  let tokens: TeslaTokens;
  try {
    tokens = await ctx.oauth.exchangeCode({
      ...credentials,
      code,
      redirectUri: pending.redirectUri,
      codeVerifier: pending.verifier,
      audience: regional.fleetApi,
    });
  } catch (failure) {
    if (failure instanceof TeslaApiError && CODE_REFUSED.has(failure.answer.error ?? '')) {
      throw new GatehouseError(
        'FLEET_LOGIN_FAILED',
        `Tesla refused the login's code (it expired, was used already, or the redirect URI differs): ${again(ctx)}. ${failure.message}`,
      );
    }
    throw failure;
  }
  const accountId = await storeAccount(ctx, tokens, pending.region);
  const now = ctx.deps.clock();
  const ttlMs = ctx.route.fleetLogin.sessionHours * 3600_000;
  const cookie = newSessionCookie(ctx.cookieKey, ctx.site, ctx.secure, Math.floor(ttlMs / 1000));
  await ctx.sessions.put(cookie.key, { accountId, csrf: newCsrfToken(), createdAt: now }, ttlMs);
  try {
    await ctx.reports.put(cookie.key, await buildSessionReport(ctx, accountId), ttlMs);
  } catch (failure) {
    // The report page builds it again and shows what went wrong.
    ctx.deps.logger.warn(
      { route: ctx.route.id, code: failure instanceof GatehouseError ? failure.code : 'INTERNAL' },
      'first vehicle report failed',
    );
  }
  ctx.deps.logger.info({ route: ctx.route.id, region: pending.region }, 'tesla login');
  ctx.res.writeHead(302, {
    location: `${ctx.prefix}/report`,
    'cache-control': 'no-store',
    'set-cookie': [cookie.setCookie, clearedLoginCookie(ctx.secure, ctx.site.base)],
  });
  ctx.res.end();
}

/** Who the tokens speak for: the `sub` of the access token, else of the id token. */
function subjectOf(tokens: TeslaTokens): { sub: string; scopes: string[] } {
  for (const jwt of [tokens.access_token, tokens.id_token]) {
    if (!jwt) continue;
    try {
      const claims = decodeJwt(jwt);
      const scp = claims['scp'];
      if (typeof claims.sub === 'string' && claims.sub)
        return { sub: claims.sub, scopes: Array.isArray(scp) ? scp.map(String) : [] };
    } catch {}
  }
  throw new GatehouseError(
    'FLEET_LOGIN_FAILED',
    "Tesla's tokens name no user (no sub claim): check that TESLA_AUTH_URL is Tesla's OAuth server.",
  );
}

/** Stores (or replaces) the account with its tokens sealed; resolves with its id. */
async function storeAccount(ctx: LoginContext, tokens: TeslaTokens, region: string): Promise<string> {
  const { sub, scopes: claimed } = subjectOf(tokens);
  // One account per route and Tesla user: routes may ask for other scopes, so each keeps its own grant.
  const id = `${ctx.route.id}:${sub}`;
  const now = ctx.deps.clock();
  const at = new Date(now).toISOString();
  const fields = {
    region,
    scopes: tokens.scope ? tokens.scope.split(' ').filter(Boolean) : claimed,
    sealedTokens: sealTokens(ctx.key, id, tokenSetOf(tokens)),
    expiresAt: now + tokens.expires_in * 1000,
    updatedAt: at,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await ctx.accounts.update(id, (current) => ({ ...current, ...fields }))) return id;
    try {
      await ctx.accounts.insert({ id, createdAt: at, ...fields });
      return id;
    } catch (error) {
      // Another node stored this account in between: update that one.
      if (!(error instanceof GatehouseError && error.code === 'STORE_CONFLICT')) throw error;
    }
  }
  throw new GatehouseError(
    'STORE_CONFLICT',
    'the Tesla account kept changing while it was stored; log in again',
  );
}
