import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import * as oauth from 'openid-client';
import { fetch as undiciFetch } from 'undici';
import { CLI_CLIENT_ID } from '../auth/identity/client-ids.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import { ConfigError } from '../core/config-error.ts';
import { GatehouseError } from '../core/errors.ts';
import { isLocalhostName, outboundAgent } from '../http/outbound.ts';
import type { SavedLogin } from './saved-logins.ts';

/** The client id Gatehouse's authorization server knows its own CLI by (a public client). */

/** Scopes the CLI asks for: its own tunnels, admin when the person is one, and a refresh token. */
export const CLI_SCOPES = 'user admin offline_access';

/** Refresh an access token this long before it expires. */
const REFRESH_EARLY_MS = 60_000;

/** A saved login the server no longer accepts; `fatal` tells the agent to stop rather than retry. */
export class LoginEndedError extends GatehouseError<'LOGIN_ENDED'> {
  readonly fatal = true;
  constructor(message: string, cause?: unknown) {
    super('LOGIN_ENDED', message, cause === undefined ? undefined : { cause });
  }
}

/** The resource (RFC 8707) the CLI's tokens are for: the server's own API. */
export function apiResource(server: URL): string {
  return `${server.origin}/api`;
}

/** True for servers on this machine, the only ones plain http is accepted for. */
function isLoopback(server: URL): boolean {
  return ['127.0.0.1', '[::1]'].includes(server.hostname) || isLocalhostName(server.hostname);
}

/** How to reach one Gatehouse's authorization server. */
export interface ServerAccess {
  readonly server: URL;
  /** A private CA (PEM file) to trust besides the system's. */
  readonly caFile?: string | undefined;
}

/** The authorization server's configuration, found by RFC 8414 discovery on the server's origin. */
export async function discover(access: ServerAccess): Promise<oauth.Configuration> {
  const { server } = access;
  if (server.protocol !== 'https:' && !isLoopback(server))
    throw new ConfigError(
      `${server.origin} is plain http: log in only over https (http is accepted for localhost)`,
      { field: 'server' },
    );
  const ca = access.caFile ? readFileSync(access.caFile) : undefined;
  // undici's own fetch, with the CLI's dispatcher: `*.localhost` is loopback (as in a browser,
  // where Node's fetch would ask DNS), and a private CA is trusted.
  const dispatcher = outboundAgent({ ca });
  const outbound = (url: string, options: oauth.CustomFetchOptions) =>
    undiciFetch(url, { ...options, dispatcher } as never) as unknown as Promise<Response>;
  const config = await oauth.discovery(new URL(server.origin), CLI_CLIENT_ID, undefined, oauth.None(), {
    algorithm: 'oauth2',
    ...(server.protocol === 'http:' ? { execute: [oauth.allowInsecureRequests] } : {}),
    [oauth.customFetch]: outbound,
  });
  config[oauth.customFetch] = outbound;
  return config;
}

/** What the person is asked to do in the browser. */
export interface DevicePrompt {
  readonly url: string;
  readonly userCode: string;
  readonly expiresInSeconds: number;
}

/**
 * The device flow (RFC 8628): asks for a code, tells the person where to approve it, and waits
 * (polling at the pace the server sets) until they do, refuse, or the code expires.
 */
export async function deviceLogin(
  config: oauth.Configuration,
  server: URL,
  prompt: (p: DevicePrompt) => void | Promise<void>,
  signal: AbortSignal,
  now: Clock = systemClock,
): Promise<SavedLogin> {
  const device = await oauth.initiateDeviceAuthorization(config, {
    scope: CLI_SCOPES,
    resource: apiResource(server),
  });
  await prompt({
    url: device.verification_uri_complete ?? device.verification_uri,
    userCode: device.user_code,
    expiresInSeconds: device.expires_in,
  });
  const tokens = await oauth.pollDeviceAuthorizationGrant(config, device, undefined, { signal });
  return savedFrom(server, tokens, undefined, now);
}

/** The saved login, its access token refreshed (and the rotated refresh token kept) when due. */
export async function freshLogin(
  config: oauth.Configuration,
  login: SavedLogin,
  now: Clock = systemClock,
): Promise<SavedLogin> {
  if (login.expiresAt - REFRESH_EARLY_MS > now()) return login;
  // Without a refresh token nothing but a new login helps: the agent stops instead of retrying.
  if (!login.refreshToken)
    throw new LoginEndedError(`your login to ${login.server} has expired: run gatehouse login again`);
  try {
    const tokens = await oauth.refreshTokenGrant(config, login.refreshToken, {
      resource: apiResource(new URL(login.server)),
    });
    return savedFrom(new URL(login.server), tokens, login.refreshToken, now);
  } catch (error) {
    // The server said no (the token was revoked or reused): only a new login helps. Anything else
    // (the server unreachable) is passed on as it is, to be retried.
    if (!(error instanceof oauth.ResponseBodyError)) throw error;
    throw new LoginEndedError(
      `your login to ${login.server} has ended (${error.error}): run gatehouse login --server ${login.server} again`,
      error,
    );
  }
}

function savedFrom(
  server: URL,
  tokens: oauth.TokenEndpointResponse,
  previousRefresh: string | undefined,
  now: () => number,
): SavedLogin {
  const claims = decodeJwt(tokens.access_token);
  const refreshToken = tokens.refresh_token ?? previousRefresh;
  return {
    server: server.origin,
    login: typeof claims['login'] === 'string' ? claims['login'] : String(claims.sub ?? 'you'),
    accessToken: tokens.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: now() + (tokens.expires_in ?? 300) * 1000,
  };
}

/** Revokes the login's refresh token (RFC 7009); failures are the caller's to report or ignore. */
export async function revokeLogin(config: oauth.Configuration, login: SavedLogin): Promise<void> {
  if (login.refreshToken)
    await oauth.tokenRevocation(config, login.refreshToken, { token_type_hint: 'refresh_token' });
}
