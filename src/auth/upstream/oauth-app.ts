import { createHash, timingSafeEqual } from 'node:crypto';
import * as oauth from 'openid-client';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { LoginAttempt } from '../identity/identity.ts';
import { clientFailure, oauthFailure, type ProviderFacts } from './login-errors.ts';

/** One provider's OAuth 2 app as openid-client drives it: endpoints, credentials, the fetch to use. */
export interface OAuthAppOptions {
  readonly facts: ProviderFacts;
  /** The provider's issuer (its base URL); ID tokens, when there are any, must carry it. */
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly clientSecret: string;
  /** Already bounded (timeout, answer size). */
  readonly fetch: typeof fetch;
  readonly clock: Clock;
}

/** Tokens a provider issued, with the expiry turned into a time on the injected clock. */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt?: number;
  readonly scope?: string;
}

/**
 * The OAuth 2 client side of a login (authorization URL, code exchange with PKCE, refresh) through
 * openid-client, with every failure turned into a login `GatehouseError`. Holds the client secret
 * in a private field: it is in no property, no `toJSON`, no message.
 */
export class OAuthApp {
  readonly #options: OAuthAppOptions;
  readonly #facts: ProviderFacts;
  readonly #clock: Clock;
  readonly #tokenEndpoint: string;

  constructor(options: OAuthAppOptions) {
    this.#facts = options.facts;
    this.#clock = options.clock;
    this.#tokenEndpoint = options.tokenEndpoint;
    this.#options = options;
  }

  /**
   * openid-client's view of the app, built per call so its JWT time checks (ID token `exp`, `iat`)
   * use the injected clock: `clockSkew` is that clock's distance from the system's.
   */
  #config(): oauth.Configuration {
    const options = this.#options;
    const config = new oauth.Configuration(
      {
        issuer: options.issuer,
        authorization_endpoint: options.authorizationEndpoint,
        token_endpoint: options.tokenEndpoint,
      },
      options.facts.clientId,
      { [oauth.clockSkew]: Math.round((this.#clock() - Date.now()) / 1000) },
      oauth.ClientSecretPost(options.clientSecret),
    );
    config[oauth.customFetch] = (url, init) => options.fetch(url, init as RequestInit);
    // The bounded fetch enforces the provider timeout with its own message; openid-client's is a backstop.
    config.timeout = 60;
    // Plain http is only let through the settings for loopback hosts (stand-ins, a local GitLab).
    if (new URL(options.tokenEndpoint).protocol === 'http:') oauth.allowInsecureRequests(config);
    return config;
  }

  /** The URL to send the browser to: code flow, PKCE S256, the attempt's state (and nonce if asked). */
  async authorizationUrl(attempt: LoginAttempt, parameters: Readonly<Record<string, string>>): Promise<URL> {
    return oauth.buildAuthorizationUrl(this.#config(), {
      redirect_uri: attempt.redirectUri,
      response_type: 'code',
      state: attempt.state,
      code_challenge: await oauth.calculatePKCECodeChallenge(attempt.codeVerifier),
      code_challenge_method: 'S256',
      ...parameters,
    });
  }

  /**
   * Checks the callback (state first, in constant time; then an error the provider sent back) and
   * trades its code for tokens with the PKCE verifier and the exact redirect URI.
   */
  async exchange(
    attempt: LoginAttempt,
    callbackUrl: URL,
    idToken?: { readonly nonce: string },
  ): Promise<IssuedTokens & { readonly claims?: oauth.IDToken }> {
    const params = callbackUrl.searchParams;
    if (!sameSecret(params.get('state') ?? '', attempt.state))
      throw new GatehouseError(
        'LOGIN_STATE_INVALID',
        `the ${this.#facts.label} login callback does not belong to this login attempt (its state differs): it was replayed or started in another browser; start the login again`,
      );
    const error = params.get('error');
    if (error)
      throw oauthFailure(
        this.#facts,
        'callback',
        error,
        params.get('error_description') ?? undefined,
        attempt.redirectUri,
      );
    if (!params.get('code'))
      throw new GatehouseError(
        'LOGIN_PROVIDER_INVALID_ANSWER',
        `the ${this.#facts.label} login callback carries no code; start the login again`,
      );
    // openid-client sends the URL it is given, without its query, as redirect_uri: it must be the
    // attempt's exactly, whatever host or path the callback was reconstructed from.
    const answered = new URL(attempt.redirectUri);
    answered.search = callbackUrl.search;
    try {
      const tokens = await oauth.authorizationCodeGrant(this.#config(), answered, {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: attempt.state,
        ...(idToken ? { expectedNonce: idToken.nonce, idTokenExpected: true } : {}),
      });
      const claims = tokens.claims();
      return { ...this.#issued(tokens), ...(claims ? { claims } : {}) };
    } catch (failure) {
      throw await clientFailure(
        this.#facts,
        'code',
        failure,
        attempt.redirectUri,
        this.#clock,
        this.#tokenEndpoint,
      );
    }
  }

  /** A refresh grant; a refused refresh token is `LOGIN_REVOKED`. */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    try {
      return this.#issued(await oauth.refreshTokenGrant(this.#config(), refreshToken));
    } catch (failure) {
      throw await clientFailure(this.#facts, 'refresh', failure, undefined, this.#clock, this.#tokenEndpoint);
    }
  }

  #issued(tokens: oauth.TokenEndpointResponse): IssuedTokens {
    return {
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      ...(typeof tokens.expires_in === 'number'
        ? { expiresAt: this.#clock() + tokens.expires_in * 1000 }
        : {}),
      ...(tokens.scope ? { scope: tokens.scope } : {}),
    };
  }

  toJSON(): Record<string, string> {
    return { clientId: this.#facts.clientId, tokenEndpoint: this.#tokenEndpoint };
  }
}

/** Compares two secrets in constant time (their hashes, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return given.length > 0 && timingSafeEqual(digest(given), digest(expected));
}
