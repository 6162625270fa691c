import type { JSONWebKeySet } from 'jose';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { answerError, type Exchange } from '../../http/exchange.ts';
import { publicScheme } from '../../http/forwarded.ts';
import type { Guard, GuardPolicy, GuardVerdict } from '../../routes/guard.ts';
import type { Routed } from '../../routes/routed.ts';
import { evaluate, isPublicPath, missingScopes, requiredScopes } from '../identity/policy.ts';
import { isBrowserNavigation, isGatehouseCookie, type RouteLogin } from '../sessions/route-login.ts';
import { accessDenied, scopeInsufficient, tokenInvalid, tokenMissing } from './challenge.ts';
import { headerSafe, identityHeaderNames, spoofedIdentityHeader } from './identity-headers.ts';
import { cachedJwks } from './jwks-cache.ts';
import {
  metadataDocument,
  metadataSubject,
  metadataUrl,
  sendMetadata,
} from './protected-resource-metadata.ts';
import { authOf, isProtected, type ProtectedRoute } from './protected-routes.ts';
import { rewriteRequestHeaders } from './request-rewrite.ts';
import { requestResourceUrl } from './resource-url.ts';
import { identityOfToken, tokenScopes } from './token-identity.ts';
import { TokenRejected, verifyAccessToken } from './token-verifier.ts';
import { rememberIdentity } from './verified-identity.ts';

/** Signs the identity assertion for an upstream: a short-lived JWT with the gateway's keys. */
export type SignAssertion = (claims: Record<string, unknown>, audience: string) => Promise<string>;

/** What a protected route's guard needs from the authorization server and the process. */
export interface RouteAuthDeps {
  /** The authorization server's issuer (`https://<auth-host>`); tokens must name it. */
  readonly issuer: string;
  /** Its public keys. */
  readonly jwks: () => Promise<JSONWebKeySet>;
  /** False for a revoked grant. */
  readonly grantActive: (gid: string) => Promise<boolean>;
  readonly signAssertion: SignAssertion;
  readonly clock: Clock;
  /** Honour `X-Forwarded-Proto` for the resource URL's scheme (behind a trusted proxy). */
  readonly trustForwarded?: boolean;
  /** False while the authorization server is not running: protected routes then answer 503. */
  readonly available?: () => boolean;
  /**
   * Browser sessions on protected hosts: a session's token stands in for a bearer token, and a
   * browser without either is sent to log in. Without it, browsers are treated as API clients.
   */
  readonly login?: RouteLogin | undefined;
  /**
   * A browser (GET, `Accept: text/html`) without a token or session, when there is no `login`:
   * must answer the exchange. Without either, browsers get the same 401 as API clients.
   */
  readonly onNoSession?: (exchange: Exchange, routed: Routed) => void | Promise<void>;
}

/**
 * The guards of every routed exchange: client-sent identity headers are always removed, and a
 * route with `auth` (when `deps` is given) needs a valid token. Without `deps`, protected routes
 * answer 503: they never pass unchecked.
 */
export function routeAuthGuards(deps: RouteAuthDeps | undefined): GuardPolicy {
  const guard = deps ? protectedRouteGuard(deps) : unavailable;
  const strip: Guard = (exchange, routed) => {
    rewriteRequestHeaders(exchange.req, spoofedIdentityHeader(authOf(routed.route)?.headerPrefix));
    return 'pass';
  };
  return (routed) => (isProtected(routed.route) ? [strip, guard] : [strip]);
}

const unavailable: Guard = (exchange) => {
  answerError(
    exchange,
    new GatehouseError(
      'AUTH_UNAVAILABLE',
      'this route needs login, but no authorization server is configured',
    ),
  );
  return 'answered';
};

/** The guard of a route with `auth`: metadata, public paths, then a bearer token for the route's resource. */
export function protectedRouteGuard(deps: RouteAuthDeps): Guard {
  const keys = cachedJwks(deps.jwks, deps.clock);
  return async (exchange, routed): Promise<GuardVerdict> => {
    if (deps.available && !deps.available()) return unavailable(exchange, routed);
    const route = routed.route as ProtectedRoute;
    const { auth } = route;
    const path = exchange.target.path;
    const resource = requestResourceUrl(exchange, route.path, publicScheme(exchange, deps.trustForwarded));
    const metadata = metadataUrl(resource);
    if (metadataSubject(path) === route.path) {
      sendMetadata(exchange, metadataDocument(route, resource, deps.issuer));
      return 'answered';
    }
    const login = deps.login;
    const base = route.path === '/' ? '' : route.path.replace(/\/$/, '');
    if (login && exchange.type === 'request' && (await login.answerOwnPath(exchange, base)))
      return 'answered';
    if (isPublicPath(auth, path)) return 'pass';
    if (auth.corsPreflight && isPreflight(exchange)) return 'pass';
    const bearer = bearerToken(exchange.req.headers.authorization);
    // Without a bearer token, a browser's session carries one for this route's resource.
    const session = bearer === undefined && login ? await login.session(exchange, base) : undefined;
    const token = bearer ?? (session ? await login!.accessToken(session) : undefined);
    const toLogin = async (): Promise<GuardVerdict> => {
      if (login && exchange.type === 'request' && isBrowserNavigation(exchange))
        await login.sendToLogin(exchange, resource, Object.keys(auth.scopes), base);
      else if (!login && deps.onNoSession && isBrowserNavigation(exchange))
        await deps.onNoSession(exchange, routed);
      else refuse(exchange, tokenMissing(metadata));
      return 'answered';
    };
    if (token === undefined) return toLogin();
    let claims: Awaited<ReturnType<typeof verifyAccessToken>>;
    try {
      claims = await verifyAccessToken(token, { ...deps, keys, audience: resource });
    } catch (error) {
      if (!(error instanceof TokenRejected)) throw error;
      // A session whose token no longer holds (its grant revoked, another route's resource): log in again.
      if (session) return toLogin();
      refuse(exchange, tokenInvalid(metadata, error.message));
      return 'answered';
    }
    // The policy as it is now, not as it was at login: a removal from the list applies at once.
    const who = identityOfToken(claims);
    const now = evaluate(auth, who);
    if (!now.allowed) {
      refuse(exchange, accessDenied(claims.login, exchange.host));
      return 'answered';
    }
    // What the token was given and the policy still gives: a scope taken away is gone at once.
    const asked = tokenScopes(claims);
    const granted = now.scopes.filter((scope) => asked.includes(scope));
    const required = requiredScopes(auth, path);
    const missing = missingScopes(required, granted);
    if (missing.length > 0) {
      refuse(exchange, scopeInsufficient(metadata, required, missing));
      return 'answered';
    }
    rememberIdentity(exchange.req, who);
    const names = identityHeaderNames(auth.headerPrefix);
    const assertion = await deps.signAssertion(
      {
        sub: claims.sub,
        login: claims.login,
        ...(who.email ? { email: who.email } : {}),
        ...(typeof claims['name'] === 'string' ? { name: claims['name'] } : {}),
        scope: granted.join(' '),
      },
      resource,
    );
    const set: [string, string][] = [[names.user, headerSafe(claims.login) ?? '']];
    const email = headerSafe(who.email);
    if (email) set.push([names.email, email]);
    // A readable name to show; never one to decide by (an OIDC person's login is their sub).
    const name = typeof claims['name'] === 'string' ? headerSafe(claims['name']) : undefined;
    if (name) set.push([names.name, name]);
    set.push([names.scopes, granted.join(' ')], [names.assertion, assertion]);
    // The token was for this gateway; the upstream gets the assertion instead (no token passthrough).
    // Gatehouse's own cookies stay here too: the upstream could replay a session cookie.
    const cookies = withoutGatehouseCookies(exchange.req.headers.cookie);
    if (cookies !== undefined && cookies !== '') set.push(['cookie', cookies]);
    rewriteRequestHeaders(
      exchange.req,
      (name) => name === 'authorization' || (cookies !== undefined && name === 'cookie'),
      set,
    );
    return 'pass';
  };
}

/** The Cookie header without Gatehouse's own cookies; undefined when it had none of them to drop. */
function withoutGatehouseCookies(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const parts = header
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  const kept = parts.filter(
    (p) => !isGatehouseCookie(p.slice(0, p.indexOf('=') === -1 ? p.length : p.indexOf('='))),
  );
  return kept.length === parts.length ? undefined : kept.join('; ');
}

/** Answers with the error; browser-readable from other origins, so web clients can follow the challenge. */
function refuse(exchange: Exchange, error: GatehouseError): void {
  if (exchange.type === 'request' && !exchange.res.headersSent) {
    exchange.res.setHeader('access-control-allow-origin', '*');
    exchange.res.setHeader('access-control-expose-headers', 'WWW-Authenticate');
  }
  answerError(exchange, error);
}

/** The token of an `Authorization: Bearer` header (RFC 6750 section 2.1), scheme case-insensitive. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}

function isPreflight(exchange: Exchange): boolean {
  const { req } = exchange;
  return (
    exchange.type === 'request' &&
    req.method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    req.headers['access-control-request-method'] !== undefined
  );
}
