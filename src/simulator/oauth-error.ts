import { GatehouseError } from '../core/errors.ts';
import { TESLA_SCOPES } from '../fleet/regions.ts';

/** The codes the simulated OAuth server answers with. */
export type OAuthErrorCode =
  | 'SIM_OAUTH_REQUEST_INVALID'
  | 'SIM_OAUTH_CLIENT_UNAUTHORIZED'
  | 'SIM_OAUTH_LOGIN_REQUIRED';

/** An OAuth refusal written `{"error","error_description"}`; `message` is the description. */
export class OAuthError extends GatehouseError<OAuthErrorCode> {
  /** The OAuth `error` value, e.g. `invalid_auth_code`. */
  readonly error: string;
  constructor(code: OAuthErrorCode, error: string, description: string) {
    super(code, description);
    this.error = error;
  }
}

/** A 400 OAuth error. */
export function invalidRequest(error: string, description: string): OAuthError {
  return new OAuthError('SIM_OAUTH_REQUEST_INVALID', error, description);
}

/** Tesla's answer to a wrong client id and secret pair. */
export function unauthorizedClient(): OAuthError {
  return new OAuthError(
    'SIM_OAUTH_CLIENT_UNAUTHORIZED',
    'unauthorized_client',
    "We don't recognize this client_id and client_secret combination.",
  );
}

/** Tesla's answer to a used, revoked or expired refresh token. */
export function loginRequired(): OAuthError {
  return new OAuthError('SIM_OAUTH_LOGIN_REQUIRED', 'login_required', 'Login required');
}

/** Splits a space-separated scope list, refusing scopes Tesla does not know. */
export function parseScopes(scope: string | undefined): string[] {
  const scopes = [...new Set((scope ?? '').split(/[\s+]+/).filter(Boolean))];
  const unknown = scopes.filter((s) => !(TESLA_SCOPES as readonly string[]).includes(s));
  if (unknown.length) {
    throw invalidRequest(
      'invalid_scope',
      `Unknown scope ${unknown.join(', ')}; Tesla's scopes are ${TESLA_SCOPES.join(' ')}`,
    );
  }
  return scopes;
}
