import type { OAuthClientMetadata, OAuthClientProvider } from '@modelcontextprotocol/client';
import { Agent, fetch as undiciFetch } from 'undici';

/** A `fetch` that finds every host on loopback, as the browser's host rules do (`*.test` names no DNS knows). */
export function loopbackFetch(): typeof fetch {
  const dispatcher = new Agent({
    connect: { lookup: (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]) },
  });
  return ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as never, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
}

/**
 * An MCP client's OAuth state, in memory, as the SDK asks for it: registered by DCR, or known by
 * its Client ID Metadata Document URL. The authorization URL it is sent to is kept for the browser.
 */
export class MemoryOAuthProvider implements OAuthClientProvider {
  readonly redirectUrl: string;
  readonly clientMetadataUrl?: string;
  authorizationUrl: URL | undefined;
  #client: { client_id: string; client_secret?: string } | undefined;
  #tokens: { access_token: string; token_type: string; refresh_token?: string; scope?: string } | undefined;
  #verifier = '';

  constructor(redirectUrl: string, clientMetadataUrl?: string) {
    this.redirectUrl = redirectUrl;
    if (clientMetadataUrl) this.clientMetadataUrl = clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Test MCP client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info: { client_id: string; client_secret?: string }) {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: NonNullable<MemoryOAuthProvider['tokens'] extends () => infer T ? T : never>) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
  /** The client id it ended up with: the registered one, or the document URL. */
  get clientId(): string | undefined {
    return this.#client?.client_id;
  }
}
