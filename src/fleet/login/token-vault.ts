import { type SealingKey, seal, unseal } from '../../core/sealing.ts';
import type { TeslaAccountRecord } from '../../store/types.ts';
import type { TeslaTokens } from '../api/tesla-oauth.ts';

/** An account's tokens once opened. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
}

/** The context a sealed token set is bound to: its account, so it opens nowhere else. */
const contextOf = (accountId: string) => `tesla-account:${accountId}`;

/** Seals an account's tokens for storage. */
export function sealTokens(key: SealingKey, accountId: string, tokens: TokenSet): string {
  return seal(key, JSON.stringify(tokens), contextOf(accountId));
}

/** The tokens of a stored account; undefined when sealed under another key (the key changed). */
export function openTokens(key: SealingKey, account: TeslaAccountRecord): TokenSet | undefined {
  const json = unseal(key, account.sealedTokens, contextOf(account.id));
  return json === undefined ? undefined : (JSON.parse(json) as TokenSet);
}

/** The token set a token endpoint answer makes; a refresh without a new refresh token keeps the old one. */
export function tokenSetOf(tokens: TeslaTokens, previous?: TokenSet): TokenSet {
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? previous?.refreshToken };
}
