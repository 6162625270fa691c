import type { IncomingMessage } from 'node:http';
import type { IdentityLike } from '../identity/policy.ts';

/** Who a request's token or session named, once the route guard checked it. */
const verified = new WeakMap<IncomingMessage, IdentityLike>();

/** Records the person the guard let through, for the route's handler (an MCP route's per-tool policy). */
export function rememberIdentity(req: IncomingMessage, who: IdentityLike): void {
  verified.set(req, who);
}

/** The person the guard let through on this request; undefined on a route without auth. */
export function verifiedIdentity(req: IncomingMessage): IdentityLike | undefined {
  return verified.get(req);
}
