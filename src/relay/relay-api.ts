import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { type Clock, dateOf } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import { honoErrorHandler } from '../http/error-response.ts';
import { parseBody } from '../http/validation-error.ts';
import type { RelayGlobals, RouteRelaySettings } from '../routes/relay-settings.ts';
import type { Store } from '../store/types.ts';
import { RelayError } from './errors.ts';
import type { RelayRegistry, RelayTarget } from './registrations.ts';
import { selectNext, selectPage, wantsPage } from './select-page.ts';
import { FRESHNESS_SECONDS, registrationMessage, unregistrationMessage, verifySigned } from './signature.ts';
import { checkTargetUrl } from './target-policy.ts';

const developerId = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, {
  message: 'must be 1 to 100 letters, digits, dots, hyphens or underscores',
});
const timestamp = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);

/** Body of `POST /register` and `DELETE /unregister` (each signed its own way): a URL target or a tunnel name. */
export const registrationBody = z
  .object({
    tunnel_url: z.string().max(2048).optional(),
    tunnel: z.string().max(63).optional(),
    developer_id: developerId,
    timestamp,
    hmac_signature: z.string().max(128),
    ttl_seconds: z.number().int().positive().optional(),
  })
  .strict()
  .refine((b) => (b.tunnel_url === undefined) !== (b.tunnel === undefined), {
    message: 'give exactly one of tunnel_url and tunnel',
    path: ['tunnel_url'],
  });

/** Body of `POST /states`: maps an OAuth state to a developer. */
export const stateBody = z
  .object({
    state: z.string().min(1).max(512),
    developer_id: developerId,
    timestamp,
    hmac_signature: z.string().max(128),
  })
  .strict();

/** What the registration API works with. */
export interface RelayApiContext {
  readonly routeId: string;
  readonly settings: RouteRelaySettings;
  readonly globals: RelayGlobals;
  readonly registry: RelayRegistry;
  readonly store: Store;
  readonly clock: Clock;
}

/** Largest body the registration API reads; its requests are a few hundred bytes. */
export const RELAY_API_MAX_BODY_BYTES = 16 * 1024;

/** Cookie that pins a browser to a developer's app, set by `GET /select`. */
export const SELECT_COOKIE = 'gatehouse_dev_proxy';

type Env = { Bindings: { relay: RelayApiContext } };

async function body<T extends z.ZodType>(c: Context<Env>, schema: T): Promise<z.infer<T>> {
  let value: unknown;
  try {
    value = JSON.parse(await c.req.text());
  } catch {
    throw new RelayError('RELAY_BODY_INVALID', 'the body must be JSON');
  }
  return parseBody(schema, value);
}

/** The signed text's first part: the URL, or `tunnel:<name>` for a tunnel. */
function targetText(b: { tunnel_url?: string | undefined; tunnel?: string | undefined }): string {
  return b.tunnel_url ?? `tunnel:${b.tunnel}`;
}

async function checkSigned(
  ctx: RelayApiContext,
  message: string,
  signature: string,
  ts: number,
): Promise<void> {
  if (!ctx.globals.secret)
    throw new RelayError('RELAY_DISABLED', 'the relay has no shared secret configured');
  verifySigned(ctx.globals.secret, message, signature, ts, ctx.clock());
  if (!(await ctx.registry.firstUse(signature, FRESHNESS_SECONDS))) {
    throw new RelayError('RELAY_SIGNATURE_REPLAYED', 'this signature was used already; sign a new request', {
      field: 'hmac_signature',
    });
  }
}

/** The proposal's registration API, served at the route's relay prefix. */
export function createRelayApi(): Hono<Env> {
  const app = new Hono<Env>();
  app.onError(honoErrorHandler);
  app.notFound(() => {
    throw new GatehouseError('NOT_FOUND', 'no such relay endpoint');
  });

  app.post('/register', async (c) => {
    const ctx = c.env.relay;
    const b = await body(c, registrationBody);
    await checkSigned(
      ctx,
      registrationMessage(targetText(b), b.developer_id, b.timestamp),
      b.hmac_signature,
      b.timestamp,
    );
    let target: RelayTarget;
    if (b.tunnel_url !== undefined) {
      target = { kind: 'url', url: checkTargetUrl(b.tunnel_url, ctx.settings.allowedTargets).toString() };
    } else {
      if (!(await ctx.store.tunnels.get(b.tunnel!))) {
        throw new RelayError('RELAY_TARGET_REFUSED', `no Gatehouse tunnel named ${b.tunnel}`, {
          field: 'tunnel',
        });
      }
      target = { kind: 'tunnel', name: b.tunnel! };
    }
    const ttl = Math.min(b.ttl_seconds ?? ctx.globals.maxTtlSeconds, ctx.globals.maxTtlSeconds);
    const registration = await ctx.registry.register(b.developer_id, target, ttl, dateOf(ctx.clock));
    return c.json(publicRegistration(registration), 201);
  });

  app.delete('/unregister', async (c) => {
    const ctx = c.env.relay;
    const b = await body(c, registrationBody);
    await checkSigned(
      ctx,
      unregistrationMessage(targetText(b), b.developer_id, b.timestamp),
      b.hmac_signature,
      b.timestamp,
    );
    if (!(await ctx.registry.unregister(b.developer_id))) {
      throw new RelayError('RELAY_NOT_REGISTERED', `developer ${b.developer_id} has no registration`, {
        field: 'developer_id',
      });
    }
    return c.json({ unregistered: b.developer_id });
  });

  app.get('/status', async (c) => {
    const registrations = await c.env.relay.registry.list();
    return c.json({ enabled: true, registrations: registrations.map(publicRegistration) });
  });

  app.post('/states', async (c) => {
    const ctx = c.env.relay;
    const b = await body(c, stateBody);
    await checkSigned(
      ctx,
      registrationMessage(b.state, b.developer_id, b.timestamp),
      b.hmac_signature,
      b.timestamp,
    );
    if (!(await ctx.registry.get(b.developer_id))) {
      throw new RelayError('RELAY_NOT_REGISTERED', `developer ${b.developer_id} has no registration`, {
        field: 'developer_id',
      });
    }
    await ctx.registry.mapState(b.state, b.developer_id, ctx.settings.stateTtlSeconds);
    return c.json({ state: b.state, developer_id: b.developer_id }, 201);
  });

  app.get('/select', async (c) => {
    const id = c.req.query('developer') ?? '';
    if (!developerId.safeParse(id).success)
      throw new GatehouseError('VALIDATION_FAILED', 'developer: give ?developer=<developer_id>', {
        field: 'developer',
      });
    if (!(await c.env.relay.registry.get(id)))
      throw new RelayError('RELAY_NOT_REGISTERED', `developer ${id} has no registration`, {
        field: 'developer',
      });
    // Secure only over https: browsers drop Secure cookies set on plain http (a local relay).
    const secure = new URL(c.req.url).protocol === 'https:' ? '; Secure' : '';
    const ttlSeconds = c.env.relay.settings.stateTtlSeconds;
    c.header(
      'set-cookie',
      `${SELECT_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ttlSeconds}${secure}`,
    );
    // A browser gets a page that says what happened and leads on to the app; a script its JSON.
    if (!wantsPage(c.req.header('accept'))) return c.json({ selected: id, expiresInSeconds: ttlSeconds });
    const { html, headers } = selectPage({
      developer: id,
      host: new URL(c.req.url).host,
      ttlSeconds,
      next: selectNext(c.req.query('next')),
    });
    return c.html(html, 200, headers);
  });

  return app;
}

/** A registration as `/status` shows it. */
function publicRegistration(r: {
  developerId: string;
  target: RelayTarget;
  registeredAt: string;
  expiresAt: string;
}) {
  return {
    developer_id: r.developerId,
    target: r.target.kind === 'tunnel' ? `tunnel:${r.target.name}` : r.target.url,
    registered_at: r.registeredAt,
    expires_at: r.expiresAt,
  };
}
