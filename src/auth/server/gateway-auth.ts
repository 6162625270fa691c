import { readFileSync } from 'node:fs';
import type { AuthConfig } from '../../config/auth-schema.ts';
import type { Clock } from '../../core/clock.ts';
import { ConfigError } from '../../core/config-error.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Exchange } from '../../http/exchange.ts';
import type { Mount } from '../../routes/mount.ts';
import type { Store } from '../../store/types.ts';
import type { LoginProviders } from '../identity/login-providers.ts';
import type { ResourcePolicy } from '../identity/resource-policy.ts';
import { type AuthorizationServer, startAuthorizationServer } from './authorization-server.ts';
import type { MetadataFetchOptions } from './metadata-fetch.ts';
import type { FirstPartyClient } from './provider-config.ts';
import { OAUTH_ROUTES } from './provider-config.ts';

/** What the gateway hands the authorization server. */
export interface GatewayAuthOptions {
  /** Takes one anonymous write for the exchange's client; false when it answered 429. */
  readonly admitWrite?: (exchange: Exchange) => boolean;
  readonly auth: AuthConfig;
  readonly domain: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sealKey: () => Buffer | undefined;
  readonly trustProxy: boolean;
  /** The upstream providers people log in through (GitHub, GitLab, OIDC issuers). */
  readonly providers: LoginProviders;
  /** Who gets which scopes for each resource: Gatehouse's own API and the protected routes. */
  readonly resourcePolicy: (issuer: string) => ResourcePolicy;
  /** Clients that are Gatehouse itself, for the issuer the server starts with. */
  readonly firstPartyClients?: (issuer: string) => readonly FirstPartyClient[];
  /** The scopes resources advertise now (Gatehouse's API and the protected routes). */
  readonly resourceScopes?: () => readonly string[];
}

/**
 * How client documents are fetched: from public addresses only, unless a development CA is set
 * (`GATEHOUSE_DEV_CIMD_CA`), which lets loopback and private https servers in.
 */
function clientMetadataOptions(auth: AuthConfig, logger: Logger): MetadataFetchOptions {
  if (!auth.devClientMetadataCa) return {};
  let ca: string;
  try {
    ca = readFileSync(auth.devClientMetadataCa, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `GATEHOUSE_DEV_CIMD_CA names ${auth.devClientMetadataCa}, which cannot be read: give a PEM file, or unset it`,
      { field: 'auth.devClientMetadataCa', cause: error },
    );
  }
  logger.warn(
    'Client ID Metadata Documents may come from loopback and private addresses (GATEHOUSE_DEV_CIMD_CA): for development only',
  );
  return { allowPrivateNetwork: { ca } };
}

/**
 * Requests to the auth host that anyone may send and that make the server store something: a
 * client registration, an authorization request (its interaction and session), a device code, a
 * pushed request, a login started at a provider.
 */
export function isAnonymousWrite(method: string, path: string): boolean {
  if (path === OAUTH_ROUTES.authorization) return true;
  if (method !== 'POST' && !/^\/login\/interaction\/[^/]+\/start\//.test(path)) return false;
  return (
    path === OAUTH_ROUTES.registration ||
    path === OAUTH_ROUTES.device_authorization ||
    path === OAUTH_ROUTES.pushed_authorization_request ||
    /^\/login\/interaction\/[^/]+\/start\//.test(path)
  );
}

/**
 * The authorization server as the gateway runs it: always on, on the auth host. Its mount exists
 * from the start; the server itself starts once the listeners know their ports (the issuer URL
 * carries them), and answers 503 saying why when it cannot start.
 */
export function gatewayAuthorizationServer(options: GatewayAuthOptions) {
  const host = options.auth.host ?? options.domain;
  let server: AuthorizationServer | undefined;
  let failure: string | undefined = 'the authorization server is starting';
  const mount: Mount = {
    kind: 'oauth',
    hosts: [host],
    paths: {
      prefixes: ['/oauth', '/login'],
      exact: ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'],
    },
    request: (exchange) => {
      exchange.label('oauth');
      const method = exchange.req.method ?? 'GET';
      if (
        options.admitWrite &&
        isAnonymousWrite(method, exchange.target.path) &&
        !options.admitWrite(exchange)
      )
        return undefined;
      if (server) return server.handle(exchange.req, exchange.res);
      exchange.res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      exchange.res.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: failure }));
      return undefined;
    },
  };
  return {
    mount,
    server: () => server,
    /** Starts the server with the public base URL (scheme and port) the listeners ended up with. */
    async start(base: { scheme: string; port: string }): Promise<void> {
      // Behind a proxy (--trust-proxy) the public URL is the proxy's: https on the standard port.
      const issuer = options.trustProxy ? `https://${host}` : `${base.scheme}://${host}${base.port}`;
      try {
        server = await startAuthorizationServer({
          store: options.store,
          clock: options.clock,
          issuer,
          providers: options.providers,
          resourcePolicy: options.resourcePolicy(issuer),
          sealKey: options.sealKey,
          lifetimes: options.auth,
          logger: options.logger,
          trustProxy: options.trustProxy,
          firstPartyClients: options.firstPartyClients?.(issuer),
          resourceScopes: options.resourceScopes,
          clientMetadata: clientMetadataOptions(options.auth, options.logger),
        });
        failure = undefined;
        options.logger.info({ issuer }, 'authorization server ready');
      } catch (error) {
        if (!(error instanceof GatehouseError)) throw error;
        failure = error.message;
        options.logger.warn({ err: error }, 'authorization server not started');
      }
    },
    close: async () => server?.close(),
  };
}
