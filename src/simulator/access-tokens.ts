import { randomBytes, randomUUID } from 'node:crypto';
import { type CryptoKey, errors, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../core/clock.ts';
import { SimulatorApiError } from './api-error.ts';
import { REGIONS, type Region } from './seed.ts';
import type { SimUrls } from './urls.ts';
import type { SimAccount } from './world.ts';

/** Who a verified access token speaks for. */
export interface TokenPrincipal {
  /** A partner token (client_credentials) or a user's (authorization_code, refresh_token). */
  readonly kind: 'partner' | 'user';
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The region the token belongs to (`ou_code`). */
  readonly region: Region;
  readonly audience: readonly string[];
  /** The account, for user tokens. */
  readonly accountId: string | undefined;
  readonly jti: string;
}

/** What an access token is issued for. */
export interface AccessTokenGrant {
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The account for a user token; absent for a partner token. */
  readonly account?: SimAccount | undefined;
  /** A partner token's region (its `audience`); a user token's is the account's. */
  readonly region: Region;
  /** When the user logged in (clock ms). */
  readonly authTime?: number | undefined;
}

/** An issued access token. */
export interface IssuedAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly expiresIn: number;
}

const b64url = (text: string) => Buffer.from(text).toString('base64url');

/**
 * Tesla's own tools decode a token's payload with the standard base64 alphabet, so a payload
 * whose base64url text holds `-` or `_` breaks them. Padding a leading filler claim shifts every
 * byte's place in the 3-byte groups; some length gives a clean text.
 */
export function cleanPayload(claims: Record<string, unknown>): Record<string, unknown> {
  for (let length = 0; length < 48; length++) {
    const payload = { pad: 'x'.repeat(length), ...claims };
    if (!/[-_]/.test(b64url(JSON.stringify(payload)))) return payload;
  }
  throw new Error('no filler length gives a payload free of - and _');
}

/** Issues and verifies the simulator's RS256 access tokens and id tokens. */
export class AccessTokens {
  private readonly revoked = new Set<string>();
  private readonly urls: SimUrls;
  private readonly clock: Clock;
  private readonly lifetimeSeconds: number;
  private readonly kid: string;
  private readonly privateKey: CryptoKey;
  private readonly publicKey: CryptoKey;

  private constructor(
    urls: SimUrls,
    clock: Clock,
    lifetimeSeconds: number,
    kid: string,
    privateKey: CryptoKey,
    publicKey: CryptoKey,
  ) {
    this.urls = urls;
    this.clock = clock;
    this.lifetimeSeconds = lifetimeSeconds;
    this.kid = kid;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** A fresh signing key pair; tokens of an earlier run are not accepted. */
  static async create(urls: SimUrls, clock: Clock, lifetimeSeconds: number): Promise<AccessTokens> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    return new AccessTokens(
      urls,
      clock,
      lifetimeSeconds,
      randomBytes(8).toString('hex'),
      privateKey,
      publicKey,
    );
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  private sign(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(cleanPayload(claims) as JWTPayload)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .sign(this.privateKey);
  }

  /** An access token with the claims Tesla's carry. */
  async issue(grant: AccessTokenGrant): Promise<IssuedAccessToken> {
    const iat = this.nowSeconds();
    const jti = randomUUID();
    const user = grant.account;
    const audience = user
      ? [...REGIONS.map((r) => this.urls.regionBaseUrl(r)), this.urls.userinfo]
      : [this.urls.regionBaseUrl(grant.region)];
    const claims: Record<string, unknown> = {
      iss: this.urls.issuer,
      azp: grant.clientId,
      sub: user ? user.id : `partner-${grant.clientId}`,
      aud: audience,
      scp: grant.scopes,
      amr: user ? ['pwd'] : [],
      exp: iat + this.lifetimeSeconds,
      iat,
      ou_code: (user?.region ?? grant.region).toUpperCase(),
      locale: 'en-US',
      account_type: user ? 'person' : 'business',
      ...(user
        ? { account_id: user.id, auth_time: Math.floor((grant.authTime ?? this.clock()) / 1000) }
        : {}),
      jti,
    };
    return { token: await this.sign(claims), jti, expiresIn: this.lifetimeSeconds };
  }

  /** An OpenID id token for a user. */
  idToken(clientId: string, account: SimAccount, nonce: string | undefined): Promise<string> {
    const iat = this.nowSeconds();
    return this.sign({
      iss: this.urls.authBaseUrl,
      aud: clientId,
      sub: account.id,
      email: account.email,
      email_verified: true,
      name: account.fullName,
      ...(nonce ? { nonce } : {}),
      iat,
      exp: iat + this.lifetimeSeconds,
    });
  }

  /** Makes a token fail from now on (a reused authorization code revokes what it issued). */
  revoke(jti: string): void {
    this.revoked.add(jti);
  }

  /** Checks a bearer token as the Fleet API does; throws 401 `SimulatorApiError`s. */
  async verify(token: string): Promise<TokenPrincipal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['RS256'],
        issuer: this.urls.issuer,
        currentDate: new Date(this.clock()),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new SimulatorApiError('SIM_TOKEN_INVALID', 'token expired (401)');
      throw new SimulatorApiError('SIM_TOKEN_INVALID', 'invalid bearer token');
    }
    const jti = String(payload.jti ?? '');
    if (this.revoked.has(jti)) throw new SimulatorApiError('SIM_TOKEN_INVALID', 'invalid bearer token');
    const region = String(payload['ou_code'] ?? '').toLowerCase() as Region;
    const accountId = typeof payload['account_id'] === 'string' ? payload['account_id'] : undefined;
    return {
      kind: accountId ? 'user' : 'partner',
      clientId: String(payload['azp'] ?? ''),
      scopes: Array.isArray(payload['scp']) ? payload['scp'].map(String) : [],
      region: REGIONS.includes(region) ? region : 'na',
      audience: Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [],
      accountId,
      jti,
    };
  }
}
