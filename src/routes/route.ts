import { z } from 'zod';
import { routeRelaySettings } from './relay-settings.ts';
import { headerRules, hostPattern, pathPrefix, routeTimeouts, targetUrl } from './route-fields.ts';

export { hostPattern, pathPrefix } from './route-fields.ts';

const routeFields = {
  host: hostPattern,
  path: pathPrefix.default('/'),
  priority: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  target: targetUrl,
  stripPrefix: z.boolean().default(false),
  preserveHost: z.boolean().default(false),
  requestHeaders: headerRules.default({ set: {}, remove: [] }),
  responseHeaders: headerRules.default({ set: {}, remove: [] }),
  timeouts: routeTimeouts.default({ connectMs: 10_000, responseMs: 60_000, idleMs: 300_000 }),
  relay: routeRelaySettings.optional(),
};

/** Body of `POST /api/v1/routes/`. */
export const routeInput = z.object(routeFields).strict();

/** Body of `PATCH /api/v1/routes/{id}`: any subset of the route's fields. */
export const routePatch = z
  .object({
    host: hostPattern.optional(),
    path: pathPrefix.optional(),
    priority: routeFields.priority.unwrap().optional(),
    target: targetUrl.optional(),
    stripPrefix: z.boolean().optional(),
    preserveHost: z.boolean().optional(),
    requestHeaders: headerRules.optional(),
    responseHeaders: headerRules.optional(),
    timeouts: routeTimeouts.partial().optional(),
    relay: routeRelaySettings.nullable().optional(),
  })
  .strict();

export type RouteInput = z.infer<typeof routeInput>;
export type RoutePatch = z.infer<typeof routePatch>;

/** A stored route. */
export interface Route extends RouteInput {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The route with `patch` applied; nested timeouts merge, other fields replace. */
export function applyRoutePatch(route: Route, patch: RoutePatch, now: string): Route {
  const { timeouts, relay, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const { relay: currentRelay, ...base } = route;
  // `"relay": null` turns the relay off for the route; leaving it out keeps what was there.
  const nextRelay = relay === null ? undefined : (relay ?? currentRelay);
  return {
    ...base,
    ...(nextRelay ? { relay: nextRelay } : {}),
    ...defined,
    timeouts: {
      ...route.timeouts,
      ...Object.fromEntries(Object.entries(timeouts ?? {}).filter(([, v]) => v !== undefined)),
    },
    updatedAt: now,
  };
}
