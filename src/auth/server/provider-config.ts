import type Provider from 'oidc-provider';
import type { ClientMetadata, Configuration } from 'oidc-provider';
import type { Clock } from '../../core/clock.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import type { Lifetimes } from './lifetimes.ts';
import { LARGEST_DOCUMENT_BYTES, type MetadataFetchOptions, metadataFetch } from './metadata-fetch.ts';
import { deviceSuccessPage, errorPage, userCodeConfirmPage, userCodeInputPage } from './pages.ts';
import { resourceScopes } from './resource-scopes.ts';
import { StoreAdapter } from './store-adapter.ts';
import {
  extraTokenClaims,
  findAccount,
  invalidGrant,
  resourceServerInfo,
  type TokenPolicyDeps,
} from './token-policy.ts';

/** Where oidc-provider's endpoints live on the auth host: all under `/oauth` but the well-known ones. */
export const OAUTH_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  jwks: '/oauth/jwks',
  registration: '/oauth/register',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  userinfo: '/oauth/userinfo',
  code_verification: '/oauth/device',
  device_authorization: '/oauth/device/auth',
  end_session: '/oauth/logout',
  pushed_authorization_request: '/oauth/par',
  backchannel_authentication: '/oauth/backchannel',
  challenge: '/oauth/challenge',
  credential: '/oauth/credential',
} as const;

/** Where the interaction (login) pages live; oidc-provider scopes its interaction cookie to it. */
export const INTERACTION_PATH = '/login/interaction';

/** What the oidc-provider instance is built from. */
export interface ProviderSettings extends Omit<TokenPolicyDeps, 'errors'> {
  readonly issuer: string;
  readonly ephemeral: EphemeralRepository;
  readonly clock: Clock;
  readonly lifetimes: Lifetimes;
  /** Private JWKs, the current one first. */
  readonly signingJwks: readonly Record<string, unknown>[];
  /** Keys of the signed cookies: the same on every node. */
  readonly cookieKeys: readonly string[];
  readonly clientMetadata: MetadataFetchOptions;
  /** Behind another proxy: believe its `X-Forwarded-Proto`/`-Host`. */
  readonly trustProxy: boolean;
  /** Clients that are Gatehouse itself (its protected hosts, its CLI), known without registering. */
  readonly firstPartyClients?: readonly FirstPartyClient[] | undefined;
  /** The scopes resources advertise now (routes change): registrations may name them. */
  readonly resourceScopes?: (() => readonly string[]) | undefined;
}

/**
 * A client that is part of Gatehouse. `redirectAllowed` replaces the exact-match check for it:
 * the protected hosts' client comes back to whichever protected host started the login, a set
 * that changes with the routes; the admin app to whichever admin host it was opened on.
 * `originAllowed` replaces the CORS check of its token and revocation calls (by default, the
 * origins of its registered redirect URIs).
 */
export interface FirstPartyClient {
  readonly metadata: ClientMetadata;
  readonly redirectAllowed?: (uri: string) => boolean;
  readonly originAllowed?: (origin: string) => boolean;
}

const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'];

/** Builds the oidc-provider instance: every choice the README's authorization-server section lists. */
export function createProvider(oidc: typeof import('oidc-provider'), base: ProviderSettings): Provider {
  const { errors } = oidc;
  const settings = { ...base, errors };
  const { lifetimes } = settings;
  const accessSeconds = lifetimes.accessTokenMinutes * 60;
  const refreshSeconds = lifetimes.refreshTokenDays * 86_400;
  const onReplay = async (_model: string, payload: { grantId?: string | undefined }): Promise<never> => {
    if (payload.grantId) await settings.revokeGrant(payload.grantId);
    throw invalidGrant(errors, 'this code or token was already used: the whole grant is now revoked');
  };
  const origins = new Map(
    (settings.firstPartyClients ?? []).flatMap((c) =>
      c.originAllowed ? [[c.metadata.client_id, c.originAllowed] as const] : [],
    ),
  );
  const configuration: Configuration = {
    adapter: (name: string) => new StoreAdapter(name, settings.ephemeral, settings.clock, onReplay),
    clients: (settings.firstPartyClients ?? []).map((c) => c.metadata),
    findAccount: findAccount(settings) as unknown as Configuration['findAccount'],
    jwks: { keys: settings.signingJwks as never },
    cookies: { keys: [...settings.cookieKeys] },
    routes: OAUTH_ROUTES,
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    // OAuth 2.1: every client proves possession of its code; oidc-provider knows only S256.
    pkce: { required: () => true },
    scopes: OIDC_SCOPES,
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
    responseTypes: ['code'],
    // Authorization code replays and second uses of a rotated refresh token revoke the grant.
    rotateRefreshToken: true,
    // MCP clients and CLIs get refresh tokens without asking for offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    allowOmittingSingleRegisteredRedirectUri: false,
    extraTokenClaims: extraTokenClaims(settings) as unknown as Configuration['extraTokenClaims'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      introspectionSigningAlgValues: ['ES256'],
      authorizationSigningAlgValues: ['ES256'],
    },
    ttl: {
      AccessToken: accessSeconds,
      IdToken: accessSeconds,
      AuthorizationCode: 60,
      DeviceCode: lifetimes.deviceCodeMinutes * 60,
      RefreshToken: refreshSeconds,
      Grant: refreshSeconds,
      Session: lifetimes.sessionDays * 86_400,
      Interaction: 15 * 60,
      ClientCredentials: accessSeconds,
      BackchannelAuthenticationRequest: 10 * 60,
    },
    clientBasedCORS: (_ctx, origin, client) =>
      origins.get(client.clientId)?.(origin) ??
      client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ??
      false,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage({ ...out });
    },
    fetch: metadataFetch(settings.clientMetadata) as unknown as Configuration['fetch'],
    fetchResponseBodyLimits: {
      'client_id metadata document': settings.clientMetadata.maxBytes ?? 5 * 1024,
      jwks_uri: LARGEST_DOCUMENT_BYTES,
      sector_identifier_uri: LARGEST_DOCUMENT_BYTES,
    },
    features: {
      devInteractions: { enabled: false },
      // Open registration (RFC 7591): MCP clients register themselves; public clients
      // (token_endpoint_auth_method none) are allowed and held to PKCE like everyone.
      registration: { enabled: true, initialAccessToken: false },
      introspection: {
        enabled: true,
        // Resource servers introspect: only confidential clients that authenticated may.
        allowedPolicy: async (ctx) => {
          if (ctx.oidc.client?.clientAuthMethod === 'none')
            throw new errors.InvalidClient(
              'introspection is for confidential clients: register one with a client secret',
            );
          return true;
        },
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.body = userCodeInputPage(form, deviceProblem(err));
        },
        userCodeConfirmSource: async (ctx, form, client, _info, userCode) => {
          ctx.body = userCodeConfirmPage(form, client.clientName ?? client.clientId, userCode);
        },
        successSource: async (ctx) => {
          ctx.body = deviceSuccessPage(
            ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? 'The device',
          );
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: resourceServerInfo(settings) as never,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      ...({
        clientIdMetadataDocument: {
          enabled: true,
          ack: 'draft-02',
          allowFetch: async () => true,
          allowClient: async () => true,
          cacheDuration: { min: 30, max: 3600 },
        },
      } as object),
    },
  };
  const provider = new oidc.default(settings.issuer, configuration);
  provider.proxy = settings.trustProxy;
  provider.use(resourceScopes(OAUTH_ROUTES.registration, settings.resourceScopes ?? (() => [])) as never);
  const checks = new Map(
    (settings.firstPartyClients ?? []).flatMap((c) =>
      c.redirectAllowed ? [[c.metadata.client_id, c.redirectAllowed] as const] : [],
    ),
  );
  if (checks.size > 0) {
    // oidc-provider's documented hook for redirect URIs its exact match cannot express.
    const prototype = provider.Client.prototype as {
      redirectUriAllowed(uri: string): boolean;
      clientId: string;
    };
    const exact = prototype.redirectUriAllowed;
    prototype.redirectUriAllowed = function (this: { clientId: string }, uri: string) {
      const check = checks.get(this.clientId);
      return check ? check(uri) : exact.call(this, uri);
    };
  }
  return provider;
}

/** What the device page tells the person when the code or the login failed. */
function deviceProblem(err: unknown): string | undefined {
  if (!err) return undefined;
  const e = err as { name?: string; userCode?: string; error?: string; error_description?: string };
  if (e.name === 'NoCodeError' || e.userCode !== undefined)
    return 'That code is not valid: check it and type it again.';
  // A refused login ends the device request; the device learns why when it polls.
  if (e.name === 'AbortedError') return 'Not allowed: the login was refused. The device was told why.';
  if (e.error === 'access_denied' || e.error === 'invalid_target')
    return `Not allowed: ${e.error_description ?? e.error}. The device was told so.`;
  return 'The request could not be completed: start again on the device.';
}
