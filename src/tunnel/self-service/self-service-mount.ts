import type { FoundSession } from '../../auth/sessions/browser-sessions.ts';
import { csrfTokenMatches, isCrossSiteRequest } from '../../auth/sessions/csrf.ts';
import type { RouteLogin } from '../../auth/sessions/route-login.ts';
import { readBoundedBody } from '../../core/bounded-body.ts';
import { GatehouseError } from '../../core/errors.ts';
import { answerError, type RequestExchange } from '../../http/exchange.ts';
import { redirectTo, sendPage } from '../../http/html-page.ts';
import type { Mount } from '../../routes/mount.ts';
import type { AccountTunnels, TunnelOwner } from './account-tunnels.ts';
import { type FreshKey, type PageViewer, tunnelEventsPage, tunnelsPage } from './tunnels-page.ts';

/** A person as the pages show them. */
export interface Person {
  readonly login: string;
  readonly admin: boolean;
}

/** What the self-service pages need. */
export interface SelfServiceDeps {
  /** The hosts the pages are on: the Gatehouse domain (or the auth host). */
  readonly hosts: readonly string[];
  /** Sessions on those hosts, the login redirect and sign-out. */
  readonly login: RouteLogin;
  readonly accounts: AccountTunnels;
  /** The resource the pages' sessions hold tokens for: this Gatehouse's own API. */
  readonly resource: (exchange: RequestExchange) => string;
  /** The person a session's access token speaks for, or undefined when it is not (any longer) good. */
  readonly person: (accessToken: string) => Promise<Person | undefined>;
}

/** What the pages' tokens may carry: `user` for one's own tunnels, `admin` for administrators. */
const SELF_SERVICE_SCOPES = ['user', 'admin'] as const;

/** Largest form accepted: a name and a token. */
const FORM_LIMIT = 4 * 1024;

const TUNNEL_PATH = /^\/tunnels\/([a-z0-9-]{1,63})(?:\/(rotate-key|delete))?$/;

/**
 * The pages where people manage their own tunnels after logging in: list, make, new key,
 * delete, audit trail. Every change is a POST carrying the session's CSRF token.
 */
export function selfServiceMount(deps: SelfServiceDeps): Mount {
  return {
    kind: 'self-service',
    hosts: deps.hosts,
    paths: { exact: ['/'], prefixes: ['/tunnels', '/.gatehouse'] },
    request: (exchange) => answer(deps, exchange).catch((error: unknown) => answerError(exchange, error)),
  };
}

async function answer(deps: SelfServiceDeps, exchange: RequestExchange): Promise<void> {
  if (await deps.login.answerOwnPath(exchange)) return;
  const { req, res, target } = exchange;
  if (target.path === '/') return redirectTo(res, '/tunnels');
  const found = await deps.login.session(exchange);
  const token = found ? await deps.login.accessToken(found) : undefined;
  const person = token ? await deps.person(token) : undefined;
  if (!found || !person) {
    if (req.method === 'GET' || req.method === 'HEAD')
      return deps.login.sendToLogin(exchange, deps.resource(exchange), SELF_SERVICE_SCOPES);
    throw new GatehouseError(
      'SESSION_REQUIRED',
      'You are not signed in (or your session ended): open /tunnels to sign in.',
    );
  }
  const owner: TunnelOwner = { accountId: found.session.accountId, admin: person.admin };
  const viewer: PageViewer = {
    login: person.login,
    admin: person.admin,
    csrf: found.session.csrf,
    server: `${exchange.client.proto}://${exchange.rawHost}`,
  };
  const list = async (fresh?: FreshKey) => {
    const tunnels = await deps.accounts.list(owner);
    const canCreate = person.admin || tunnels.length < deps.accounts.perUser;
    return html(res, tunnelsPage(viewer, tunnels, canCreate, fresh));
  };
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (target.path === '/tunnels') return list();
    const match = TUNNEL_PATH.exec(target.path);
    if (match && !match[2]) {
      const name = match[1]!;
      return html(res, tunnelEventsPage(viewer, name, await deps.accounts.events(owner, name)));
    }
    throw new GatehouseError('ROUTE_NOT_FOUND', `No page at ${target.path}: your tunnels are at /tunnels.`);
  }
  if (req.method !== 'POST') throw new GatehouseError('METHOD_NOT_ALLOWED', 'Use the forms on /tunnels.');
  const form = await checkedForm(exchange, found, viewer.server);
  if (target.path === '/tunnels') {
    const name = form.get('name')?.trim().toLowerCase() || undefined;
    const made = await deps.accounts.create(owner, name);
    return list({ tunnel: made.tunnel.name, key: made.key });
  }
  const match = TUNNEL_PATH.exec(target.path);
  if (match?.[2] === 'rotate-key') {
    const made = await deps.accounts.rotateKey(owner, match[1]!);
    return list({ tunnel: made.tunnel.name, key: made.key });
  }
  if (match?.[2] === 'delete') {
    await deps.accounts.delete(owner, match[1]!);
    return redirectTo(res, '/tunnels');
  }
  throw new GatehouseError('ROUTE_NOT_FOUND', `Nothing to do at ${target.path}: use the forms on /tunnels.`);
}

/** The POSTed form, once it is known to come from this site's own page. */
async function checkedForm(
  exchange: RequestExchange,
  found: FoundSession,
  origin: string,
): Promise<URLSearchParams> {
  const form = new URLSearchParams((await readBoundedBody(exchange.req, FORM_LIMIT)).toString('utf8'));
  if (
    isCrossSiteRequest(exchange.req.headers, origin) ||
    !csrfTokenMatches(found.session.csrf, form.get('csrf'))
  )
    throw new GatehouseError(
      'SESSION_CSRF_INVALID',
      'This form did not come from this site: reload /tunnels and use its buttons.',
    );
  return form;
}

/** What every self-service page is sent with: they show keys. */
const PAGE_HEADERS = {
  // No framing by other sites, no referrer leaking paths to them.
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  // same-origin, not no-referrer: with no-referrer browsers send Origin: null on the forms' own POSTs.
  'referrer-policy': 'same-origin',
};

function html(res: RequestExchange['res'], body: string): void {
  sendPage(res, 200, body, PAGE_HEADERS);
}
