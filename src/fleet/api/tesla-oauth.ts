import { createHash, randomBytes } from 'node:crypto';
import type { Fetch } from './fleet-api.ts';
import { callTesla } from './tesla-call.ts';
import { explainTeslaAnswer, readTeslaAnswer, TeslaApiError } from './tesla-error.ts';

/** A token endpoint answer. */
export interface TeslaTokens {
  readonly access_token: string;
  readonly refresh_token?: string | undefined;
  readonly id_token?: string | undefined;
  /** Seconds. */
  readonly expires_in: number;
  readonly token_type: string;
  readonly scope?: string | undefined;
}

/** A PKCE pair: the verifier kept, the S256 challenge sent. */
export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

/** A fresh PKCE pair (RFC 7636, S256). */
export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The fields of a user authorization request. */
export interface AuthorizeRequest {
  readonly authorizeUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string;
  readonly codeChallenge: string;
  readonly nonce?: string | undefined;
}

/** The URL a user is sent to for consent; `prompt_missing_scopes` asks again for scopes not yet granted. */
export function authorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
    prompt_missing_scopes: 'true',
    ...(request.nonce ? { nonce: request.nonce } : {}),
  }).toString();
  return url.toString();
}

/** Tesla's token endpoint: the three grants the kit uses. */
export class TeslaOAuth {
  readonly #tokenUrl: string;
  readonly #fetch: Fetch;
  constructor(tokenUrl: string, doFetch: Fetch = fetch) {
    this.#tokenUrl = tokenUrl;
    this.#fetch = doFetch;
  }

  async #post(grant: string, fields: Record<string, string | undefined>): Promise<TeslaTokens> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries({ grant_type: grant, ...fields })) {
      if (value !== undefined) form.set(name, value);
    }
    const { res, body } = await callTesla(
      this.#fetch,
      this.#tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      },
      this.#tokenUrl,
    );
    if (!res.ok)
      throw explainTeslaAnswer(
        readTeslaAnswer(res.status, body, res.headers),
        `${grant} at ${this.#tokenUrl}`,
      );
    const tokens = body as Partial<TeslaTokens>;
    if (typeof tokens.access_token !== 'string' || typeof tokens.expires_in !== 'number') {
      throw new TeslaApiError(
        'FLEET_UNAVAILABLE',
        `${this.#tokenUrl} answered without an access_token and expires_in: is TESLA_AUTH_URL Tesla's OAuth base?`,
        readTeslaAnswer(res.status, body, res.headers),
      );
    }
    return tokens as TeslaTokens;
  }

  /** A partner token (`client_credentials`) for one region's audience. */
  clientCredentials(input: {
    clientId: string;
    clientSecret: string;
    audience: string;
    scopes: readonly string[];
  }) {
    return this.#post('client_credentials', {
      client_id: input.clientId,
      client_secret: input.clientSecret,
      scope: input.scopes.join(' '),
      audience: input.audience,
    });
  }

  /** A user's tokens for the authorization code from the callback. */
  exchangeCode(input: {
    clientId: string;
    clientSecret: string | undefined;
    code: string;
    redirectUri: string;
    codeVerifier: string;
    audience: string;
  }) {
    return this.#post('authorization_code', {
      client_id: input.clientId,
      client_secret: input.clientSecret,
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
      audience: input.audience,
    });
  }

  /** New tokens for a refresh token; the old refresh token is spent by this call. */
  refresh(input: { clientId: string; refreshToken: string }) {
    return this.#post('refresh_token', { client_id: input.clientId, refresh_token: input.refreshToken });
  }
}
