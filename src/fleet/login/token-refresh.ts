import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { SealingKey } from '../../core/sealing.ts';
import type { Collection } from '../../store/collection.ts';
import type { ExpiringCollection } from '../../store/expiring.ts';
import type { TeslaAccountRecord } from '../../store/types.ts';
import { TESLA_CALL_TIMEOUT_MS } from '../api/tesla-call.ts';
import { TeslaApiError } from '../api/tesla-error.ts';
import type { TeslaOAuth } from '../api/tesla-oauth.ts';
import type { RefreshLease } from './login-records.ts';
import { openTokens, sealTokens, type TokenSet, tokenSetOf } from './token-vault.ts';

/** An access token this close to expiry is refreshed before use. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/**
 * How long a refresh lease holds if its node dies mid-refresh; well over the token endpoint's
 * timeout ({@link TESLA_CALL_TIMEOUT_MS}), so a live holder always finishes within its lease.
 */
export const REFRESH_LEASE_MS = 3 * TESLA_CALL_TIMEOUT_MS;
/** How often a waiting node looks again when no change arrives. */
const POLL_MS = 100;

/** What {@link freshAccessToken} works with: the store, the clock and Tesla's token endpoint. */
export interface TokenRefreshDeps {
  readonly accounts: Collection<TeslaAccountRecord>;
  readonly leases: ExpiringCollection<RefreshLease>;
  readonly oauth: Pick<TeslaOAuth, 'refresh'>;
  readonly clientId: string;
  readonly key: SealingKey;
  readonly clock: Clock;
  /** Resolves on the next change to the accounts, or after `ms`: how a waiting node looks again. */
  readonly nextChange: (ms: number) => Promise<void>;
  /** Longest a node waits for another's refresh, in ms of real time (15 s unless told). */
  readonly waitLimitMs?: number;
}

/** The error that ends a login: the page asks the user to log in again. */
export function loginRequired(why: string): GatehouseError {
  return new GatehouseError('FLEET_LOGIN_REQUIRED', `${why}: log in with Tesla again.`);
}

/**
 * A usable access token for the account: the stored one while it has more than
 * {@link REFRESH_MARGIN_MS} to live, else a refreshed one. Tesla's refresh tokens are single use,
 * so one node at a time refreshes an account (a lease in the store); the others wait for what it
 * stores. A refresh Tesla refuses with `login_required` forgets the account's tokens.
 */
export async function freshAccessToken(deps: TokenRefreshDeps, accountId: string): Promise<string> {
  const owner = randomBytes(12).toString('base64url');
  const giveUpAt = Date.now() + (deps.waitLimitMs ?? 15_000);
  for (;;) {
    const { account, tokens } = await current(deps, accountId);
    if (account.expiresAt - deps.clock() > REFRESH_MARGIN_MS) return tokens.accessToken;
    const lease = { owner, since: deps.clock() };
    if (await deps.leases.putIfAbsent(accountId, lease, REFRESH_LEASE_MS)) {
      try {
        return await refreshHoldingLease(deps, accountId);
      } finally {
        // Only this node's own lease: had it run out, another node's would be in its place.
        await deps.leases.deleteIf(accountId, lease);
      }
    }
    if (Date.now() >= giveUpAt) {
      throw new GatehouseError(
        'FLEET_REFRESH_BUSY',
        'Another request is renewing your Tesla login and has not finished: reload the page in a moment.',
      );
    }
    await deps.nextChange(POLL_MS);
  }
}

/** The account and its opened tokens, or the error that ends the login. */
async function current(
  deps: TokenRefreshDeps,
  accountId: string,
): Promise<{ account: TeslaAccountRecord; tokens: TokenSet }> {
  const account = await deps.accounts.get(accountId);
  if (!account) throw loginRequired('Your Tesla login has ended (logged out, or Tesla refused to renew it)');
  const tokens = openTokens(deps.key, account);
  if (!tokens)
    throw loginRequired(
      'The stored Tesla login cannot be opened with this secret key (GATEHOUSE_SECRET_KEY changed?)',
    );
  return { account, tokens };
}

/** Refreshes under the lease, unless another node did while this one was getting it. */
async function refreshHoldingLease(deps: TokenRefreshDeps, accountId: string): Promise<string> {
  const { account, tokens } = await current(deps, accountId);
  if (account.expiresAt - deps.clock() > REFRESH_MARGIN_MS) return tokens.accessToken;
  if (!tokens.refreshToken) {
    await deps.accounts.delete(accountId);
    throw loginRequired('Tesla gave no refresh token (the offline_access scope was not granted)');
  }
  let answer: Awaited<ReturnType<TeslaOAuth['refresh']>>;
  try {
    answer = await deps.oauth.refresh({ clientId: deps.clientId, refreshToken: tokens.refreshToken });
  } catch (error) {
    if (error instanceof TeslaApiError && error.code === 'FLEET_LOGIN_REQUIRED') {
      // Tokens another node stored meanwhile are good: only the tokens this refresh spent are gone.
      const now = await deps.accounts.get(accountId);
      if (now && now.sealedTokens !== account.sealedTokens)
        return (await current(deps, accountId)).tokens.accessToken;
      await deps.accounts.delete(accountId);
      throw loginRequired(
        'Tesla refused to renew your login (the refresh token was used already or has expired)',
      );
    }
    throw error;
  }
  const next = tokenSetOf(answer, tokens);
  const now = deps.clock();
  // One write replaces the spent refresh token with the new one: there is never a moment without.
  await deps.accounts.update(accountId, (stored) => ({
    ...stored,
    sealedTokens: sealTokens(deps.key, accountId, next),
    expiresAt: now + answer.expires_in * 1000,
    ...(answer.scope ? { scopes: answer.scope.split(' ').filter(Boolean) } : {}),
    updatedAt: new Date(now).toISOString(),
  }));
  return next.accessToken;
}
