import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { UpstreamIdentity } from '../../src/auth/identity/identity.ts';
import { fixedLoginProviders } from '../../src/auth/identity/login-providers.ts';
import type { ResourcePolicy } from '../../src/auth/identity/resource-policy.ts';
import {
  type AuthorizationServer,
  startAuthorizationServer,
} from '../../src/auth/server/authorization-server.ts';
import type { Lifetimes } from '../../src/auth/server/lifetimes.ts';
import type { MetadataFetchOptions } from '../../src/auth/server/metadata-fetch.ts';
import { oidcProvider } from '../../src/auth/upstream/oidc.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/types.ts';
import { firstForm, formFields, linkTo } from './html-forms.ts';
import { HttpBrowser } from './http-browser.ts';
import { type IssuerUser, type OidcIssuer, startOidcIssuer } from './oidc-issuer.ts';
import { tempDir } from './temp-dirs.ts';

/** The resource the test policy protects beside the admin API: an MCP server on another host. */
export const MCP_RESOURCE = 'https://mcp.example.test/mcp';

/** Where registered test clients say they are sent back; never contacted (the browser stops there). */
export const REDIRECT_URI = 'http://127.0.0.1:1/callback';

/**
 * The test policy: `<issuer>/api` gives `admin` to alice (sub u-alice); the MCP resource gives `mcp user` to
 * members of the issuer's `staff` group and refuses everyone else; other URLs are not resources.
 */
export function testPolicy(issuer: string): ResourcePolicy {
  return async (resource: URL, identity: UpstreamIdentity) => {
    const href = resource.href.replace(/\/$/, '');
    if (href === `${issuer}/api`)
      return identity.login === 'u-alice'
        ? { audience: href, scopes: ['admin'] }
        : { denied: 'not an admin' };
    if (href === MCP_RESOURCE) {
      const groups = identity.claims['groups'];
      return Array.isArray(groups) && groups.includes('staff')
        ? { audience: href, scopes: ['mcp', 'user'] }
        : { denied: `${identity.provider}:${identity.login} is not in the staff group` };
    }
    return undefined;
  };
}

/** A Gatehouse node: an HTTP server on loopback answering with one authorization server. */
export interface OAuthNode {
  readonly server: AuthorizationServer;
  readonly url: string;
  stop(): Promise<void>;
}

async function listen(): Promise<{
  http: Server;
  url: string;
  use(h: (req: IncomingMessage, res: ServerResponse) => void): void;
}> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const http = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, use: (h) => (handler = h) };
}

export const DEFAULT_USERS: IssuerUser[] = [
  {
    sub: 'u-alice',
    preferred_username: 'alice',
    email: 'alice@example.test',
    email_verified: true,
    name: 'Alice',
    groups: ['staff'],
  },
  { sub: 'u-bob', preferred_username: 'bob', groups: [] },
];

/** The authorization server, a real upstream issuer, and helpers acting as browser and client. */
export interface OAuthWorld {
  readonly issuer: string;
  readonly node: OAuthNode;
  readonly upstream: OidcIssuer;
  readonly store: Store;
  /** The servers' log lines (JSON), for tests that check what an operator is told. */
  readonly logs: string[];
  /** openid-client's view of the server, for a client id already registered. */
  configFor(clientId: string, secret?: string): Promise<client.Configuration>;
  /** Registers a client dynamically (RFC 7591) and returns its configuration. */
  register(metadata?: Partial<client.ClientMetadata>): Promise<client.Configuration>;
  /** Logs `user` in through the upstream issuer from an authorization URL; the URL the client is sent back to. */
  login(authorizationUrl: URL, user: string, browser?: HttpBrowser): Promise<URL>;
  /** Starts another node on the same store and issuer URL (its own port). */
  addNode(store: Store): Promise<OAuthNode>;
  stop(): Promise<void>;
}

export const insecure = { execute: [client.allowInsecureRequests] };

/** Starts the world; the store is SQLite in a temporary directory unless given. */
export async function startOAuthWorld(
  options: {
    store?: Store;
    policy?: (issuer: string) => ResourcePolicy;
    users?: IssuerUser[];
    lifetimes?: Lifetimes;
    clientMetadata?: MetadataFetchOptions;
    secret?: Buffer;
  } = {},
): Promise<OAuthWorld> {
  const store = options.store ?? SqliteStore.open(tempDir('gatehouse-oauth-'));
  const first = await listen();
  const issuer = first.url;
  const extra: Awaited<ReturnType<typeof listen>>[] = [];
  const upstream = await startOidcIssuer({
    redirectUris: [`${issuer}/login/callback/oidc`],
    users: structuredClone(options.users ?? DEFAULT_USERS),
  });
  const secret = options.secret ?? Buffer.alloc(32, 7);
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
  const startNode = async (nodeStore: Store, at: Awaited<ReturnType<typeof listen>>): Promise<OAuthNode> => {
    const providers = fixedLoginProviders([
      oidcProvider({
        issuer: upstream.url,
        clientId: upstream.clientId,
        clientSecret: upstream.clientSecret,
        label: 'Test issuer',
        allowInsecureHttp: true,
      }),
    ]);
    const server = await startAuthorizationServer({
      store: nodeStore,
      clock: systemClock,
      issuer,
      providers,
      resourcePolicy: (options.policy ?? testPolicy)(issuer),
      sealKey: () => secret,
      lifetimes: options.lifetimes,
      logger,
      clientMetadata: options.clientMetadata,
    });
    at.use((req, res) => void server.handle(req, res));
    return {
      server,
      url: at.url,
      stop: async () => {
        await server.close();
        at.http.closeAllConnections();
        await new Promise<void>((resolve) => at.http.close(() => resolve()));
      },
    };
  };
  const node = await startNode(store, first);
  const configFor = (clientId: string, secret?: string) =>
    client.discovery(
      new URL(issuer),
      clientId,
      undefined,
      secret ? client.ClientSecretBasic(secret) : client.None(),
      insecure,
    );
  const world: OAuthWorld = {
    issuer,
    node,
    upstream,
    store,
    logs,
    configFor,
    register: async (metadata = {}) => {
      const registered = await client.dynamicClientRegistration(
        new URL(issuer),
        {
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          ...metadata,
        },
        undefined,
        insecure,
      );
      return registered;
    },
    login: (authorizationUrl, user, browser) =>
      driveLogin(authorizationUrl, user, { issuer, upstream: upstream.url, label: 'Test issuer' }, browser),
    addNode: async (nodeStore) => {
      const at = await listen();
      extra.push(at);
      return startNode(nodeStore, at);
    },
    stop: async () => {
      await node.stop();
      await upstream.stop();
      await store.close();
    },
  };
  return world;
}

/**
 * Acts as the person at the browser: from an authorization (or device) URL through Gatehouse's
 * login page and the upstream issuer's form, to the URL the client is sent back to.
 */
export async function driveLogin(
  authorizationUrl: URL,
  user: string,
  at: { issuer: string; upstream: string; label: string },
  browser = new HttpBrowser(),
): Promise<URL> {
  const { issuer } = at;
  const stop = (next: URL) => next.href.startsWith(REDIRECT_URI);
  let page = await browser.navigate(authorizationUrl, { stop });
  if (stop(page.url)) return page.url;
  if (page.url.pathname === '/oauth/device' && !page.text.includes('id="op.')) {
    // oidc-provider's self-submitting form carrying the code from verification_uri_complete.
    const { action, fields } = firstForm(page.text);
    page = await browser.navigate(new URL(action, issuer), { form: fields, stop });
  }
  if (page.text.includes('op.deviceConfirmForm')) {
    const { action, fields } = formFields(page.text, 'op.deviceConfirmForm');
    page = await browser.navigate(new URL(action, issuer), { form: fields, stop });
  }
  if (page.url.pathname.startsWith('/login/interaction/')) {
    if (page.status !== 200) throw new Error(`login page answered ${page.status}: ${page.text}`);
    page = await browser.navigate(new URL(linkTo(page.text, at.label), issuer), { stop });
  }
  if (page.url.origin === at.upstream) {
    const { action } = formFields(page.text, 'login');
    page = await browser.navigate(new URL(action, at.upstream), { form: { user }, stop });
  }
  // The device flow ends on the auth host's own page: connected, or refused with the reason.
  if (page.url.pathname.startsWith('/oauth/device') && /Device connected|Not allowed/.test(page.text))
    return page.url;
  if (!stop(page.url))
    throw new Error(
      `login ended at ${page.url.href} (${page.status}): ${page.text.replace(/.*<\/head>/s, '').slice(0, 500)}`,
    );
  return page.url;
}

/** Builds an authorization URL with PKCE S256; returns it with the verifier and state to check. */
export async function authorizationRequest(
  config: client.Configuration,
  params: Record<string, string> = {},
): Promise<{ url: URL; verifier: string; state: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid mcp',
    resource: MCP_RESOURCE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...params,
  });
  return { url, verifier, state };
}
