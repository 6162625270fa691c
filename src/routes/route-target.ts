import type { UpstreamRoute } from './route.ts';

/** The parts of a route's target URL that every forwarded request needs. */
export interface TargetParts {
  readonly origin: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly protocol: string;
  /** The target's path without trailing slashes; empty for the root. */
  readonly basePath: string;
}

const parsed = new WeakMap<UpstreamRoute, TargetParts>();

/** A route's target, parsed once per route object rather than once per request. */
export function targetOf(route: UpstreamRoute): TargetParts {
  let parts = parsed.get(route);
  if (!parts) {
    const url = new URL(route.target);
    parts = {
      origin: url.origin,
      host: url.host,
      hostname: url.hostname,
      port: url.port,
      protocol: url.protocol,
      basePath: url.pathname.replace(/\/+$/, ''),
    };
    parsed.set(route, parts);
  }
  return parts;
}
