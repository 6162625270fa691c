import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Logger } from 'pino';
import { statusForCode } from '../http/error-status.ts';
import type { AccessTokens } from './access-tokens.ts';
import { authorizeErrorPage, consentPage, loginPage } from './auth-pages.ts';
import type { Grants } from './grants.ts';
import { OAuthError, parseScopes } from './oauth-error.ts';
import { redirectAllowed } from './redirect-uris.ts';
import { sameSecret } from './same-secret.ts';
import { type AuthorizeRequest, SESSION_COOKIE, type Sessions } from './sessions.ts';
import { exchangeToken } from './token-endpoint.ts';
import type { SimUrls } from './urls.ts';
import type { World } from './world.ts';

/** What Tesla's OAuth server, simulated, needs. */
export interface AuthAppDeps {
  readonly world: World;
  readonly grants: Grants;
  readonly tokens: AccessTokens;
  readonly sessions: Sessions;
  readonly urls: SimUrls;
  readonly logger?: Logger | undefined;
}

/** Reads a form (or, for the token endpoint, a JSON body) into plain strings. */
async function formFields(c: Context): Promise<Record<string, string | undefined>> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/json')) {
    const body: unknown = await c.req.json().catch(() => undefined);
    if (!body || typeof body !== 'object') return {};
    return Object.fromEntries(
      Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, v == null ? undefined : String(v)]),
    );
  }
  const body = await c.req.parseBody().catch(() => ({}));
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

/** The page for a refused authorize request; the browser stays here, nothing goes to the app. */
function refusePage(c: Context, title: string, message: string): Response {
  return c.html(authorizeErrorPage(title, message), 400);
}

/** Sends the browser back to the app with `params` added to its redirect URI. */
function backToApp(c: Context, redirectUri: string, params: Record<string, string>): Response {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  return c.redirect(target.toString(), 302);
}

/** The simulated auth.tesla.com: the authorize pages and the token endpoint. */
export function createAuthApp(deps: AuthAppDeps): Hono {
  const app = new Hono();
  const { world, sessions } = deps;

  const appName = (clientId: string) => world.apps.get(clientId)?.name ?? clientId;
  const showConsent = (c: Context, requestId: string, session: string, accountId: string) => {
    const request = sessions.request(requestId);
    const account = world.accounts.get(accountId);
    if (!request || !account) return refusePage(c, 'Sign-in expired', 'Start again from the application.');
    return c.html(
      consentPage({
        requestId,
        formToken: sessions.formToken(session),
        appName: appName(request.clientId),
        email: account.email,
        scopes: request.scopes,
      }),
    );
  };

  app.get('/oauth2/v3/authorize', (c) => {
    const q = c.req.query();
    const client = world.apps.get(q['client_id'] ?? '');
    if (!client) {
      return refusePage(
        c,
        'Unknown application',
        `client_id ${JSON.stringify(q['client_id'] ?? '')} is not a registered application.`,
      );
    }
    const redirectUri = q['redirect_uri'] ?? '';
    if (!redirectAllowed(client.redirectUris, redirectUri)) {
      return refusePage(
        c,
        'Redirect URI not allowed',
        `redirect_uri ${JSON.stringify(redirectUri)} is not among the allowed redirect URIs of ${client.name} (${client.redirectUris.join(', ') || 'none'}). Add it to the app's redirect_uris.`,
      );
    }
    const state = q['state'] ?? '';
    const fail = (error: string, description: string) =>
      backToApp(c, redirectUri, { error, error_description: description, ...(state ? { state } : {}) });
    if (!state) return fail('invalid_request', 'The state parameter is required');
    if (q['response_type'] !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    let scopes: string[];
    try {
      scopes = parseScopes(q['scope']);
    } catch (error) {
      return fail('invalid_scope', (error as OAuthError).message);
    }
    const method = q['code_challenge_method'];
    if (q['code_challenge'] && method !== 'S256') {
      return fail('invalid_request', 'code_challenge_method must be S256; plain is not supported');
    }
    if (!q['code_challenge'] && method)
      return fail('invalid_request', 'code_challenge_method needs a code_challenge');
    const request: AuthorizeRequest = {
      clientId: client.clientId,
      redirectUri,
      scopes,
      state,
      nonce: q['nonce'] || undefined,
      codeChallenge: q['code_challenge'] || undefined,
      locale: q['locale'] || 'en-US',
    };
    const requestId = sessions.saveRequest(request);
    const session = getCookie(c, SESSION_COOKIE);
    const loggedIn = sessions.lookup(session);
    if (loggedIn && session && q['prompt'] !== 'login')
      return showConsent(c, requestId, session, loggedIn.accountId);
    return c.html(
      loginPage({
        action: '/oauth2/v3/authorize/login',
        requestId,
        formToken: sessions.formToken(undefined),
        appName: client.name,
        ...(q['login_hint'] ? { email: q['login_hint'] } : {}),
      }),
    );
  });

  app.post('/oauth2/v3/authorize/login', async (c) => {
    const form = await formFields(c);
    const requestId = form['request_id'] ?? '';
    const request = sessions.request(requestId);
    if (!request || !sessions.useFormToken(form['form_token'], undefined)) {
      return refusePage(
        c,
        'Sign-in expired',
        'This form was already used or is too old; start again from the application.',
      );
    }
    const account = world.accountByEmail(form['email'] ?? '');
    if (!account || !sameSecret(form['password'] ?? '', account.password)) {
      deps.logger?.info({ client_id: request.clientId }, 'simulator: failed sign-in');
      return c.html(
        loginPage({
          action: '/oauth2/v3/authorize/login',
          requestId,
          formToken: sessions.formToken(undefined),
          appName: appName(request.clientId),
          email: form['email'] ?? '',
          error: 'The email or password is not correct.',
        }),
        401,
      );
    }
    const session = sessions.create(account.id);
    setCookie(c, SESSION_COOKIE, session, { httpOnly: true, sameSite: 'Lax', path: '/' });
    return showConsent(c, requestId, session, account.id);
  });

  app.post('/oauth2/v3/authorize/consent', async (c) => {
    const form = await formFields(c);
    const session = getCookie(c, SESSION_COOKIE);
    const loggedIn = sessions.lookup(session);
    const requestId = form['request_id'] ?? '';
    const request = sessions.request(requestId);
    if (!request || !loggedIn || !sessions.useFormToken(form['form_token'], session)) {
      return refusePage(
        c,
        'Sign-in expired',
        'This form was already used or is too old; start again from the application.',
      );
    }
    sessions.endRequest(requestId);
    const base = { locale: request.locale };
    if (form['decision'] !== 'allow') {
      return backToApp(c, request.redirectUri, {
        ...base,
        error: 'access_denied',
        error_description: 'The user declined to authorize the application',
        state: request.state,
      });
    }
    const account = world.accounts.get(loggedIn.accountId);
    if (!account) return refusePage(c, 'Sign-in expired', 'The account no longer exists.');
    account.authorizedApps.add(request.clientId);
    const code = deps.grants.newCode(
      {
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        accountId: account.id,
        codeChallenge: request.codeChallenge,
        nonce: request.nonce,
        authTime: loggedIn.authTime,
      },
      account.region,
      world.seed.token_lifetimes.auth_code_seconds,
    );
    deps.logger?.info(
      { client_id: request.clientId, region: account.region },
      'simulator: authorization granted',
    );
    return backToApp(c, request.redirectUri, {
      ...base,
      code: code.code,
      state: request.state,
      issuer: deps.urls.authBaseUrl,
    });
  });

  app.post('/oauth2/v3/token', async (c) => {
    const params = await formFields(c);
    try {
      const answer = await exchangeToken(deps, params);
      deps.logger?.info(
        { grant_type: params['grant_type'], client_id: params['client_id'] },
        'simulator: token issued',
      );
      return c.json(answer, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      deps.logger?.info(
        { grant_type: params['grant_type'], client_id: params['client_id'], error: error.error },
        'simulator: token refused',
      );
      const status = statusForCode(error.code) as 400 | 401;
      return c.json({ error: error.error, error_description: error.message }, status, {
        'cache-control': 'no-store',
      });
    }
  });

  return app;
}
