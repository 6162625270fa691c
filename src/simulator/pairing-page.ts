import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Logger } from 'pino';
import { loginPage } from './auth-pages.ts';
import { escapeHtml, hidden, htmlPage } from './html.ts';
import { sameSecret } from './same-secret.ts';
import { SESSION_COOKIE, type Sessions } from './sessions.ts';
import { originHost, type World } from './world.ts';

/** What the pairing page needs. */
export interface PairingDeps {
  readonly world: World;
  readonly sessions: Sessions;
  readonly logger?: Logger | undefined;
}

/**
 * `GET {url}/_ak/<domain>`: what `https://tesla.com/_ak/<domain>` does in the owner's Tesla app.
 * The signed-in owner sees which application registered the domain and adds its key to all of
 * their vehicles with one button; a domain no application registered in the owner's region is
 * refused, as Tesla refuses it.
 */
export function createPairingApp(deps: PairingDeps): Hono {
  const app = new Hono();
  const { world, sessions } = deps;

  const form = async (c: Context) => {
    const body = await c.req.parseBody().catch(() => ({}));
    return (name: string) => {
      const value = (body as Record<string, unknown>)[name];
      return typeof value === 'string' ? value : undefined;
    };
  };

  const page = (c: Context, status: 200 | 400 | 401 = 200) => {
    const domain = originHost(c.req.param('domain') ?? '');
    const session = getCookie(c, SESSION_COOKIE);
    const loggedIn = sessions.lookup(session);
    const account = loggedIn ? world.accounts.get(loggedIn.accountId) : undefined;
    if (!account || !session) {
      return c.html(
        loginPage({
          action: `/_ak/${encodeURIComponent(domain)}/login`,
          formToken: sessions.formToken(undefined),
          appName: `the key pairing of ${domain}`,
          ...(status === 401 ? { error: 'The email or password is not correct.' } : {}),
        }),
        status,
      );
    }
    const partner = [...world.partners.values()].find(
      (p) => p.domain === domain && p.region === account.region,
    );
    if (!partner) {
      return c.html(
        htmlPage(
          'Application not registered',
          `<h1>Application not registered</h1>
<p class="error" role="alert">No application has registered ${escapeHtml(domain)} in your region (${account.region}). The application must call POST /api/1/partner_accounts with this domain first.</p>`,
        ),
        400,
      );
    }
    const name = world.apps.get(partner.clientId)?.name ?? partner.clientId;
    const vehicles = world.vehiclesOf(account);
    const rows = vehicles
      .map(
        (v) =>
          `<li>${escapeHtml(v.displayName)} (${escapeHtml(v.vin)}): ${v.pairedDomains.has(domain) ? 'key added' : 'no key yet'}</li>`,
      )
      .join('\n');
    return c.html(
      htmlPage(
        'Add virtual key',
        `<h1>Add ${escapeHtml(name)}'s key?</h1>
<p>${escapeHtml(domain)} asks to add its virtual key to your vehicles:</p>
<ul>
${rows || '<li>(you have no vehicles)</li>'}
</ul>
<form method="post" action="/_ak/${escapeHtml(encodeURIComponent(domain))}">
${hidden('form_token', sessions.formToken(session))}
<button type="submit">Add key</button>
</form>`,
      ),
      status,
    );
  };

  app.get('/_ak/:domain', (c) => page(c));

  app.post('/_ak/:domain/login', async (c) => {
    const field = await form(c);
    if (!sessions.useFormToken(field('form_token'), undefined)) return page(c, 400);
    const account = world.accountByEmail(field('email') ?? '');
    if (!account || !sameSecret(field('password') ?? '', account.password)) return page(c, 401);
    setCookie(c, SESSION_COOKIE, sessions.create(account.id), { httpOnly: true, sameSite: 'Lax', path: '/' });
    return c.redirect(`/_ak/${encodeURIComponent(originHost(c.req.param('domain')))}`, 303);
  });

  app.post('/_ak/:domain', async (c) => {
    const field = await form(c);
    const domain = originHost(c.req.param('domain'));
    const session = getCookie(c, SESSION_COOKIE);
    const loggedIn = sessions.lookup(session);
    const account = loggedIn ? world.accounts.get(loggedIn.accountId) : undefined;
    const registered = [...world.partners.values()].some(
      (p) => p.domain === domain && p.region === account?.region,
    );
    if (!account || !registered || !sessions.useFormToken(field('form_token'), session)) return page(c, 400);
    const vehicles = world.vehiclesOf(account);
    for (const vehicle of vehicles) {
      vehicle.pairedDomains.add(domain);
      world.vehicleChanged(vehicle.vin);
    }
    deps.logger?.info({ domain, vehicles: vehicles.length }, 'simulator: virtual key paired');
    return c.html(
      htmlPage(
        'Key added',
        `<h1>Key added</h1>
<p role="status">${escapeHtml(domain)}'s key is on ${vehicles.length} vehicle${vehicles.length === 1 ? '' : 's'}: ${vehicles.map((v) => escapeHtml(v.vin)).join(', ')}.</p>`,
      ),
    );
  });

  return app;
}
