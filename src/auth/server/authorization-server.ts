import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { importJWK, type JSONWebKeySet, type JWTPayload, SignJWT } from 'jose';
import type Provider from 'oidc-provider';
import { type Clock, dateOf } from '../../core/clock.ts';
import { ConfigError } from '../../core/config-error.ts';
import type { Logger } from '../../core/logger.ts';
import { sealingKey } from '../../core/sealing.ts';
import type { Mount } from '../../routes/mount.ts';
import { GRANT_REVOCATIONS } from '../../store/entities.ts';
import { expiringCollection } from '../../store/expiring.ts';
import type { Store } from '../../store/types.ts';
import type { LoginProviders } from '../identity/login-providers.ts';
import type { ResourcePolicy } from '../identity/resource-policy.ts';
import { Accounts } from './accounts.ts';
import { ASSERTION_SECONDS, DEFAULT_LIFETIMES, keepRetiredKeyMs, type Lifetimes } from './lifetimes.ts';
import { handleLogin, PENDING_LOGINS } from './login-flow.ts';
import type { MetadataFetchOptions } from './metadata-fetch.ts';
import { createProvider, type FirstPartyClient } from './provider-config.ts';
import { bridgeProviderLogs } from './provider-logs.ts';
import { type KeySet, publicJwks, SIGNING_ALG, SIGNING_KEYS, SigningKeys } from './signing-keys.ts';
import { grantExists, revokeGrant } from './store-adapter.ts';

/** Options of {@link startAuthorizationServer}. */
export interface AuthorizationServerOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** `https://<auth host>` (http in tests); no path, no trailing slash. */
  readonly issuer: string;
  readonly providers: LoginProviders;
  readonly resourcePolicy: ResourcePolicy;
  /** The gateway's secret key; every node needs the same one. */
  readonly sealKey: () => Buffer | undefined;
  readonly lifetimes?: Lifetimes | undefined;
  readonly logger: Logger;
  /** Believe `X-Forwarded-Proto`/`-Host` from a proxy in front (`--trust-proxy`). */
  readonly trustProxy?: boolean | undefined;
  /** Bounds of Client ID Metadata Document fetches; loopback only where this allows it (tests, dev). */
  readonly clientMetadata?: MetadataFetchOptions | undefined;
  /** Clients that are Gatehouse itself: its protected hosts and its CLI. */
  readonly firstPartyClients?: readonly FirstPartyClient[] | undefined;
  /** The scopes resources advertise now; registrations may name them. */
  readonly resourceScopes?: (() => readonly string[]) | undefined;
}

/** Gatehouse's OAuth 2.1 authorization server, mounted on the auth host. */
export interface AuthorizationServer {
  /** Answers `/oauth/*`, `/login/*` and the two discovery documents on the auth host. */
  readonly mount: Mount;
  readonly issuer: string;
  /** Answers one request (what the mount does); for servers of its own. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The public keys that verify access tokens and assertions, the current one first. */
  jwks(): Promise<JSONWebKeySet>;
  /** False once a grant is revoked (a replayed code, a reused refresh token, a withdrawn login) or expired. */
  grantActive(grantId: string): Promise<boolean>;
  /** A short-lived JWT (ES256, same keys, `iss` this issuer) stating `claims` to `audience`. */
  signAssertion(claims: JWTPayload, audience: string): Promise<string>;
  /** Makes a new signing key current on every node; the old one verifies until its tokens expire. */
  rotateSigningKey(): Promise<void>;
  close(): Promise<void>;
}

/** The auth host of an issuer URL, as mounts name hosts. */
export function authHostOf(issuer: string): string {
  return new URL(issuer).hostname.toLowerCase();
}

/** Starts the authorization server: loads (or makes) the signing keys and builds oidc-provider. */
export async function startAuthorizationServer(
  options: AuthorizationServerOptions,
): Promise<AuthorizationServer> {
  const { store, clock, logger } = options;
  const issuer = options.issuer.replace(/\/$/, '');
  const lifetimes = options.lifetimes ?? DEFAULT_LIFETIMES;
  const secret = options.sealKey();
  if (!secret)
    throw new ConfigError(
      'the authorization server needs GATEHOUSE_SECRET_KEY with a shared store: every node must seal with the same key',
      { field: 'secretKey' },
    );
  const keys = new SigningKeys({
    store,
    clock,
    sealKey: sealingKey(secret, 'gatehouse oauth', 'signing keys'),
    keepRetiredMs: keepRetiredKeyMs(lifetimes),
  });
  const accounts = new Accounts(store, clock, sealingKey(secret, 'gatehouse oauth', 'accounts'));
  const cookieKeys = [sealingKey(secret, 'gatehouse oauth', 'cookies').toString('base64url')];
  const revocations = store.collection(GRANT_REVOCATIONS);
  /** Tells every node a grant is gone, so sessions it let in (tunnel agents) end now, not later. */
  const announceRevoked = async (grantId: string): Promise<void> => {
    const id = `${grantId}:${randomUUID()}`;
    try {
      await revocations.insert({ id, createdAt: dateOf(clock).toISOString() });
      await revocations.delete(id);
    } catch (error) {
      logger.warn({ err: error }, 'announcing a revoked grant failed; sessions end at their next check');
    }
  };
  const revoke = async (grantId: string) => {
    await revokeGrant(store.ephemeral, clock, grantId);
    await announceRevoked(grantId);
  };

  type Built = { provider: Provider; callback: ReturnType<Provider['callback']> };
  const build = async (keySet: KeySet): Promise<Built> => {
    // oidc-provider and its Koa stack cost tens of MiB: loaded when the auth host is first used.
    const provider = createProvider(await import('oidc-provider'), {
      issuer,
      ephemeral: store.ephemeral,
      clock,
      lifetimes,
      signingJwks: keySet.verifying.map((k) => keys.privateJwk(k)),
      cookieKeys,
      clientMetadata: options.clientMetadata ?? {},
      trustProxy: options.trustProxy ?? false,
      firstPartyClients: options.firstPartyClients,
      resourceScopes: options.resourceScopes,
      accounts,
      providers: options.providers,
      resourcePolicy: options.resourcePolicy,
      accessTokenSeconds: lifetimes.accessTokenMinutes * 60,
      revokeGrant: revoke,
    });
    bridgeProviderLogs(provider, logger);
    // A refresh token revoked (gatehouse logout) revokes its grant inside oidc-provider.
    provider.on('grant.revoked', (_ctx: unknown, grantId: string) => void announceRevoked(grantId));
    return { provider, callback: provider.callback() };
  };

  let keySet = await keys.load();
  let current: Promise<Built> | undefined;
  const ensure = () => {
    // A failed build (a key that does not open) is tried again on the next request.
    current ??= build(keySet).catch((error: unknown) => {
      current = undefined;
      throw error;
    });
    return current;
  };
  const signature = (k: KeySet) => k.verifying.map((v) => `${v.kid}:${v.retiredAt ?? ''}`).join(',');
  // Another node rotated (or a first start raced): rebuild with the keys as stored, one at a time.
  let reloading = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      const next = await keys.load();
      if (signature(next) === signature(keySet)) return;
      keySet = next;
      if (current) current = build(next);
      logger.info({ kid: next.current.kid }, 'authorization server signing keys reloaded');
    });
    return reloading.catch((error) => logger.error({ err: error }, 'reloading signing keys failed'));
  };
  const unsubscribe = store.onChange((event) => {
    if (event.topic === SIGNING_KEYS.topic) void reload();
  });

  const pending = expiringCollection(store.ephemeral, PENDING_LOGINS);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const { provider, callback } = await ensure();
      if (req.url?.startsWith('/login/')) {
        await handleLogin(
          {
            issuer,
            provider: () => provider,
            providers: options.providers,
            accounts,
            resourcePolicy: options.resourcePolicy,
            pending,
            logger,
          },
          req,
          res,
        );
        return;
      }
      await callback(req, res);
    } catch (error) {
      logger.error({ err: error, path: req.url?.split('?')[0] }, 'authorization server request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: 'server_error', error_description: 'the authorization server failed' }),
        );
      } else res.destroy();
    }
  };

  return {
    issuer,
    handle,
    mount: {
      kind: 'oauth',
      hosts: [authHostOf(issuer)],
      paths: {
        prefixes: ['/oauth', '/login'],
        exact: ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'],
      },
      request: (exchange) => {
        exchange.label('oauth');
        return handle(exchange.req, exchange.res);
      },
    },
    jwks: async () => publicJwks(keySet),
    grantActive: (grantId) => grantExists(store.ephemeral, grantId),
    signAssertion: async (claims, audience) => {
      const now = Math.floor(clock() / 1000);
      const key = keySet.current;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + ASSERTION_SECONDS)
        .setJti(randomUUID())
        .sign(await importJWK(keys.privateJwk(key), SIGNING_ALG));
    },
    rotateSigningKey: async () => {
      await keys.rotate();
      await reload();
    },
    close: async () => {
      unsubscribe();
      await reloading;
    },
  };
}
