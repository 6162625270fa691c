import { createHmac } from 'node:crypto';
import { ADMIN_APP_PATH } from '../admin/admin-app-mount.ts';
import type { AdminAppSignIn } from '../admin/admin-app-sign-in.ts';
import { parseAdminUsers } from '../auth/identity/admin-policy.ts';
import { ADMIN_APP_CLIENT_ID } from '../auth/identity/client-ids.ts';
import { gatehouseApiPolicy } from '../auth/identity/gatehouse-api-policy.ts';
import type { OAuthPrincipal } from '../auth/keys/admin-keys.ts';
import { cachedJwks } from '../auth/route/jwks-cache.ts';
import { protectedCallback } from '../auth/route/protected-callback.ts';
import { advertisedScopes, routeResourcePolicy } from '../auth/route/protected-routes.ts';
import type { RouteAuthDeps } from '../auth/route/route-auth-guard.ts';
import { routeLoginProviders } from '../auth/route/route-providers.ts';
import { tokenScopes } from '../auth/route/token-identity.ts';
import { type AccessTokenClaims, TokenRejected, verifyAccessToken } from '../auth/route/token-verifier.ts';
import { firstPartyClients } from '../auth/server/first-party-clients.ts';
import { gatewayAuthorizationServer } from '../auth/server/gateway-auth.ts';
import { BrowserSessions } from '../auth/sessions/browser-sessions.ts';
import type { EdgeTokenClient } from '../auth/sessions/edge-client.ts';
import { oauthEdgeClient } from '../auth/sessions/oauth-edge-client.ts';
import { RouteLogin } from '../auth/sessions/route-login.ts';
import { oidcProvider } from '../auth/upstream/oidc.ts';
import { ProviderRegistry } from '../auth/upstream/provider-registry.ts';
import type { ServeConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { type SealingKey, sealingKey } from '../core/sealing.ts';
import { type InternalListener, startInternalListener } from '../edge/listen/internal-listener.ts';
import type { RouteCatalog } from '../edge/routing/route-catalog.ts';
import type { Exchange } from '../http/exchange.ts';
import { publicScheme } from '../http/forwarded.ts';
import type { Mount } from '../routes/mount.ts';
import type { Store } from '../store/types.ts';
import { AccountTunnels } from '../tunnel/self-service/account-tunnels.ts';
import { selfServiceMount } from '../tunnel/self-service/self-service-mount.ts';
import { tokenTunnelResolver } from '../tunnel/self-service/token-tunnel.ts';
import type { TunnelService } from '../tunnel/server/tunnel-service.ts';
import { adminAppRedirect } from './admin-app-redirect.ts';
import { adminHostsOf } from './admin-hosts.ts';

/** What {@link edgeAuth} puts together. */
export interface EdgeAuthOptions {
  readonly config: ServeConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly secretKey: () => Buffer | undefined;
  /** The key routes' own client secrets are sealed with (from `secretKey`). */
  readonly routeSecrets: () => SealingKey | undefined;
  readonly catalog: RouteCatalog;
  readonly tunnels: TunnelService;
  /** Takes one anonymous write for the exchange's client; false when it answered 429. */
  readonly admitWrite: (exchange: Exchange) => boolean;
}

/**
 * Everything login adds to the gateway: the authorization server on the auth host, browser
 * sessions on protected routes (each an OAuth client of that server), the self-service tunnel
 * pages, agents and admin calls carrying OAuth tokens.
 */
export function edgeAuth(options: EdgeAuthOptions) {
  const { config, store, clock, logger, catalog } = options;
  const admins = parseAdminUsers(config.auth.adminUsers);
  const adminHosts = adminHostsOf(config.domain);
  /** `/mcp` on an admin host: Gatehouse's own MCP server as an OAuth resource. */
  const isMcpResource = (resource: URL) =>
    /^https?:$/.test(resource.protocol) &&
    adminHosts.has(resource.hostname.toLowerCase()) &&
    resource.pathname === '/mcp' &&
    resource.search === '' &&
    resource.hash === '';
  const authHost = config.auth.host ?? config.domain;
  const registry = new ProviderRegistry(config.login, {
    fetch,
    clock,
    // The generic OIDC issuer (`GATEHOUSE_OIDC_ISSUER` or `OIDC_ISSUER`, and its companions).
    extra: config.login.oidc ? [oidcProvider({ ...config.login.oidc, clock })] : [],
  });
  const providers = registry.global;
  const secret = () => {
    const key = options.secretKey();
    if (!key)
      throw new GatehouseError(
        'AUTH_SECRET_KEY_MISSING',
        'login needs GATEHOUSE_SECRET_KEY with a shared store: every node must seal with the same key',
      );
    return key;
  };
  const edgeSecret = () => createHmac('sha256', secret()).update('gatehouse edge client').digest('base64url');

  const server = gatewayAuthorizationServer({
    admitWrite: options.admitWrite,
    auth: config.auth,
    domain: config.domain,
    store,
    clock,
    logger,
    sealKey: options.secretKey,
    trustProxy: config.trustProxy,
    providers: routeLoginProviders({
      registry,
      table: () => catalog.table,
      secretsKey: options.routeSecrets,
      logger,
    }),
    resourcePolicy: (issuer) =>
      gatehouseApiPolicy(
        issuer,
        admins,
        config.auth.tunnelUsers,
        routeResourcePolicy(() => catalog.table),
        isMcpResource,
      ),
    resourceScopes: () => advertisedScopes(catalog.table),
    firstPartyClients: (issuer) =>
      firstPartyClients(issuer, edgeSecret(), (uri) => protectedCallback(catalog.table, issuer, uri), {
        home: adminAppHome(issuer, config.domain),
        allowed: adminAppRedirect(adminHosts, issuer),
        path: `${ADMIN_APP_PATH}/`,
      }),
  });
  const running = () => {
    const s = server.server();
    if (!s)
      throw new GatehouseError('AUTH_UNAVAILABLE', 'the authorization server is not running (see the log)');
    return s;
  };

  let internal: InternalListener | undefined;
  let client: EdgeTokenClient | undefined;
  const edgeClient: EdgeTokenClient = {
    authorizationUrl: (r) => edge().authorizationUrl(r),
    exchange: (r) => edge().exchange(r),
    refresh: (r) => edge().refresh(r),
  };
  const edge = () => {
    if (!client)
      throw new GatehouseError('AUTH_UNAVAILABLE', 'the authorization server is not running (see the log)');
    return client;
  };
  const sessions = new BrowserSessions({
    ephemeral: store.ephemeral,
    clock,
    key: () => sealingKey(secret(), 'gatehouse sessions', 'browser sessions'),
    ttlMs: config.auth.sessionDays * 86_400_000,
  });
  const secureOf = (exchange: Exchange) => publicScheme(exchange, config.trustProxy) === 'https';
  const login = new RouteLogin({
    signOutUrl: () => {
      const s = server.server();
      return s && `${s.issuer}/oauth/logout`;
    },
    admitWrite: options.admitWrite,
    ephemeral: store.ephemeral,
    clock,
    sessions,
    client: edgeClient,
    secure: secureOf,
    // Logging in at the Gatehouse domain gives a person their tunnel, with a readable name.
    onLogin: async (host, tokens) => {
      if (host !== authHost || providers.length === 0) return;
      const claims = await apiToken(tokens.accessToken);
      if (claims)
        await accountTunnels().first({
          accountId: String(claims.sub),
          admin: scopesOf(claims).includes('admin'),
        });
    },
  });

  const keys = cachedJwks(() => running().jwks(), clock);
  /** The claims of a valid token for Gatehouse's own API, or undefined. */
  const apiToken = async (token: string): Promise<AccessTokenClaims | undefined> => {
    const s = server.server();
    if (!s) return undefined;
    try {
      return await verifyAccessToken(token, {
        keys,
        issuer: s.issuer,
        audience: `${s.issuer}/api`,
        clock,
        grantActive: (gid) => s.grantActive(gid),
      });
    } catch (error) {
      if (error instanceof TokenRejected) return undefined;
      throw error;
    }
  };
  const scopesOf = tokenScopes;
  const loginOf = (claims: AccessTokenClaims) => claims.login;

  let accounts: AccountTunnels | undefined;
  const accountTunnels = () => {
    accounts ??= new AccountTunnels({ store, tunnels: options.tunnels, perUser: config.tunnels.perUser });
    return accounts;
  };

  const routeAuth: RouteAuthDeps = {
    get issuer() {
      return running().issuer;
    },
    jwks: () => running().jwks(),
    grantActive: (gid) => running().grantActive(gid),
    signAssertion: (claims, audience) => running().signAssertion(claims, audience),
    clock,
    trustForwarded: config.trustProxy,
    login,
    available: () => server.server() !== undefined,
  };

  const mounts: Mount[] = [server.mount];
  if (providers.length > 0)
    mounts.push(
      selfServiceMount({
        hosts: [authHost],
        login,
        get accounts() {
          return accountTunnels();
        },
        resource: () => `${running().issuer}/api`,
        person: async (token) => {
          const claims = await apiToken(token);
          if (!claims) return undefined;
          return { login: loginOf(claims), admin: scopesOf(claims).includes('admin') };
        },
      }),
    );

  return {
    mounts,
    routeAuth,
    /** What the admin web app may offer besides an API key: the admin login, when people can log in. */
    adminAppSignIn: (): AdminAppSignIn => {
      if (providers.length === 0)
        return {
          oauth: null,
          reason: 'no login provider is configured (GITHUB_CLIENT_ID, GITLAB_CLIENT_ID or an OIDC issuer)',
        };
      if (admins.length === 0) return { oauth: null, reason: 'nobody is an administrator (--admin-users)' };
      const s = server.server();
      if (!s) return { oauth: null, reason: 'the authorization server is not running (see the log)' };
      return {
        oauth: {
          issuer: s.issuer,
          clientId: ADMIN_APP_CLIENT_ID,
          resource: `${s.issuer}/api`,
          scope: 'admin',
        },
      };
    },
    /** The admin principal of an OAuth token for the admin API. */
    oauthPrincipal: async (token: string): Promise<OAuthPrincipal | undefined> => {
      const claims = await apiToken(token);
      return (
        claims && {
          kind: 'oauth',
          accountId: String(claims.sub),
          login: loginOf(claims),
          scopes: scopesOf(claims),
        }
      );
    },
    /** Checks an access token for one audience (`/mcp` as a request reached it); throws TokenRejected. */
    verifyToken: async (token: string, audience: string): Promise<AccessTokenClaims> => {
      const s = running();
      return verifyAccessToken(token, {
        keys,
        issuer: s.issuer,
        audience,
        clock,
        grantActive: (gid) => s.grantActive(gid),
      });
    },
    /** The authorization server's issuer once it runs. */
    issuer: (): string | undefined => server.server()?.issuer,
    /** Rotates the signing key on every node; gives the key ids published, the current one first. */
    rotateSigningKey: async (): Promise<readonly string[]> => {
      const s = running();
      await s.rotateSigningKey();
      return (await s.jwks()).keys.map((k) => String(k.kid));
    },
    /** The tunnel an agent logged in as a person connects as. */
    tokenTunnel: tokenTunnelResolver({
      ownerOf: async (token) => {
        const claims = await apiToken(token);
        if (!claims) return undefined;
        // The session outlives the access token; it lasts as long as the login (the grant) does.
        const grantId = claims.gid;
        return {
          accountId: String(claims.sub),
          admin: scopesOf(claims).includes('admin'),
          loginActive: async () => grantId !== '' && (await running().grantActive(grantId)),
        };
      },
      accounts: accountTunnels,
      store,
    }),
    /** Starts the authorization server once the listeners know their ports. */
    async start(base: { scheme: string; port: string }): Promise<void> {
      await server.start(base);
      const s = server.server();
      if (!s) return;
      internal = await startInternalListener(s.issuer, new URL(s.issuer).host, (req, res) =>
        s.handle(req, res),
      );
      client = oauthEdgeClient({
        issuer: s.issuer,
        clientSecret: edgeSecret(),
        fetch: internal.fetch,
        clock,
      });
    },
    server: server.server,
    async close(): Promise<void> {
      await internal?.close();
      await server.close();
    },
  };
}

/** The admin web app on the main admin host (the domain), with the issuer's scheme and port. */
function adminAppHome(issuer: string, domain: string): string {
  const url = new URL(issuer);
  url.hostname = domain;
  url.pathname = `${ADMIN_APP_PATH}/`;
  return url.href;
}
