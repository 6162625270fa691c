import { createHash, randomBytes } from 'node:crypto';
import { isPublicPath } from '../../auth/identity/policy.ts';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { type SealingKey, seal, unseal } from '../../core/sealing.ts';
import type { RouteOf } from '../../routes/route.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import { discoverUpstream, fetchJson, type UpstreamAuthorization } from './upstream-discovery.ts';

/** Where, below an mcp route's path, Gatehouse's own pages for upstream logins live. */
export const UPSTREAM_PATHS = {
  connect: '/.gatehouse/mcp-connect',
  callback: '/.gatehouse/mcp-callback',
  client: '/.gatehouse/mcp-client.json',
} as const;

const YEAR_MS = 365 * 24 * 3600 * 1000;
const PENDING_MS = 10 * 60 * 1000;
const NS = { client: 'mcp-upstream-client', pending: 'mcp-upstream-state', tokens: 'mcp-upstream-token' };

/** Gatehouse's registration at an upstream's authorization server, for one route and callback. */
interface Registration extends UpstreamAuthorization {
  readonly clientId: string;
  readonly redirectUri: string;
}

/** A login under way: whose, for which route, with which PKCE verifier. */
interface Pending {
  readonly routeId: string;
  readonly caller: string;
  readonly verifier: string;
  readonly redirectUri: string;
}

/** A person's upstream tokens, stored sealed. */
interface Tokens {
  readonly access: string;
  readonly refresh?: string | undefined;
  readonly expiresAt: number | undefined;
}

/**
 * Each person's own login at an mcp route's upstream: Gatehouse is the upstream's OAuth client
 * (known by its Client ID Metadata Document where the upstream supports one, else registered),
 * sends the person through the upstream's consent once, keeps their tokens sealed in the store
 * (every node reads them), and refreshes them.
 */
export class UpstreamLogins {
  readonly #ephemeral: EphemeralRepository;
  readonly #key: () => SealingKey | undefined;
  readonly #clock: Clock;

  constructor(ephemeral: EphemeralRepository, key: () => SealingKey | undefined, clock: Clock) {
    this.#ephemeral = ephemeral;
    this.#key = key;
    this.#clock = clock;
  }

  /** Refreshes under way, by route and person: one at a time, as a rotated refresh token is good once. */
  readonly #refreshing = new Map<string, Promise<string | undefined>>();

  /** The person's access token for the upstream, refreshed when it has run out; undefined: they must connect. */
  tokenFor(route: RouteOf<'mcp'>, caller: string): Promise<string | undefined> {
    const key = `${route.id}:${caller}`;
    const running = this.#refreshing.get(key);
    if (running) return running;
    const next = this.#currentToken(route, caller).finally(() => this.#refreshing.delete(key));
    this.#refreshing.set(key, next);
    return next;
  }

  async #currentToken(route: RouteOf<'mcp'>, caller: string): Promise<string | undefined> {
    const tokens = await this.#tokens(route.id, caller);
    if (!tokens) return undefined;
    if (tokens.expiresAt === undefined || tokens.expiresAt > this.#clock() + 30_000) return tokens.access;
    if (!tokens.refresh) return undefined;
    const registration = await this.#registration(route.id);
    if (!registration) return undefined;
    const answer = await fetchJson(registration.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh,
        client_id: registration.clientId,
        resource: registration.resource,
      }).toString(),
    }).catch(() => undefined);
    if (!answer || typeof answer['access_token'] !== 'string') {
      await this.forget(route.id, caller);
      return undefined;
    }
    return (await this.#save(route.id, caller, answer, tokens.refresh)).access;
  }

  /** Forgets a person's upstream tokens (the upstream refused them): they connect again. */
  async forget(routeId: string, caller: string): Promise<void> {
    await this.#ephemeral.delete(NS.tokens, `${routeId}:${caller}`);
  }

  /** The upstream authorization URL that begins `caller`'s login; registers Gatehouse first when needed. */
  async start(route: RouteOf<'mcp'>, caller: string, base: string): Promise<string> {
    if (!route.mcp.target)
      throw new GatehouseError(
        'VALIDATION_FAILED',
        'per-person upstream logins need an MCP server reached by URL (mcp.target), not through a tunnel',
        { field: 'mcp.credential' },
      );
    const redirectUri = `${base}${UPSTREAM_PATHS.callback}`;
    // The upstream fetches the document without logging in: only a public path can serve it.
    const prefix = route.path === '/' ? '' : route.path;
    const documentUrl = isPublicPath(route.auth, `${prefix}${UPSTREAM_PATHS.client}`)
      ? `${base}${UPSTREAM_PATHS.client}`
      : undefined;
    const registration = await this.#register(route, redirectUri, documentUrl);
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(24).toString('base64url');
    const pending: Pending = { routeId: route.id, caller, verifier, redirectUri };
    await this.#ephemeral.put(NS.pending, state, JSON.stringify(pending), PENDING_MS);
    const credential = route.mcp.credential;
    const scopes =
      (credential && 'oauth' in credential ? credential.oauth.scopes : undefined) ?? registration.scopes;
    const url = new URL(registration.authorizationEndpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: registration.clientId,
      redirect_uri: redirectUri,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
      resource: registration.resource,
      ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    }).toString();
    return url.href;
  }

  /** Completes a login from the upstream's answer; the person must be the one who began it. */
  async finish(route: RouteOf<'mcp'>, caller: string, query: URLSearchParams): Promise<void> {
    const state = query.get('state') ?? '';
    const raw = await this.#ephemeral.get(NS.pending, state);
    await this.#ephemeral.delete(NS.pending, state);
    const pending = raw ? (JSON.parse(raw) as Pending) : undefined;
    if (!pending || pending.routeId !== route.id || pending.caller !== caller)
      throw new GatehouseError(
        'LOGIN_STATE_INVALID',
        'this upstream login was not begun here by you, or took too long: connect again',
      );
    const registration = await this.#registration(route.id);
    if (!registration)
      throw new GatehouseError('LOGIN_STATE_INVALID', 'the upstream registration is gone: connect again');
    const error = query.get('error');
    if (error)
      throw new GatehouseError(
        'LOGIN_DECLINED',
        `the upstream refused: ${query.get('error_description') ?? error}`,
      );
    const iss = query.get('iss');
    // RFC 9207: an answer naming another issuer is a mix-up; one that should name it must.
    if ((iss !== null && iss !== registration.issuer) || (iss === null && registration.issParameter))
      throw new GatehouseError(
        'LOGIN_STATE_INVALID',
        `the answer did not come from ${registration.issuer}: connect again`,
      );
    const answer = await fetchJson(registration.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: query.get('code') ?? '',
        redirect_uri: pending.redirectUri,
        client_id: registration.clientId,
        code_verifier: pending.verifier,
        resource: registration.resource,
      }).toString(),
    });
    if (!answer || typeof answer['access_token'] !== 'string')
      throw new GatehouseError(
        'LOGIN_CODE_INVALID',
        `${registration.issuer} did not give a token for the code: connect again`,
      );
    await this.#save(route.id, caller, answer, undefined);
  }

  async #register(
    route: RouteOf<'mcp'>,
    redirectUri: string,
    documentUrl: string | undefined,
  ): Promise<Registration> {
    const known = await this.#registration(route.id);
    if (known && known.redirectUri === redirectUri) return known;
    const found = await discoverUpstream(route.mcp.target!);
    let clientId: string | undefined;
    // A Client ID Metadata Document needs an https URL the upstream can fetch; else register (RFC 7591).
    if (found.cimd && documentUrl?.startsWith('https://')) clientId = documentUrl;
    else if (found.registrationEndpoint) {
      const registered = await fetchJson(found.registrationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(clientDocument(redirectUri)),
      });
      clientId = typeof registered?.['client_id'] === 'string' ? registered['client_id'] : undefined;
    }
    if (!clientId)
      throw new GatehouseError(
        'UPSTREAM_UNREACHABLE',
        `${found.issuer} neither accepts a client metadata document from here nor registers clients: give the route a credential instead`,
      );
    const registration: Registration = { ...found, clientId, redirectUri };
    await this.#ephemeral.put(NS.client, route.id, JSON.stringify(registration), YEAR_MS);
    return registration;
  }

  async #registration(routeId: string): Promise<Registration | undefined> {
    const raw = await this.#ephemeral.get(NS.client, routeId);
    return raw ? (JSON.parse(raw) as Registration) : undefined;
  }

  async #tokens(routeId: string, caller: string): Promise<Tokens | undefined> {
    const key = this.#key();
    const raw = key ? await this.#ephemeral.get(NS.tokens, `${routeId}:${caller}`) : undefined;
    const opened = raw && key ? unseal(key, raw, `${routeId}:${caller}:upstream tokens`) : undefined;
    return opened ? (JSON.parse(opened) as Tokens) : undefined;
  }

  async #save(
    routeId: string,
    caller: string,
    answer: Record<string, unknown>,
    refresh: string | undefined,
  ): Promise<Tokens> {
    const key = this.#key();
    if (!key)
      throw new GatehouseError(
        'AUTH_SECRET_KEY_MISSING',
        'upstream tokens are stored sealed: set GATEHOUSE_SECRET_KEY',
      );
    const lifetime = typeof answer['expires_in'] === 'number' ? answer['expires_in'] * 1000 : undefined;
    const tokens: Tokens = {
      access: answer['access_token'] as string,
      refresh: typeof answer['refresh_token'] === 'string' ? answer['refresh_token'] : refresh,
      expiresAt: lifetime === undefined ? undefined : this.#clock() + lifetime,
    };
    const sealed = seal(key, JSON.stringify(tokens), `${routeId}:${caller}:upstream tokens`);
    await this.#ephemeral.put(NS.tokens, `${routeId}:${caller}`, sealed, YEAR_MS);
    return tokens;
  }
}

/** Gatehouse as an OAuth client of an upstream: its registration, and its Client ID Metadata Document. */
export function clientDocument(redirectUri: string, clientId?: string) {
  return {
    ...(clientId ? { client_id: clientId } : {}),
    client_name: 'Gatehouse',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}
