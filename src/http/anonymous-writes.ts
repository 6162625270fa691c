import type { Clock } from '../core/clock.ts';
import { EdgeError } from './edge-error.ts';
import { answerError, type Exchange } from './exchange.ts';

/** How many anonymous writes a budget allows in a window. */
export interface WriteAllowance {
  readonly writes: number;
  readonly perMs: number;
}

/** The allowances of one process: per client address and in all. */
export interface AnonymousWriteLimits {
  readonly perClient: WriteAllowance;
  readonly global: WriteAllowance;
}

/**
 * Defaults: 60 a minute from one address (a person opening pages and logging in needs a few), and
 * 1,200 a minute in all on one node, which with logins pending for at most 15 minutes bounds the
 * stored login states to some 18,000 per node whatever the number of addresses.
 */
export const ANONYMOUS_WRITE_DEFAULTS: AnonymousWriteLimits = {
  perClient: { writes: 60, perMs: 60_000 },
  global: { writes: 1_200, perMs: 60_000 },
};

/** Addresses remembered at most; the least recently seen are forgotten first. */
const TRACKED_CLIENTS = 50_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** The outcome of {@link AnonymousWrites.take}. */
export type WriteDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryAfterSeconds: number; readonly scope: 'client' | 'global' };

/**
 * Rate limits for what anyone may make Gatehouse store without logging in: a client registration,
 * an authorization request, a login started. Token buckets per client address and for the node, so
 * one address cannot fill the store, nor many addresses together.
 */
export class AnonymousWrites {
  readonly #limits: AnonymousWriteLimits;
  readonly #clock: Clock;
  readonly #clients = new Map<string, Bucket>();
  readonly #global: Bucket;

  constructor(clock: Clock, limits: AnonymousWriteLimits = ANONYMOUS_WRITE_DEFAULTS) {
    this.#limits = limits;
    this.#clock = clock;
    this.#global = { tokens: limits.global.writes, at: clock() };
  }

  /** Takes one write from the client's allowance and the node's; says how long to wait when refused. */
  take(client: string): WriteDecision {
    const now = this.#clock();
    let mine = this.#clients.get(client);
    if (mine) this.#clients.delete(client);
    else mine = { tokens: this.#limits.perClient.writes, at: now };
    this.#clients.set(client, mine);
    if (this.#clients.size > TRACKED_CLIENTS) this.#clients.delete(this.#clients.keys().next().value!);
    refill(mine, this.#limits.perClient, now);
    refill(this.#global, this.#limits.global, now);
    if (mine.tokens < 1)
      return { ok: false, scope: 'client', retryAfterSeconds: wait(mine, this.#limits.perClient) };
    if (this.#global.tokens < 1)
      return { ok: false, scope: 'global', retryAfterSeconds: wait(this.#global, this.#limits.global) };
    mine.tokens--;
    this.#global.tokens--;
    return { ok: true };
  }

  /**
   * Takes one write for the exchange's client; when refused, answers 429 with Retry-After and says
   * so (false). Behind a trusted proxy the client is the address the proxy saw.
   */
  admit(exchange: Exchange, trustProxy: boolean): boolean {
    const decision = this.take(clientAddress(exchange, trustProxy));
    if (decision.ok) return true;
    const error = new EdgeError(
      'RATE_LIMITED',
      decision.scope === 'client'
        ? `too many logins or registrations from your address: try again in ${decision.retryAfterSeconds} s`
        : `too many logins or registrations at once on this server: try again in ${decision.retryAfterSeconds} s`,
    );
    if (exchange.type === 'request')
      exchange.res.setHeader('retry-after', String(decision.retryAfterSeconds));
    answerError(exchange, error);
    return false;
  }
}

function refill(bucket: Bucket, allowance: WriteAllowance, now: number): void {
  const elapsed = Math.max(0, now - bucket.at);
  bucket.tokens = Math.min(allowance.writes, bucket.tokens + (elapsed * allowance.writes) / allowance.perMs);
  bucket.at = now;
}

function wait(bucket: Bucket, allowance: WriteAllowance): number {
  return Math.max(1, Math.ceil(((1 - bucket.tokens) * allowance.perMs) / allowance.writes / 1000));
}

/** The address a client's writes are counted against: the peer, or behind a trusted proxy the last address it forwarded for. */
export function clientAddress(exchange: Exchange, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = exchange.req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .at(-1);
    if (last) return last;
  }
  return exchange.client.ip;
}
