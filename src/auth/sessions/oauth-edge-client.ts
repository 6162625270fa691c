import { decodeJwt } from 'jose';
import * as oauth from 'openid-client';
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
}

/**
 * {@link EdgeTokenClient} on `openid-client`: the authorization code grant with PKCE S256 and
 * the route's resource indicator, the `iss` of the response checked (RFC 9207), refresh with
 * rotation. The server is discovered once, lazily, through RFC 8414 metadata.
 */
export function oauthEdgeClient(options: OAuthEdgeClientOptions): EdgeTokenClient {
  const internalFetch: oauth.CustomFetch = (url, init) => options.fetch(url, init as RequestInit);
  let configuration: Promise<oauth.Configuration> | undefined;
  const config = () => {
    configuration ??= (async () => {
      const issuer = new URL(options.issuer);
      const found = await oauth.discovery(
        issuer,
        EDGE_CLIENT_ID,
        undefined,
        oauth.ClientSecretPost(options.clientSecret),
        {
          algorithm: 'oauth2',
          [oauth.customFetch]: internalFetch,
          ...(issuer.protocol === 'http:' ? { execute: [oauth.allowInsecureRequests] } : {}),
        },
      );
      found[oauth.customFetch] = internalFetch;
      return found;
    })().catch((error: unknown) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
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
      return edgeTokens(tokens);
    },
    async refresh({ refreshToken, resource }) {
      return edgeTokens(await oauth.refreshTokenGrant(await config(), refreshToken, { resource }));
    },
  };
}

function edgeTokens(tokens: oauth.TokenEndpointResponse): EdgeTokens {
  const claims = decodeJwt(tokens.access_token);
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt:
      typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + (tokens.expires_in ?? 60) * 1000,
    accountId: String(claims.sub ?? ''),
  };
}
