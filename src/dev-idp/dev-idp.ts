import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import Provider from 'oidc-provider';
import { grantIdsOf, revokeGrant } from '../auth/server/store-adapter.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import { sendPage } from '../http/html-page.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { handleInteraction } from './interactions.ts';
import { INTERACTION_PATH, isLoopbackRedirect, issuerConfiguration } from './issuer-config.ts';
import { issuerKeys } from './issuer-keys.ts';
import { homePage, problemPage } from './pages.ts';
import type { Person } from './people.ts';

/** The one client the stand-in knows: Gatehouse. Not secret: the issuer logs anyone in anyway. */
export const DEV_IDP_CLIENT = { id: 'gatehouse', secret: 'dev-idp-secret' } as const;

/** What {@link startDevIdp} is given. */
export interface DevIdpOptions {
  /** The address to listen on: loopback unless `allowRemote`. */
  readonly host: string;
  /** The port; 0 takes a free one. */
  readonly port: number;
  /** Listen beyond loopback too: whoever reaches it logs in as anyone. */
  readonly allowRemote?: boolean | undefined;
  /** The URL clients reach it at, given the port it got; `http://<host>:<port>` by default. */
  readonly issuer?: string | ((port: number) => string) | undefined;
  /** The people, by sub; read at each login and token, so a change to the map shows at once. */
  readonly people: ReadonlyMap<string, Person>;
  /** Where it may send people back; for http on loopback any port, as RFC 8252 allows native apps. */
  readonly redirectUris: readonly string[];
  /** Where its keys and records stay across runs; `:memory:` keeps nothing. */
  readonly dataDir: string;
  readonly accessTokenSeconds?: number | undefined;
  readonly clock?: Clock | undefined;
  /** Told of each login, for the terminal. */
  readonly onLogin?: ((person: Person, clientId: string) => void) | undefined;
  /** Told of errors inside the issuer, which its pages show only as "server_error". */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** A running stand-in issuer. */
export interface DevIdp {
  /** Its issuer URL, no trailing slash. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly people: ReadonlyMap<string, Person>;
  /** Ends every login a person has (grants, codes and tokens), as an issuer revoking access would; resolves with how many. */
  revoke(sub: string): Promise<number>;
  stop(): Promise<void>;
}

/** True for an address on this machine only. */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address);
}

function refuseRemote(host: string): GatehouseError {
  return new GatehouseError(
    'DEV_IDP_NOT_LOOPBACK',
    `${host} is not a loopback address: the stand-in logs in anyone who reaches it as anyone, so it listens ` +
      'on 127.0.0.1 or ::1 only. Use --host 127.0.0.1, or --allow-remote on a network you trust entirely.',
  );
}

/** Starts the stand-in OpenID Connect issuer. */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const { host, people } = options;
  if (!options.allowRemote && isIP(host) !== 0 && !isLoopbackAddress(host)) throw refuseRemote(host);
  // Until the issuer is ready (and known to be on loopback), connections are dropped unanswered.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.destroy();
  const server = createServer((req, res) => handler(req, res));
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  // A name (localhost, the machine's own) is judged by the address it was bound to.
  const refusal = !options.allowRemote && !isLoopbackAddress(bound.address);
  const url = issuerUrl(options.issuer, host, bound.port);
  if (refusal || !url) {
    await closeServer();
    throw refusal
      ? refuseRemote(`${host} (${bound.address})`)
      : new GatehouseError(
          'DEV_IDP_OPTION_INVALID',
          `listening on ${host} names no address clients can reach: give the URL they reach it at with --issuer`,
        );
  }
  const store = SqliteStore.open(options.dataDir);
  const clock = options.clock ?? systemClock;
  let provider: Provider;
  try {
    provider = new Provider(
      url,
      issuerConfiguration({
        client: clientOf(options.redirectUris),
        people,
        keys: await issuerKeys(store.ephemeral),
        ephemeral: store.ephemeral,
        clock,
        accessTokenSeconds: options.accessTokenSeconds ?? 3600,
      }),
    );
  } catch (error) {
    await closeServer();
    await store.close();
    throw error;
  }
  provider.on('server_error', (_ctx, error) => options.onError?.(error));
  const callback = provider.callback();
  const interactions = { provider, people, onLogin: options.onLogin };
  const answer = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (path === '/' && req.method === 'GET') return sendPage(res, 200, homePage(url, people.values()));
    if (path.startsWith(`${INTERACTION_PATH}/`)) return handleInteraction(interactions, req, res, path);
    return callback(req, res);
  };
  handler = (req, res) =>
    void answer(req, res, (req.url ?? '/').split('?')[0]!).catch((error: unknown) => {
      options.onError?.(error);
      if (res.headersSent) res.destroy();
      else sendPage(res, 500, problemPage('Login failed', 'The stand-in failed: see its terminal.'));
    });
  return {
    url,
    clientId: DEV_IDP_CLIENT.id,
    clientSecret: DEV_IDP_CLIENT.secret,
    redirectUris: options.redirectUris,
    people,
    revoke: async (sub) => {
      const grants = await grantIdsOf(store.ephemeral, sub);
      for (const grantId of grants) await revokeGrant(store.ephemeral, clock, grantId);
      return grants.length;
    },
    stop: async () => {
      await closeServer();
      await store.close();
    },
  };
}

/**
 * Gatehouse as a client: confidential, code flow with refresh tokens. With every redirect URI on
 * loopback it is a native client, whose http loopback redirect URIs take any port (RFC 8252 §7.3).
 */
function clientOf(redirectUris: readonly string[]) {
  return {
    client_id: DEV_IDP_CLIENT.id,
    client_secret: DEV_IDP_CLIENT.secret,
    redirect_uris: [...redirectUris],
    application_type: redirectUris.every(isLoopbackRedirect) ? 'native' : 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  } as const;
}

/** The issuer URL: as given, else `http://<host>:<port>`; undefined for a wildcard address. */
function issuerUrl(given: DevIdpOptions['issuer'], host: string, port: number): string | undefined {
  if (given !== undefined) return (typeof given === 'string' ? given : given(port)).replace(/\/+$/, '');
  if (host === '0.0.0.0' || host === '::') return undefined;
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
