import { decodeJwt } from 'jose';
import * as oauth from 'openid-client';
import type { Clock } from '../../core/clock.ts';
import { EDGE_CLIENT_ID } from '../identity/client-ids.ts';
import type { EdgeTokenClient, EdgeTokens } from './edge-client.ts';

/** The client id protected hosts use with Gatehouse's own authorization server. */

/** How the edge reaches its own authorization server. */
export interface OAuthEdgeClientOptions {
  /** The authorization server's issuer (`https://<auth-host>`). */
  readonly issuer: string;
  /** The edge client's secret, derived from the gateway's secret key on every node alike. */
  readonly clientSecret: string;
  /**
   * Fetch for the server-to-server calls (discovery, token): the gateway answers them in-process
   * rather than through its public address, which it may not be able to reach from inside.
   */
  readonly fetch: typeof fetch;
  /** The time tokens are judged by: their lifetime, and openid-client's checks of signed answers. */
  readonly clock: Clock;
}

/**
 * {@link EdgeTokenClient} on `openid-client`: the authorization code grant with PKCE S256 and
 * the route's resource indicator, the `iss` of the response checked (RFC 9207), refresh with
 * rotation. The server is discovered once, lazily, through RFC 8414 metadata.
 */
export function oauthEdgeClient(options: OAuthEdgeClientOptions): EdgeTokenClient {
  const { clock } = options;
  const internalFetch: oauth.CustomFetch = (url, init) => options.fetch(url, init as RequestInit);
  const issuer = new URL(options.issuer);
  let metadata: Promise<oauth.ServerMetadata> | undefined;
  const discovered = () => {
    metadata ??= oauth
      .discovery(issuer, EDGE_CLIENT_ID, undefined, oauth.ClientSecretPost(options.clientSecret), {
        algorithm: 'oauth2',
        [oauth.customFetch]: internalFetch,
        ...(issuer.protocol === 'http:' ? { execute: [oauth.allowInsecureRequests] } : {}),
      })
      .then((found) => found.serverMetadata())
      .catch((error: unknown) => {
        metadata = undefined;
        throw error;
      });
    return metadata;
  };
  // Built per call from the metadata found once, so that openid-client's own time checks use the
  // injected clock: `clockSkew` is that clock's distance from the system's at this moment.
  const config = async () => {
    const found = new oauth.Configuration(
      await discovered(),
      EDGE_CLIENT_ID,
      { [oauth.clockSkew]: Math.round((clock() - Date.now()) / 1000) },
      oauth.ClientSecretPost(options.clientSecret),
    );
    found[oauth.customFetch] = internalFetch;
    if (issuer.protocol === 'http:') oauth.allowInsecureRequests(found);
    return found;
  };
  return {
    async authorizationUrl({ redirectUri, state, codeChallenge, resource, scopes }) {
      return oauth.buildAuthorizationUrl(await config(), {
        redirect_uri: redirectUri,
        response_type: 'code',
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        resource,
        // Every scope of the route: its policy gives this person some of them, the token carries those.
        scope: ['openid', 'offline_access', ...scopes].join(' '),
      });
    },
    async exchange({ callbackUrl, redirectUri, state, codeVerifier, resource }) {
      const tokens = await oauth.authorizationCodeGrant(
        await config(),
        callbackUrl,
        { pkceCodeVerifier: codeVerifier, expectedState: state, idTokenExpected: false },
        { redirect_uri: redirectUri, resource },
      );
      return edgeTokens(tokens, clock);
    },
    async refresh({ refreshToken, resource }) {
      return edgeTokens(await oauth.refreshTokenGrant(await config(), refreshToken, { resource }), clock);
    },
  };
}

/** The tokens as a session keeps them: the access token expires at its `exp`, else `expires_in` from now. */
function edgeTokens(tokens: oauth.TokenEndpointResponse, clock: Clock): EdgeTokens {
  const claims = decodeJwt(tokens.access_token);
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt:
      typeof claims.exp === 'number' ? claims.exp * 1000 : clock() + (tokens.expires_in ?? 60) * 1000,
    accountId: String(claims.sub ?? ''),
  };
}
