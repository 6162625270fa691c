import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { Logger } from '../../core/logger.ts';
import { redirectTo, sendPage } from '../../http/html-page.ts';
import type { ExpiringCollection, ExpiringSpec } from '../../store/expiring.ts';
import {
  accountIdOf,
  type LoginAttempt,
  type UpstreamIdentity,
  type UpstreamProvider,
} from '../identity/identity.ts';
import { type LoginProviders, resourcesOf } from '../identity/login-providers.ts';
import { isDenied, type ResourcePolicy } from '../identity/resource-policy.ts';
import type { Accounts } from './accounts.ts';
import { html, loginPage, page } from './pages.ts';
import { INTERACTION_PATH } from './provider-config.ts';

/** A login on its way through an upstream provider, kept server-side by its `state`. */
export interface PendingLogin {
  /** The oidc-provider interaction it completes. */
  readonly uid: string;
  readonly provider: string;
  /** The app the login started with: the callback completes through the same one. */
  readonly clientId: string;
  readonly attempt: LoginAttempt;
}

/** Pending upstream logins, by state. */
export const PENDING_LOGINS: ExpiringSpec<PendingLogin> = { name: 'oauth-login' };

/** Ten minutes to log in at the provider. */
const PENDING_LOGIN_MS = 10 * 60 * 1000;

/** The fixed path upstream providers redirect back to; register `<issuer>/login/callback/<id>` with them. */
export const CALLBACK_PATH = '/login/callback';

const OIDC_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email']);

/** What the login pages work with. */
export interface LoginFlowDeps {
  readonly issuer: string;
  readonly provider: () => Provider;
  readonly providers: LoginProviders;
  readonly accounts: Accounts;
  readonly resourcePolicy: ResourcePolicy;
  readonly pending: ExpiringCollection<PendingLogin>;
  readonly logger: Logger;
}

const random = () => randomBytes(32).toString('base64url');

const EXPIRED = 'This login has expired or was already finished: go back to the application and start again.';

/**
 * The login interaction on the auth host: the provider choice, the start of an upstream login, its
 * callback, and the grant that finishes the interaction (consent is automatic: first-party).
 */
export async function handleLogin(
  deps: LoginFlowDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', deps.issuer);
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendPage(res, 405, page('Method not allowed', ''));
  const callback = url.pathname.match(/^\/login\/callback\/([^/]+)$/);
  if (callback) {
    // The interaction cookie is scoped to the interaction's path: continue there so it is sent.
    const pending = await deps.pending.get(url.searchParams.get('state') ?? '');
    if (!pending || pending.provider !== callback[1])
      return sendPage(res, 400, page('Login expired', `<p>${EXPIRED}</p>`));
    return redirectTo(res, `${INTERACTION_PATH}/${pending.uid}/callback/${pending.provider}${url.search}`);
  }
  const match = url.pathname.match(/^\/login\/interaction\/([\w-]+)(?:\/(start|callback)\/([^/]+))?$/);
  if (!match) return sendPage(res, 404, page('Not found', '<p>There is no such login page.</p>'));
  const provider = deps.provider();
  let details: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    return sendPage(res, 400, page('Login expired', `<p>${EXPIRED}</p>`));
  }
  if (details.uid !== match[1]) return sendPage(res, 400, page('Login expired', `<p>${EXPIRED}</p>`));
  const [, uid, step, providerId] = match;
  // What the resources asked for accept: a route's own apps, and the providers its `login` names.
  const offered = deps.providers.forResources(resourcesOf(details.params['resource']));
  const upstream = offered.find((p) => p.id === providerId);
  if (step && !upstream)
    return sendPage(
      res,
      404,
      page('Unknown provider', '<p>That login provider is not offered for this application.</p>'),
    );
  if (step === 'start') return startLogin(deps, res, uid!, upstream!);
  if (step === 'callback') return completeLogin(deps, req, res, url, details, upstream!);
  // Someone already logged in here goes on only if they did so through an app these resources
  // accept; otherwise they choose again (a route's own app may see orgs the global one does not).
  const accountId = details.session?.accountId;
  const account = accountId ? await deps.accounts.get(accountId) : undefined;
  const accepted =
    account && offered.some((p) => p.id === account.identity.provider && p.clientId === account.app);
  if (details.prompt.name === 'login' || !accepted) {
    if (offered.length === 0)
      return sendPage(
        res,
        503,
        page(
          'No way to log in',
          "<p>No login provider is configured for this application: the operator sets GITHUB_CLIENT_ID, GITLAB_CLIENT_ID or an OIDC issuer, or the route's own auth.providers and auth.login.</p>",
        ),
      );
    const client = await provider.Client.find(String(details.params['client_id']));
    const choices = offered.map((p) => ({
      label: p.label,
      href: `${INTERACTION_PATH}/${uid}/start/${p.id}`,
    }));
    return sendPage(res, 200, loginPage(client?.clientName ?? client?.clientId ?? 'An application', choices));
  }
  // Consent for a person already logged in here: granted for what the resources allow them.
  return finish(deps, req, res, details, account.identity, false);
}

async function startLogin(deps: LoginFlowDeps, res: ServerResponse, uid: string, upstream: UpstreamProvider) {
  const attempt: LoginAttempt = {
    redirectUri: `${deps.issuer}${CALLBACK_PATH}/${upstream.id}`,
    state: random(),
    codeVerifier: random(),
    nonce: random(),
  };
  await deps.pending.put(
    attempt.state,
    { uid, provider: upstream.id, clientId: upstream.clientId, attempt },
    PENDING_LOGIN_MS,
  );
  let target: URL;
  try {
    target = await upstream.authorizationUrl(attempt);
  } catch (error) {
    // A provider that cannot be reached or is misconfigured: say so, for the operator to fix.
    deps.logger.error({ err: error, provider: upstream.id }, 'upstream login cannot start');
    return sendPage(
      res,
      502,
      page('Login unavailable', `<p>${html(`${upstream.label}: ${(error as Error).message}`)}</p>`),
    );
  }
  res.writeHead(302, { location: target.href, 'cache-control': 'no-store' });
  res.end();
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

async function completeLogin(
  deps: LoginFlowDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  details: Details,
  upstream: UpstreamProvider,
) {
  const state = url.searchParams.get('state') ?? '';
  const pending = await deps.pending.get(state);
  // Single use: whoever deletes the record first completes this login.
  if (
    !pending ||
    pending.uid !== details.uid ||
    pending.clientId !== upstream.clientId ||
    !(await deps.pending.deleteIf(state, pending))
  )
    return sendPage(res, 400, page('Login expired', `<p>${EXPIRED}</p>`));
  let identity: UpstreamIdentity;
  try {
    // The provider sees the redirect URI it knows, with the parameters it sent back.
    const callbackUrl = new URL(pending.attempt.redirectUri);
    callbackUrl.search = url.search;
    const login = await upstream.complete(pending.attempt, callbackUrl);
    identity = (await deps.accounts.save(login, upstream.clientId)).identity;
  } catch (error) {
    deps.logger.warn({ err: error, provider: upstream.id }, 'upstream login failed');
    return deps.provider().interactionFinished(req, res, {
      error: 'access_denied',
      error_description: `${upstream.label} login failed: ${(error as Error).message}`,
    });
  }
  return finish(deps, req, res, details, identity, true);
}

/** Asks the policy about every requested resource, makes the grant and ends the interaction. */
async function finish(
  deps: LoginFlowDeps,
  req: IncomingMessage,
  res: ServerResponse,
  details: Details,
  identity: UpstreamIdentity,
  loggedIn: boolean,
): Promise<void> {
  const provider = deps.provider();
  const accountId = accountIdOf(identity);
  const requested = String(details.params['scope'] ?? '')
    .split(' ')
    .filter(Boolean);
  const resources = resourcesOf(details.params['resource']);
  const clientId = String(details.params['client_id']);
  const grant = new provider.Grant({ accountId, clientId });
  grant.addOIDCScope(requested.filter((s) => OIDC_SCOPES.has(s)).join(' '));
  for (const resource of resources) {
    const answer = await deps.resourcePolicy(new URL(resource), identity, clientId);
    const refusal: InteractionResults | undefined = !answer
      ? {
          error: 'invalid_target',
          error_description: `${resource} is not a resource this server issues tokens for`,
        }
      : isDenied(answer)
        ? { error: 'access_denied', error_description: answer.denied }
        : undefined;
    if (refusal || !answer || isDenied(answer)) {
      deps.logger.info({ account: accountId, resource, error: refusal?.['error'] }, 'authorization refused');
      return provider.interactionFinished(req, res, refusal!, { mergeWithLastSubmission: false });
    }
    const allowed = new Set(answer.scopes);
    const asked = requested.filter((s) => !OIDC_SCOPES.has(s));
    grant.addResourceScope(resource, asked.filter((s) => allowed.has(s)).join(' '));
    // Recorded as refused, so the consent prompt does not come back for them.
    const refused = asked.filter((s) => !allowed.has(s));
    if (refused.length) grant.rejectResourceScope(resource, refused.join(' '));
  }
  const grantId = await grant.save();
  const result: InteractionResults = { consent: { grantId } };
  if (loggedIn) result.login = { accountId };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}
