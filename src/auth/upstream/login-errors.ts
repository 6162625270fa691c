import * as oauth from 'openid-client';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError, type LoginErrorCode } from '../../core/errors.ts';

/** What the messages of one provider name: itself, its app's client ID, where its settings live. */
export interface ProviderFacts {
  /** "GitHub", "GitLab". */
  readonly label: string;
  readonly clientId: string;
  /** Where the operator edits the app: "the OAuth app's settings at https://github.com/settings/developers". */
  readonly appSettings: string;
  /** The scopes asked, space-separated, for messages about missing ones. */
  readonly scopes: string;
}

/** Which call failed: the token exchange after the callback, a refresh, or a read of the user's data. */
export type ProviderStage = 'code' | 'refresh' | 'api';

function fail(code: LoginErrorCode, message: string, cause?: unknown): GatehouseError<LoginErrorCode> {
  return new GatehouseError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * An OAuth error code (`error`, `error_description`) a provider answered, from its callback or its
 * token endpoint, as a `GatehouseError` saying who acts: the browser (log in again) or the operator
 * (fix the app). `redirectUri` is the one this login used.
 */
export function oauthFailure(
  facts: ProviderFacts,
  stage: ProviderStage | 'callback',
  error: string,
  description: string | undefined,
  redirectUri: string | undefined,
): GatehouseError<LoginErrorCode> {
  const said = description ? ` ("${description.slice(0, 200)}")` : '';
  const { label } = facts;
  switch (error) {
    case 'access_denied':
      return fail(
        'LOGIN_DECLINED',
        `the login at ${label} was declined${said}; log in again and approve the app`,
      );
    case 'redirect_uri_mismatch':
      return fail(
        'LOGIN_REDIRECT_MISMATCH',
        `${label} says the redirect_uri is not the app's callback URL${said}: set the callback URL in ${facts.appSettings} to ${redirectUri ?? "this server's login callback"}`,
      );
    case 'incorrect_client_credentials':
    case 'invalid_client':
    case 'unauthorized_client':
      return fail(
        'LOGIN_CLIENT_REJECTED',
        `${label} refused the app's client ID ${facts.clientId} or its secret${said}: copy both again from ${facts.appSettings} into the login settings`,
      );
    case 'application_suspended':
      return fail(
        'LOGIN_CLIENT_REJECTED',
        `${label} says the app ${facts.clientId} is suspended${said}: restore it in ${facts.appSettings}`,
      );
    case 'invalid_scope':
      return fail(
        'LOGIN_SCOPE_MISSING',
        `${label} refused the scopes "${facts.scopes}"${said}: allow them in ${facts.appSettings}`,
      );
    case 'bad_verification_code':
    case 'invalid_grant':
      return stage === 'refresh'
        ? fail(
            'LOGIN_REVOKED',
            `${label} no longer accepts this login${said}: the user revoked the app or the grant expired; log in again`,
          )
        : fail(
            'LOGIN_CODE_INVALID',
            `${label} refused the login code${said}: it was used already, expired, or does not match this login attempt (PKCE verifier, redirect URI); start the login again`,
          );
    case 'slow_down':
      return fail('LOGIN_RATE_LIMITED', `${label} asks to slow down${said}; try again in a minute`);
    case 'temporarily_unavailable':
    case 'server_error':
      return fail(
        'LOGIN_PROVIDER_UNREACHABLE',
        `${label} is not able to log users in now${said}; try again later`,
      );
    default:
      return fail(
        'LOGIN_PROVIDER_INVALID_ANSWER',
        `${label} answered the ${stage === 'callback' ? 'login' : 'token request'} with error "${error.slice(0, 80)}"${said}; check ${facts.appSettings}`,
      );
  }
}

/**
 * A non-success answer of a provider's REST API (or of its token endpoint without an OAuth error body):
 * 401 means the grant is gone, 403/429 with rate-limit headers means wait, other 403 a missing scope.
 */
export function httpFailure(
  facts: ProviderFacts,
  res: Response,
  place: string,
  clock: Clock,
  bodyText = '',
): GatehouseError<LoginErrorCode> {
  const { label } = facts;
  const status = res.status;
  const rateLimited =
    status === 429 ||
    (status === 403 && (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after')));
  if (rateLimited)
    return fail(
      'LOGIN_RATE_LIMITED',
      `${label} is rate-limiting this server (${status} at ${place}); ${retryAdvice(res, clock)}`,
    );
  if (status === 401)
    return fail(
      'LOGIN_REVOKED',
      `${label} no longer accepts this login's token (401 at ${place}): the user revoked the app or the token expired; log in again`,
    );
  if (status === 403)
    return fail(
      'LOGIN_SCOPE_MISSING',
      `${label} refused ${place} (403): the token lacks a scope it needs; the app asks for "${facts.scopes}", allow them in ${facts.appSettings}`,
    );
  if (status >= 500)
    return fail(
      'LOGIN_PROVIDER_UNREACHABLE',
      `${label} answered ${status} at ${place}: it is having trouble; try again later`,
    );
  const said = bodyText ? `: ${bodyText.replace(/\s+/g, ' ').slice(0, 120)}` : '';
  return fail(
    'LOGIN_PROVIDER_INVALID_ANSWER',
    `${label} answered ${status} at ${place}${said}; check its URL in the login settings`,
  );
}

/** "try again after 12:30:00 UTC", from `Retry-After` seconds or GitHub's `x-ratelimit-reset` epoch seconds. */
function retryAdvice(res: Response, clock: Clock): string {
  const retryAfter = Number(res.headers.get('retry-after'));
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  const at =
    Number.isFinite(retryAfter) && retryAfter > 0
      ? clock() + retryAfter * 1000
      : reset > 0
        ? reset * 1000
        : undefined;
  if (at === undefined) return 'try again in a minute';
  const seconds = Math.max(0, Math.ceil((at - clock()) / 1000));
  return `try again in ${seconds} s (after ${new Date(at).toISOString().slice(11, 19)} UTC)`;
}

/**
 * Any failure of an openid-client call as a login `GatehouseError`: ours thrown from the bounded
 * fetch pass through; OAuth error bodies are explained; other answers by their status.
 */
export async function clientFailure(
  facts: ProviderFacts,
  stage: ProviderStage,
  error: unknown,
  redirectUri: string | undefined,
  clock: Clock,
  place: string,
): Promise<GatehouseError> {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof GatehouseError) return e;
    if (e instanceof oauth.ResponseBodyError) {
      if (e.status === 429) return httpFailure(facts, e.response, place, clock);
      return oauthFailure(facts, stage, e.error, e.error_description, redirectUri);
    }
    if (e instanceof oauth.WWWAuthenticateChallengeError) {
      // A token endpoint's 401 is a refused client (RFC 6749 §5.2) unless the challenge names the error.
      const named = e.cause.find((c) => typeof c.parameters['error'] === 'string')?.parameters['error'];
      if (named || e.status === 401) {
        const body = (await e.response.json().catch(() => ({}))) as {
          error?: unknown;
          error_description?: unknown;
        };
        const described = e.cause[0]?.parameters['error_description'] ?? body.error_description;
        return oauthFailure(
          facts,
          stage,
          named ?? (typeof body.error === 'string' ? body.error : 'invalid_client'),
          typeof described === 'string' ? described : undefined,
          redirectUri,
        );
      }
      return httpFailure(facts, e.response, place, clock);
    }
    if (e instanceof Response) return httpFailure(facts, e, place, clock);
    const code = (e as { code?: unknown }).code;
    if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' || code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED')
      return fail(
        'LOGIN_PROVIDER_INVALID_ANSWER',
        `${facts.label}'s ID token does not fit this login (${(e as Error).message}: its nonce, issuer, audience or times differ); start the login again, and if it persists check ${facts.label}'s URL in the login settings and this server's clock`,
        error,
      );
    if ((e as { cause?: unknown }).cause === e) break;
  }
  return fail(
    'LOGIN_PROVIDER_INVALID_ANSWER',
    `${facts.label} gave an answer at ${place} that is not OAuth 2 (${(error as Error).message}); check its URL in the login settings`,
    error,
  );
}
