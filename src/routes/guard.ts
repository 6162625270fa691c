import type { Exchange } from '../http/exchange.ts';
import type { Routed } from './routed.ts';

/** What a guard decided: let the exchange on to the route's handler, or it answered it itself. */
export type GuardVerdict = 'pass' | 'answered';

/** Runs before a route's handler (per-route auth, limits); may answer the exchange itself. */
export type Guard = (exchange: Exchange, routed: Routed) => GuardVerdict | Promise<GuardVerdict>;

/** Gives the guards a routed exchange must pass, in order; each area adds its own. */
export type GuardPolicy = (routed: Routed) => readonly Guard[];

/** Guards of several policies, in the order the policies are given. */
export function combineGuards(policies: readonly GuardPolicy[]): GuardPolicy {
  return (routed) => policies.flatMap((policy) => policy(routed));
}

/** Runs the guards in order; true when all of them let the exchange pass. */
export async function passGuards(
  guards: readonly Guard[],
  exchange: Exchange,
  routed: Routed,
): Promise<boolean> {
  for (const guard of guards) if ((await guard(exchange, routed)) === 'answered') return false;
  return true;
}
