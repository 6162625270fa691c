import type { Clock } from '../../core/clock.ts';
import { type SealingKey, seal, unseal } from '../../core/sealing.ts';
import { type ExpiringCollection, type ExpiringSpec, expiringCollection } from '../../store/expiring.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import { newCsrfToken } from './csrf.ts';
import type { EdgeTokens } from './edge-client.ts';
import { clearedSessionCookie, newSessionCookie, type SessionSite, sessionKeyOf } from './session-cookie.ts';

/** A logged-in browser on one host: whom it speaks for, its tokens (sealed) and its CSRF token. */
export interface BrowserSession {
  readonly accountId: string;
  readonly host: string;
  /** The route path it is for; absent (as before paths were told apart) means the root. */
  readonly base?: string;
  /** The resource its tokens are for: the route's resource URL. */
  readonly resource: string;
  readonly csrf: string;
  /** The access and refresh tokens, sealed and bound to this session's key. */
  readonly sealedTokens: string;
  /** When the access token expires (ms since the epoch), readable without unsealing. */
  readonly accessExpiresAt: number;
  readonly createdAt: number;
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
  /** The key cookies and tokens are sealed with; the same on every node. */
  readonly key: () => SealingKey;
  /** How long a session lasts at most, refreshes or not. */
  readonly ttlMs: number;
}

interface SealedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string | undefined;
}

/**
 * Browser sessions in the store, shared by every node. The cookie carries the session id sealed
 * (AES-256-GCM) with the host as authenticated context: a cookie copied to another route's host
 * does not open there, and an altered one does not open at all. The tokens are sealed too, so
 * the store alone does not give them away.
 */
export class BrowserSessions {
  readonly #records: ExpiringCollection<BrowserSession>;
  readonly #options: BrowserSessionOptions;

  constructor(options: BrowserSessionOptions) {
    this.#options = options;
    this.#records = expiringCollection(options.ephemeral, BROWSER_SESSIONS);
  }

  #seal(key: string, tokens: EdgeTokens): string {
    const kept: SealedTokens = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
    return seal(this.#options.key(), JSON.stringify(kept), `browser-session-tokens:${key}`);
  }

  /** Starts a session on `site` with the tokens its login got; gives the `Set-Cookie` value. */
  async start(
    site: SessionSite,
    resource: string,
    tokens: EdgeTokens,
    secure: boolean,
  ): Promise<{ setCookie: string; found: FoundSession }> {
    const { key, setCookie } = newSessionCookie(
      this.#options.key(),
      site,
      secure,
      Math.floor(this.#options.ttlMs / 1000),
    );
    const now = this.#options.clock();
    const session: BrowserSession = {
      accountId: tokens.accountId,
      host: site.host,
      ...(site.base ? { base: site.base } : {}),
      resource,
      csrf: newCsrfToken(),
      sealedTokens: this.#seal(key, tokens),
      accessExpiresAt: tokens.expiresAt,
      createdAt: now,
      expiresAt: now + this.#options.ttlMs,
    };
    await this.#records.put(key, session, this.#options.ttlMs);
    return { setCookie, found: { key, session } };
  }

  /** The live session the cookie value names on `site`, or undefined. */
  async find(cookieValue: string | undefined, site: SessionSite): Promise<FoundSession | undefined> {
    const key = sessionKeyOf(this.#options.key(), cookieValue, site);
    if (!key) return undefined;
    const session = await this.#records.get(key);
    if (
      !session ||
      session.host !== site.host ||
      (session.base ?? '') !== site.base ||
      session.expiresAt <= this.#options.clock()
    )
      return undefined;
    return { key, session };
  }

  /** The session's tokens; undefined when they do not open (sealed under another secret key). */
  tokensOf(found: FoundSession): SealedTokens | undefined {
    const json = unseal(
      this.#options.key(),
      found.session.sealedTokens,
      `browser-session-tokens:${found.key}`,
    );
    return json === undefined ? undefined : (JSON.parse(json) as SealedTokens);
  }

  /** Keeps refreshed tokens; the caller holds the session's refresh lease. Undefined once the session is over. */
  async replaceTokens(found: FoundSession, tokens: EdgeTokens): Promise<FoundSession | undefined> {
    const session: BrowserSession = {
      ...found.session,
      sealedTokens: this.#seal(found.key, tokens),
      accessExpiresAt: tokens.expiresAt,
    };
    const ttl = session.expiresAt - this.#options.clock();
    if (ttl <= 0) return undefined;
    await this.#records.put(found.key, session, ttl);
    return { key: found.key, session };
  }

  /** Ends a session; gives the `Set-Cookie` value that removes its cookie on the route path `base`. */
  async end(found: FoundSession | undefined, secure: boolean, base = ''): Promise<string> {
    if (found) await this.#records.delete(found.key);
    return clearedSessionCookie(secure, base);
  }
}
