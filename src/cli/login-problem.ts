import { STATUS_CODES } from 'node:http';
import * as oauth from 'openid-client';
import { GatehouseError } from '../core/errors.ts';
import { connectFailure } from '../http/connect-failure.ts';

/** What to do when the server answers discovery or a token request with this status. */
function adviceFor(status: number, step: 'discovery' | 'login'): string {
  if (status === 404)
    return step === 'discovery'
      ? 'it has no login: check that --server is the Gatehouse (its --domain), and that it runs with a ' +
          'login provider (--github-client-id, --gitlab-client-id or --oidc-issuer)'
      : 'check that --server is the Gatehouse (its --domain)';
  if (status === 429) return 'too many logins from here: wait a minute and try again';
  if (status >= 500) return 'the server failed: its log says why; try again once it is fixed';
  if (status >= 300 && status < 400)
    return 'it redirects elsewhere: give --server as the URL it redirects to (https, perhaps)';
  return 'check --server: it must be the Gatehouse itself, not a proxy or app in front of it';
}

/**
 * One line for why logging in (or out) did not work: the server unreachable and why (a name that
 * does not exist, https to a plain-HTTP port), the HTTP status it answered with and what to do,
 * or the authorization server's own refusal (`access_denied: …`).
 */
export function loginProblem(error: unknown, server: URL, step: 'discovery' | 'login'): string {
  // Gatehouse's own errors (plain http to a remote server, say) say what to do already.
  if (error instanceof GatehouseError) return error.message;
  if (error instanceof oauth.ResponseBodyError)
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  // undici's Response, which need not be the global one: known by its shape.
  const response = (error as { cause?: { status?: unknown; url?: unknown } }).cause;
  if (response && typeof response.status === 'number' && typeof response.url === 'string') {
    const path = URL.canParse(response.url) ? new URL(response.url).pathname : '';
    return (
      `${server.origin} answered ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trimEnd() +
      `${path ? ` to ${path}` : ''}; ${adviceFor(response.status, step)}`
    );
  }
  if (error instanceof oauth.ClientError || error instanceof oauth.AuthorizationResponseError)
    return (error as Error).message;
  const failure = connectFailure(error, server);
  return `cannot reach ${server.origin}: ${failure.message}`;
}
