import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Region } from './seed.ts';

/** An authorization code the authorize page handed out. */
export interface AuthCode {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly accountId: string;
  readonly codeChallenge: string | undefined;
  readonly nonce: string | undefined;
  readonly authTime: number;
  readonly expiresAt: number;
  used: boolean;
  /** What its exchange issued, revoked should the code come back. */
  readonly issuedJtis: string[];
  readonly issuedRefreshTokens: string[];
}

/** A refresh token: single use, each use hands out its successor. */
export interface RefreshGrant {
  readonly token: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly accountId: string;
  readonly authTime: number;
  readonly expiresAt: number;
  used: boolean;
  /** The authorization code the chain started from. */
  fromCode: string | undefined;
}

/** A code or refresh token as Tesla writes them: region prefix, then hex. */
export function regionToken(region: Region): string {
  return `${region.toUpperCase()}_${randomBytes(32).toString('hex')}`;
}

/** The codes and refresh tokens issued so far. */
export class Grants {
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();

  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Stores a new code, valid for `lifetimeSeconds`. */
  newCode(
    fields: Omit<AuthCode, 'code' | 'used' | 'issuedJtis' | 'issuedRefreshTokens' | 'expiresAt'>,
    region: Region,
    lifetimeSeconds: number,
  ): AuthCode {
    const code: AuthCode = {
      ...fields,
      code: regionToken(region),
      expiresAt: this.clock() + lifetimeSeconds * 1000,
      used: false,
      issuedJtis: [],
      issuedRefreshTokens: [],
    };
    this.codes.set(code.code, code);
    return code;
  }

  /** The code as issued (used or not), or undefined when unknown. */
  code(code: string): AuthCode | undefined {
    return this.codes.get(code);
  }

  /** True when the code's lifetime has passed. */
  expired(grant: { readonly expiresAt: number }): boolean {
    return this.clock() >= grant.expiresAt;
  }

  /** Stores a new refresh token. */
  newRefreshToken(
    fields: Omit<RefreshGrant, 'token' | 'used' | 'expiresAt'>,
    region: Region,
    lifetimeSeconds: number,
  ): RefreshGrant {
    const grant: RefreshGrant = {
      ...fields,
      token: regionToken(region),
      expiresAt: this.clock() + lifetimeSeconds * 1000,
      used: false,
    };
    this.refreshTokens.set(grant.token, grant);
    return grant;
  }

  /** The refresh token's record, used or not. */
  refreshToken(token: string): RefreshGrant | undefined {
    return this.refreshTokens.get(token);
  }

  /** Makes a refresh token fail from now on. */
  revokeRefreshToken(token: string): void {
    const grant = this.refreshTokens.get(token);
    if (grant) grant.used = true;
  }
}
