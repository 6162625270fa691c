import type { Clock } from '../../core/clock.ts';
import type { UpstreamGrant } from '../identity/identity.ts';
import type { IssuedTokens } from './oauth-app.ts';
import type { ProviderCallLimits } from './provider-fetch.ts';

/** What a provider is built with: the I/O it uses, and limits tests can shorten. */
export interface ProviderDeps {
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly limits?: ProviderCallLimits | undefined;
}

/** A grant is refreshed when it expires within this margin, so a read never races its expiry. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * The grant to read with: the saved one while it is valid (or never expires), else a refreshed one
 * (a provider that rotates refresh tokens gives a new one, kept; otherwise the old one stays).
 */
export async function refreshedGrant(
  grant: UpstreamGrant,
  clock: Clock,
  refresh: (refreshToken: string) => Promise<IssuedTokens>,
): Promise<UpstreamGrant> {
  if (grant.expiresAt === undefined || grant.expiresAt - REFRESH_MARGIN_MS > clock()) return grant;
  if (!grant.refreshToken) return grant;
  const tokens = await refresh(grant.refreshToken);
  const refreshToken = tokens.refreshToken ?? grant.refreshToken;
  return {
    accessToken: tokens.accessToken,
    refreshToken,
    ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}),
  };
}
