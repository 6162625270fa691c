import { type ManualClock, manualClock } from '../../src/core/clock.ts';
import { AccessTokens } from '../../src/simulator/access-tokens.ts';
import { Grants } from '../../src/simulator/grants.ts';
import { RateLimiter } from '../../src/simulator/rate-limit.ts';
import { defaultSeed, type Seed } from '../../src/simulator/seed.ts';
import { Sessions } from '../../src/simulator/sessions.ts';
import { type SimUrls, simUrls } from '../../src/simulator/urls.ts';
import { World } from '../../src/simulator/world.ts';

/** Where the simulator's apps think they answer; nothing listens there. */
export const SIM_ORIGIN = 'http://sim.test';

/** The parts the simulator's apps share, as startSimulator makes them, on a clock the test moves. */
export interface SimulatorParts {
  readonly clock: ManualClock;
  readonly urls: SimUrls;
  readonly world: World;
  readonly tokens: AccessTokens;
  readonly grants: Grants;
  readonly sessions: Sessions;
  readonly limiter: RateLimiter;
}

/** Fresh parts over `seed` (the default seed unless given), for calling an app with app.request(). */
export async function simulatorParts(seed: Seed = defaultSeed()): Promise<SimulatorParts> {
  const clock = manualClock(Date.parse('2025-06-01T12:00:00.000Z'));
  const urls = simUrls(SIM_ORIGIN);
  return {
    clock,
    urls,
    world: new World(seed, clock),
    tokens: await AccessTokens.create(urls, clock, seed.token_lifetimes.access_token_seconds),
    grants: new Grants(clock),
    sessions: new Sessions(clock),
    limiter: new RateLimiter(clock),
  };
}

/** The value of `name` in a Set-Cookie header, as a Cookie header carries it back. */
export function cookieFrom(res: Response, name: string): string {
  const match = new RegExp(`(?:^|, )(${name}=[^;]+)`).exec(res.headers.get('set-cookie') ?? '');
  if (!match?.[1]) throw new Error(`no ${name} cookie in ${res.headers.get('set-cookie')}`);
  return match[1];
}
