import { createHash, randomBytes } from 'node:crypto';
import { digestsEqual as sameDigest } from '../auth/api-key.ts';
import { type ExpiringCollection, type ExpiringSpec, expiringCollection } from '../store/expiring.ts';
import type { EphemeralRepository } from '../store/types.ts';
import type { Clock } from '../util/clock.ts';

/**
 * A login finished on the auth host, waiting to be carried to the host that asked for it: the
 * browser brings the ticket back in the redirect, and that host's session starts from it.
 */
export interface LoginTicket {
  readonly accountId: string;
  readonly host: string;
  readonly returnTo: string;
  /** SHA-256 (hex) of the login cookie of the browser that asked: only that browser can redeem it. */
  readonly browser: string;
  readonly createdAt: number;
}

/** Tickets by the SHA-256 of their value. */
export const LOGIN_TICKETS: ExpiringSpec<LoginTicket> = { name: 'login-ticket' };

/** How long a ticket can wait: one redirect. */
export const LOGIN_TICKET_TTL_MS = 60_000;

/** One-time login tickets in the store, so the node that redeems one need not be the one that issued it. */
export class LoginTickets {
  readonly #records: ExpiringCollection<LoginTicket>;
  readonly #clock: Clock;

  constructor(ephemeral: EphemeralRepository, clock: Clock) {
    this.#records = expiringCollection(ephemeral, LOGIN_TICKETS);
    this.#clock = clock;
  }

  /** Issues a ticket for `host` and the browser whose login cookie hashes to `browser`; gives its value. */
  async issue(accountId: string, host: string, returnTo: string, browser: string): Promise<string> {
    const value = randomBytes(32).toString('base64url');
    const ticket: LoginTicket = { accountId, host, returnTo, browser, createdAt: this.#clock() };
    await this.#records.put(keyOf(value), ticket, LOGIN_TICKET_TTL_MS);
    return value;
  }

  /**
   * The ticket, taken: it is removed atomically, so a replayed one (even on another node) finds
   * nothing. A ticket for another host or another browser is taken too and refused, so it cannot
   * be tried again: a link carrying someone else's ticket cannot log a victim in as them.
   */
  async redeem(
    value: string | undefined,
    host: string,
    loginCookie: string | undefined,
  ): Promise<LoginTicket | undefined> {
    if (!value || !loginCookie) return undefined;
    const key = keyOf(value);
    const ticket = await this.#records.get(key);
    if (!ticket || !(await this.#records.deleteIf(key, ticket))) return undefined;
    if (ticket.host !== host || this.#clock() - ticket.createdAt > LOGIN_TICKET_TTL_MS) return undefined;
    if (!sameDigest(ticket.browser, keyOf(loginCookie))) return undefined;
    return ticket;
  }
}

/** SHA-256 (hex) of a ticket or a login cookie: what the store keeps instead of either. */
export function keyOf(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
