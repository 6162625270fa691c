import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { GatehouseError } from '../../core/errors.ts';
import { clearedCookie, cookieHeader, readCookie } from '../../http/cookies.ts';
import { TeslaApiError } from '../api/tesla-error.ts';
import { authorizeUrl, newPkce, type TeslaTokens } from '../api/tesla-oauth.ts';
import { requireClientCredentials } from '../tesla-settings.ts';
import {
  LOGIN_COOKIE,
  type LoginContext,
  redirectUriOf,
  routeSettings,
  SESSION_COOKIE,
} from './login-context.ts';
import { hashOf, LOGIN_STATE_TTL_MS, sameHash } from './login-records.ts';
import { buildSessionReport } from './session-flow.ts';
import { sealTokens, tokenSetOf } from './token-vault.ts';

const randomId = (bytes = 32) => randomBytes(bytes).toString('base64url');
const COOKIE_VALUE = /^[A-Za-z0-9_-]{16,100}$/;

/** `GET {prefix}/login`: a fresh state and PKCE pair kept 10 minutes, then off to Tesla. */
export async function startLogin(ctx: LoginContext): Promise<void> {
  const { clientId } = requireClientCredentials(ctx.settings);
  const state = randomId(24);
  const pkce = newPkce();
  // A login cookie already set is kept, so two tabs logging in at once both come back right.
  const sent = readCookie(ctx.req, LOGIN_COOKIE);
  const browser = sent && COOKIE_VALUE.test(sent) ? sent : randomId(24);
  const redirectUri = redirectUriOf(ctx);
  await ctx.states.put(
    state,
    {
      verifier: pkce.verifier,
      browserHash: hashOf(browser),
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
    'set-cookie': cookieHeader(LOGIN_COOKIE, browser, {
      path: ctx.cookiePath,
      maxAgeSeconds: LOGIN_STATE_TTL_MS / 1000,
      secure: ctx.secure,
    }),
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
  const browser = readCookie(ctx.req, LOGIN_COOKIE);
  if (!browser || !sameHash(hashOf(browser), pending.browserHash)) {
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
  const sessionId = randomId();
  const now = ctx.deps.clock();
  const ttlMs = ctx.route.fleetLogin.sessionHours * 3600_000;
  await ctx.sessions.put(hashOf(sessionId), { accountId, csrf: randomId(24), createdAt: now }, ttlMs);
  try {
    await ctx.reports.put(hashOf(sessionId), await buildSessionReport(ctx, accountId), ttlMs);
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
    'set-cookie': [
      cookieHeader(SESSION_COOKIE, sessionId, {
        path: ctx.cookiePath,
        maxAgeSeconds: ttlMs / 1000,
        secure: ctx.secure,
      }),
      clearedCookie(LOGIN_COOKIE, ctx.cookiePath, ctx.secure),
    ],
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
