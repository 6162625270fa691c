import { z } from 'zod';
import { GatehouseError } from '../core/errors.ts';
import { refuseUnsafeText, type TextRule } from '../http/plain-text.ts';
import { fleetLoginSettings } from './fleet-login-settings.ts';
import { mcpRouteSettings } from './mcp-route-settings.ts';
import { routeRelaySettings } from './relay-settings.ts';
import { routeAuthSettings } from './route-auth-settings.ts';
import {
  headerName,
  headerRules,
  headerValue,
  hostPattern,
  pathPrefix,
  routeTimeouts,
  targetUrl,
} from './route-fields.ts';

export { hostPattern, pathPrefix } from './route-fields.ts';

/** The kinds of stored route: each has one handler (see `Routed`). */
export const ROUTE_KINDS = [
  'proxy',
  'relay',
  'tunnel',
  'static',
  'fleet-proxy',
  'fleet-login',
  'mcp',
] as const;

/** The kind of a route. */
export type RouteKind = (typeof ROUTE_KINDS)[number];

const common = {
  host: hostPattern,
  path: pathPrefix.default('/'),
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  /** `auto`: the route's host gets a certificate by ACME (when ACME is on); `manual`: from files only. */
  tls: z.enum(['auto', 'manual']).optional(),
};

/** Fields of every kind a person reaches through: who may (see `route-auth-settings.ts`). */
const guarded = { auth: routeAuthSettings.optional() };

const upstream = {
  target: targetUrl,
  stripPrefix: z.boolean().default(false),
  preserveHost: z.boolean().default(false),
  requestHeaders: headerRules.default({ set: {}, remove: [] }),
  responseHeaders: headerRules.default({ set: {}, remove: [] }),
  timeouts: routeTimeouts.default({ connectMs: 10_000, responseMs: 60_000, idleMs: 300_000 }),
};

/** A tunnel's name as a route names it (DNS label rules, as tunnels are named). */
const tunnelName = z.string().regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)$/, {
  message: 'must be a tunnel name: lower-case letters, digits and hyphens',
});

/** Headers that frame a message or describe a connection: Gatehouse sets them, a route cannot. */
const FRAMING_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
]);

/** What a static route answers, whatever the request. */
const staticResponse = z
  .object({
    status: z.number().int().min(200).max(599).default(200),
    headers: z
      .record(headerName, headerValue)
      .superRefine((headers, ctx) => {
        for (const name of Object.keys(headers))
          if (FRAMING_HEADERS.has(name.toLowerCase()))
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: 'is set by Gatehouse from the body; leave it out',
            });
      })
      .default({}),
    body: z
      .string()
      .max(64 * 1024, 'must be at most 64 KiB; serve larger files from an upstream')
      .default(''),
  })
  .strict()
  .refine((r) => !((r.status === 204 || r.status === 304) && r.body !== ''), {
    message: 'a 204 or 304 answer has no body',
    path: ['body'],
  });

const kinds = [
  z.object({ kind: z.literal('proxy'), ...common, ...guarded, ...upstream }).strict(),
  z
    .object({ kind: z.literal('relay'), ...common, ...guarded, ...upstream, relay: routeRelaySettings })
    .strict(),
  z.object({ kind: z.literal('tunnel'), ...common, ...guarded, tunnel: tunnelName }).strict(),
  z.object({ kind: z.literal('static'), ...common, ...guarded, static: staticResponse }).strict(),
  // A stand-in for Tesla's tesla-http-proxy: forwards to the Fleet API at `target`, signing configs.
  z.object({ kind: z.literal('fleet-proxy'), ...common, ...guarded, ...upstream }).strict(),
  z
    .object({
      kind: z.literal('fleet-login'),
      ...common,
      fleetLogin: fleetLoginSettings.default({ sessionHours: 168 }),
    })
    .strict(),
  // An MCP server behind login, per-tool policy, the upstream's own credential and an audit of calls.
  z.object({ kind: z.literal('mcp'), ...common, auth: routeAuthSettings, mcp: mcpRouteSettings }).strict(),
] as const;

/** The fields each kind has besides `kind` itself. */
const FIELDS_OF: Readonly<Record<RouteKind, readonly string[]>> = {
  proxy: [...Object.keys(common), 'auth', ...Object.keys(upstream)],
  relay: [...Object.keys(common), 'auth', ...Object.keys(upstream), 'relay'],
  tunnel: [...Object.keys(common), 'auth', 'tunnel'],
  static: [...Object.keys(common), 'auth', 'static'],
  'fleet-proxy': [...Object.keys(common), 'auth', ...Object.keys(upstream)],
  'fleet-login': [...Object.keys(common), 'fleetLogin'],
  mcp: [...Object.keys(common), 'auth', 'mcp'],
};

/** Where a route may hold TAB (header values) or anything at all (a static body); the rest is plain. */
function routeTextRule(path: readonly PropertyKey[]): TextRule {
  const [first, second, third] = path;
  if (first === 'static' && second === 'body') return 'free';
  if (first === 'static' && second === 'headers' && path.length === 3) return 'header-value';
  if ((first === 'requestHeaders' || first === 'responseHeaders') && second === 'set' && third !== undefined)
    return 'header-value';
  return 'plain';
}

/**
 * Refuses control and bidirectional characters in every string of a route: its target, headers,
 * redirect URI and the rest end up in header lines, URLs and logs, where a CR/LF or U+202E does harm.
 */
function plainRoute(route: unknown, ctx: z.RefinementCtx): void {
  refuseUnsafeText(route, ctx, routeTextRule);
}

/** The kind a body without `kind` means: the field that only that kind has, else a proxy. */
function inferredKind(body: Record<string, unknown>): RouteKind {
  if (body['relay'] !== undefined && body['relay'] !== null) return 'relay';
  if (body['tunnel'] !== undefined) return 'tunnel';
  if (body['static'] !== undefined) return 'static';
  if (body['fleetLogin'] !== undefined) return 'fleet-login';
  if (body['mcp'] !== undefined) return 'mcp';
  return 'proxy';
}

/** Body of `POST /api/v1/routes/`: one of the kinds; without `kind`, the kind its fields imply. */
export const routeInput = z.preprocess(
  (body) =>
    body &&
    typeof body === 'object' &&
    !Array.isArray(body) &&
    (body as { kind?: unknown }).kind === undefined
      ? { ...body, kind: inferredKind(body as Record<string, unknown>) }
      : body,
  z
    .discriminatedUnion('kind', kinds, { error: `must be one of ${ROUTE_KINDS.join(', ')}` })
    .superRefine(plainRoute),
);

/** Body of `PATCH /api/v1/routes/{id}`: any subset of the fields; the result is validated whole. */
export const routePatch = z
  .object({
    kind: z.enum(ROUTE_KINDS).optional(),
    host: hostPattern.optional(),
    path: pathPrefix.optional(),
    priority: common.priority.unwrap().optional(),
    tls: common.tls,
    target: targetUrl.optional(),
    stripPrefix: z.boolean().optional(),
    preserveHost: z.boolean().optional(),
    requestHeaders: headerRules.optional(),
    responseHeaders: headerRules.optional(),
    timeouts: routeTimeouts.partial().optional(),
    relay: routeRelaySettings.nullable().optional(),
    tunnel: tunnelName.optional(),
    static: staticResponse.optional(),
    fleetLogin: fleetLoginSettings.optional(),
    mcp: mcpRouteSettings.optional(),
    /** Replaces the route's auth whole; `null` opens the route. */
    auth: routeAuthSettings.nullable().optional(),
  })
  .strict()
  .superRefine(plainRoute);

export type RouteInput = z.output<typeof routeInput>;
export type RoutePatch = z.infer<typeof routePatch>;

/** What every stored route has besides its kind's fields. */
interface RouteMeta {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A stored route. */
export type Route = RouteInput & RouteMeta;

/** A stored route of one kind. */
export type RouteOf<K extends RouteKind> = Extract<Route, { kind: K }>;

/** A route that forwards to an upstream URL: a proxy, a relay or fleet proxy for what is not their own. */
export type UpstreamRoute = RouteOf<'proxy' | 'relay' | 'fleet-proxy'>;

/**
 * The route with `patch` applied, before validation. Nested timeouts merge, other fields replace.
 * The kind changes when the patch says so, or when it sets a field only another kind has
 * (`relay`, `tunnel`, `static`, `fleetLogin`, or `target` on a route without one); `"relay": null` makes a relay
 * a plain proxy; `"auth": null` opens a protected route. Fields the new kind does not have are
 * dropped from the route; the patch naming one is refused (`VALIDATION_FAILED`).
 */
export function applyRoutePatch(route: Route, patch: RoutePatch, now: string): Record<string, unknown> {
  const kind = patch.kind ?? patchedKind(route, patch);
  if (patch.relay === null && kind === 'relay')
    throw new GatehouseError(
      'VALIDATION_FAILED',
      'relay: null makes the route a proxy; leave kind out or give proxy',
      {
        field: 'relay',
      },
    );
  // A field the resulting kind does not have would be dropped without a word: refuse it instead.
  const foreign = Object.entries(patch).find(
    ([field, value]) =>
      value !== undefined &&
      field !== 'kind' &&
      !((field === 'relay' || field === 'auth') && value === null) &&
      !FIELDS_OF[kind].includes(field),
  );
  if (foreign)
    throw new GatehouseError(
      'VALIDATION_FAILED',
      `${foreign[0]}: ${kind} routes have no ${foreign[0]}; change the kind with "kind" or leave it out`,
      { field: foreign[0] },
    );
  const { timeouts, relay, auth, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const merged: Record<string, unknown> = { ...route, ...defined, kind };
  if (auth === null) delete merged['auth'];
  else if (auth !== undefined) merged['auth'] = auth;
  if (relay !== undefined && relay !== null) merged['relay'] = relay;
  if (timeouts || 'timeouts' in route) {
    merged['timeouts'] = {
      ...('timeouts' in route ? route.timeouts : {}),
      ...Object.fromEntries(Object.entries(timeouts ?? {}).filter(([, v]) => v !== undefined)),
    };
  }
  const keep = new Set(['id', 'createdAt', 'kind', ...FIELDS_OF[kind]]);
  const next = Object.fromEntries(Object.entries(merged).filter(([key]) => keep.has(key)));
  return { ...next, updatedAt: now };
}

function patchedKind(route: Route, patch: RoutePatch): RouteKind {
  if (patch.relay === null) return route.kind === 'relay' ? 'proxy' : route.kind;
  if (patch.relay) return 'relay';
  if (patch.tunnel) return 'tunnel';
  if (patch.static) return 'static';
  if (patch.fleetLogin) return 'fleet-login';
  if (patch.mcp) return 'mcp';
  if (patch.target && !FIELDS_OF[route.kind].includes('target')) return 'proxy';
  return route.kind;
}
