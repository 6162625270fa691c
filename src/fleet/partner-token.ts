import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { TeslaTokens } from './api/tesla-oauth.ts';

/**
 * Partner tokens (`client_credentials`), reused until shortly before they expire: Tesla's token
 * endpoint is rate limited, and a CLI run that asks for a token each time would meet that limit.
 */

/** The scopes asked for when the application names none: Tesla's documented partner example, plus location for telemetry. */
export const PARTNER_TOKEN_SCOPES = [
  'openid',
  'user_data',
  'vehicle_device_data',
  'vehicle_location',
  'vehicle_cmds',
  'vehicle_charging_cmds',
] as const;

/** A cached token is dropped this long before it expires, so no call starts with one about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** What identifies one partner token: where it is made, for which app and which audience. */
export interface PartnerTokenRequest {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The region's Fleet API base URL. */
  readonly audience: string;
  readonly scopes: readonly string[];
}

/** A token as cached: the secret itself and when it stops working (ms since the epoch). */
export interface CachedToken {
  readonly accessToken: string;
  readonly expiresAtMs: number;
  readonly scope?: string | undefined;
}

/** Where tokens outlive one process; reads of missing or damaged entries give undefined. */
export interface TokenStorage {
  read(key: string): CachedToken | undefined;
  write(key: string, token: CachedToken): void;
}

/** A partner token and whether it came from a cache. */
export interface PartnerToken extends CachedToken {
  readonly fromCache: boolean;
}

/** Gets a token from Tesla's token endpoint; `TeslaOAuth.clientCredentials` in production. */
export type ClientCredentialsGrant = (request: PartnerTokenRequest) => Promise<TeslaTokens>;

/** The cache key of a request: a hash, so file names carry neither the client id nor URLs. */
export function partnerTokenCacheKey(
  request: Pick<PartnerTokenRequest, 'tokenUrl' | 'clientId' | 'audience'>,
) {
  return createHash('sha256')
    .update(`${request.tokenUrl}\n${request.clientId}\n${request.audience}`)
    .digest('hex')
    .slice(0, 32);
}

/** True while `token` may still be handed out at `now`. */
export function isFresh(token: CachedToken, now: number): boolean {
  return now < token.expiresAtMs - REFRESH_MARGIN_MS;
}

/** A {@link TokenStorage} in memory only. */
export function memoryTokenStorage(): TokenStorage {
  const entries = new Map<string, CachedToken>();
  return { read: (key) => entries.get(key), write: (key, token) => void entries.set(key, token) };
}

/** Hands out partner tokens: from memory, then from `storage`, then from Tesla. */
export class PartnerTokens {
  readonly #grant: ClientCredentialsGrant;
  readonly #clock: Clock;
  readonly #storage: TokenStorage | undefined;
  readonly #memory = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<PartnerToken>>();

  constructor(options: { grant: ClientCredentialsGrant; clock: Clock; storage?: TokenStorage | undefined }) {
    this.#grant = options.grant;
    this.#clock = options.clock;
    this.#storage = options.storage;
  }

  /** A token for `request`; with `noCache`, always a new one (which then replaces the cached one). */
  async get(request: PartnerTokenRequest, options: { noCache?: boolean } = {}): Promise<PartnerToken> {
    const key = partnerTokenCacheKey(request);
    if (!options.noCache) {
      const now = this.#clock();
      const remembered = this.#memory.get(key);
      if (remembered && isFresh(remembered, now)) return { ...remembered, fromCache: true };
      const stored = this.#storage?.read(key);
      if (stored && isFresh(stored, now)) {
        this.#memory.set(key, stored);
        return { ...stored, fromCache: true };
      }
    }
    // Callers that ask at once share one grant.
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const fetching = this.#fetch(key, request).finally(() => this.#pending.delete(key));
    this.#pending.set(key, fetching);
    return fetching;
  }

  async #fetch(key: string, request: PartnerTokenRequest): Promise<PartnerToken> {
    const issuedAt = this.#clock();
    const tokens = await this.#grant(request);
    const token: CachedToken = {
      accessToken: tokens.access_token,
      expiresAtMs: issuedAt + tokens.expires_in * 1000,
      scope: tokens.scope,
    };
    this.#memory.set(key, token);
    this.#storage?.write(key, token);
    return { ...token, fromCache: false };
  }
}
