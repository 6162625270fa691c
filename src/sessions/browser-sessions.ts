import { createHash, randomBytes } from 'node:crypto';
import { clearedCookie, cookieHeader } from '../http/cookies.ts';
import { type ExpiringCollection, type ExpiringSpec, expiringCollection } from '../store/expiring.ts';
import type { EphemeralRepository } from '../store/types.ts';
import type { Clock } from '../util/clock.ts';
import { type SealingKey, seal, unseal } from '../util/sealing.ts';
import { newCsrfToken } from './csrf.ts';

/** A logged-in browser on one host: whom it speaks for, and its CSRF token. */
export interface BrowserSession {
  readonly accountId: string;
  readonly host: string;
  readonly csrf: string;
  readonly createdAt: number;
  /** When the identity was last confirmed with its upstream provider. */
  readonly checkedAt: number;
  readonly expiresAt: number;
}

/** Sessions, keyed by the SHA-256 of their id: a store reader cannot present one. */
export const BROWSER_SESSIONS: ExpiringSpec<BrowserSession> = { name: 'browser-session' };

/** A session found from a request's cookie, with the key it is stored under. */
export interface FoundSession {
  readonly key: string;
  readonly session: BrowserSession;
}

/** How sessions are kept and their cookies set. */
export interface BrowserSessionOptions {
  readonly ephemeral: EphemeralRepository;
  readonly clock: Clock;
  /** The key cookies are sealed with; the same on every node. */
  readonly key: () => SealingKey;
  readonly ttlMs: number;
}

/**
 * The cookie's name: over https the `__Host-` prefix, which browsers accept only when Secure,
 * Path=/ and without Domain, so no other host (a sibling route) can set or receive it.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-gatehouse-session' : 'gatehouse-session';
}

function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * Browser sessions in the store, shared by every node. The cookie carries the session id sealed
 * (AES-256-GCM) with the host as authenticated context: a cookie copied to another route's host
 * does not open there, and an altered one does not open at all.
 */
export class BrowserSessions {
  readonly #records: ExpiringCollection<BrowserSession>;
  readonly #options: BrowserSessionOptions;

  constructor(options: BrowserSessionOptions) {
    this.#options = options;
    this.#records = expiringCollection(options.ephemeral, BROWSER_SESSIONS);
  }

  /** Starts a session for `accountId` on `host`; gives the `Set-Cookie` value that carries it. */
  async start(
    host: string,
    accountId: string,
    secure: boolean,
  ): Promise<{ setCookie: string; found: FoundSession }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.#options.clock();
    const session: BrowserSession = {
      accountId,
      host,
      csrf: newCsrfToken(),
      createdAt: now,
      checkedAt: now,
      expiresAt: now + this.#options.ttlMs,
    };
    const key = keyOf(id);
    await this.#records.put(key, session, this.#options.ttlMs);
    const value = seal(this.#options.key(), id, contextOf(host));
    const setCookie = cookieHeader(sessionCookieName(secure), value, {
      path: '/',
      maxAgeSeconds: Math.floor(this.#options.ttlMs / 1000),
      secure,
    });
    return { setCookie, found: { key, session } };
  }

  /** The live session the cookie value names on `host`, or undefined. */
  async find(cookieValue: string | undefined, host: string): Promise<FoundSession | undefined> {
    if (!cookieValue) return undefined;
    const id = unseal(this.#options.key(), cookieValue, contextOf(host));
    if (!id) return undefined;
    const key = keyOf(id);
    const session = await this.#records.get(key);
    if (!session || session.host !== host || session.expiresAt <= this.#options.clock()) return undefined;
    return { key, session };
  }

  /** Records that the identity was confirmed now; the session keeps its expiry. */
  async confirmed(found: FoundSession): Promise<FoundSession> {
    const session = { ...found.session, checkedAt: this.#options.clock() };
    const ttl = session.expiresAt - this.#options.clock();
    if (ttl > 0) await this.#records.put(found.key, session, ttl);
    return { key: found.key, session };
  }

  /** Ends a session; gives the `Set-Cookie` value that removes its cookie. */
  async end(found: FoundSession | undefined, secure: boolean): Promise<string> {
    if (found) await this.#records.delete(found.key);
    return clearedCookie(sessionCookieName(secure), '/', secure);
  }

  /** Ends every session of an account (its upstream access was revoked); gives how many ended. */
  async endAllOf(accountId: string): Promise<number> {
    let ended = 0;
    for (const { key, record } of await this.#records.list())
      if (record.accountId === accountId && (await this.#records.deleteIf(key, record))) ended++;
    return ended;
  }
}

function contextOf(host: string): string {
  return `browser-session:${host}`;
}
