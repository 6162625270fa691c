import type { KoaContextWithOIDC } from 'oidc-provider';
import { GatehouseError } from '../../core/errors.ts';
import { accountIdOf, type UpstreamIdentity } from '../identity/identity.ts';
import { type LoginProviders, resourcesOf } from '../identity/login-providers.ts';
import { isDenied, normalizeResource, type ResourcePolicy } from '../identity/resource-policy.ts';
import type { Accounts } from './accounts.ts';
import { SIGNING_ALG } from './signing-keys.ts';

/** The account oidc-provider works with: its id, the identity, and the claims userinfo gives. */
export interface OAuthAccount {
  readonly accountId: string;
  readonly identity: UpstreamIdentity;
  claims(): Promise<{ sub: string } & Record<string, unknown>>;
}

/** oidc-provider's error classes; the module is loaded on first use (it costs tens of MiB). */
export type OidcErrors = typeof import('oidc-provider').errors;

/** What the token hooks need. */
export interface TokenPolicyDeps {
  readonly errors: OidcErrors;
  readonly accounts: Accounts;
  readonly providers: LoginProviders;
  readonly resourcePolicy: ResourcePolicy;
  readonly accessTokenSeconds: number;
  /** Revokes a whole grant (tokens, codes, the grant) on every node. */
  readonly revokeGrant: (grantId: string) => Promise<void>;
}

/** `invalid_grant` with a description saying why (oidc-provider's own class keeps a fixed one). */
export function invalidGrant(errors: OidcErrors, description: string): Error {
  return new errors.CustomOIDCProviderError('invalid_grant', description);
}

/** The `<provider>:<login>` name policies use for an identity. */
export function loginName(identity: UpstreamIdentity): string {
  return `${identity.provider}:${identity.login}`;
}

function accountOf(accountId: string, identity: UpstreamIdentity): OAuthAccount {
  return {
    accountId,
    identity,
    claims: async () => ({
      sub: accountId,
      preferred_username: loginName(identity),
      ...(identity.name ? { name: identity.name } : {}),
      ...(identity.email ? { email: identity.email, email_verified: true } : {}),
    }),
  };
}

/** The grant a token request works on, whichever grant type it is. */
function grantIdOf(ctx: KoaContextWithOIDC): string | undefined {
  const e = ctx.oidc.entities;
  return (e.RefreshToken ?? e.AuthorizationCode ?? e.DeviceCode)?.grantId;
}

/**
 * `findAccount`: the stored account; on a refresh, the identity is read again first through the
 * app the token's resources log in with (a route's own, or the global one), so a removed
 * membership or a revoked upstream login ends the grant (`invalid_grant`).
 */
export function findAccount(deps: TokenPolicyDeps) {
  return async (
    _ctx: KoaContextWithOIDC,
    sub: string,
    token?: { kind: string; grantId?: string; resource?: unknown },
  ) => {
    const account = await deps.accounts.get(sub);
    if (!account) return undefined;
    if (token?.kind !== 'RefreshToken') return accountOf(sub, account.identity);
    const refuse = async (why: string): Promise<never> => {
      if (token.grantId) await deps.revokeGrant(token.grantId);
      throw invalidGrant(deps.errors, `${why}: log in again`);
    };
    const provider = deps.providers
      .forResources(resourcesOf(token.resource))
      .find((p) => p.id === account.identity.provider);
    if (!provider)
      return refuse(
        `the login provider "${account.identity.provider}" is no longer offered for this resource`,
      );
    const grant = deps.accounts.grantOf(account, provider.clientId);
    if (!grant)
      return refuse(
        `the stored ${provider.label} login is not for the app this resource uses now, or does not open with this secret key`,
      );
    try {
      const login = await provider.reread(grant);
      if (accountIdOf(login.identity) !== sub) return refuse(`${provider.label} now names another person`);
      const saved = await deps.accounts.save(login, provider.clientId);
      return accountOf(sub, saved.identity);
    } catch (error) {
      if (error instanceof GatehouseError && error.code === 'LOGIN_REVOKED')
        return refuse(`${provider.label} no longer accepts this login (${error.message})`);
      throw error;
    }
  };
}

/** The scopes a request names beyond the OpenID ones: what a resource may grant. */
function requestedResourceScopes(ctx: KoaContextWithOIDC): string[] {
  const scope = (ctx.oidc.params?.['scope'] as string | undefined) ?? '';
  return scope.split(' ').filter((s) => s && !['openid', 'offline_access', 'profile', 'email'].includes(s));
}

/**
 * `getResourceServerInfo`: the injected {@link ResourcePolicy} decides audience and scopes once the
 * identity is known. Before login (the authorization request itself) only the URL is checked; the
 * login completes the check. A denial at the token endpoint (a refresh after a membership was
 * removed) revokes the grant.
 */
export function resourceServerInfo(deps: TokenPolicyDeps) {
  return async (ctx: KoaContextWithOIDC, indicator: string) => {
    const resource = URL.parse(indicator);
    if (!resource || !/^https?:$/.test(resource.protocol))
      throw new deps.errors.InvalidTarget(
        'resource must be an absolute http(s) URL: the protected route or API',
      );
    const token = {
      accessTokenFormat: 'jwt',
      accessTokenTTL: deps.accessTokenSeconds,
      jwt: { sign: { alg: SIGNING_ALG } },
    } as const;
    const account = ctx.oidc.entities.Account as OAuthAccount | undefined;
    if (!account)
      return {
        ...token,
        audience: normalizeResource(resource),
        scope: requestedResourceScopes(ctx).join(' '),
      };
    const answer = await deps.resourcePolicy(resource, account.identity, ctx.oidc.client?.clientId);
    if (!answer)
      throw new deps.errors.InvalidTarget(`${indicator} is not a resource this server issues tokens for`);
    if (isDenied(answer)) {
      const grantId = ctx.oidc.route === 'token' ? grantIdOf(ctx) : undefined;
      if (grantId) {
        await deps.revokeGrant(grantId);
        throw invalidGrant(deps.errors, `access to ${indicator} was withdrawn: ${answer.denied}`);
      }
      throw new deps.errors.AccessDenied(answer.denied);
    }
    return { ...token, audience: answer.audience, scope: answer.scopes.join(' ') };
  };
}

/**
 * `extraTokenClaims`: the grant id and the identity, so a guard can decide from the token alone:
 * with the claims the resource's policy reads, the route evaluates with the same facts as here.
 */
export function extraTokenClaims(deps: TokenPolicyDeps) {
  return async (
    ctx: KoaContextWithOIDC,
    token: { kind: string; accountId?: string; grantId?: string; resourceServer?: { audience?: unknown } },
  ) => {
    if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
    const identity =
      (ctx.oidc.entities.Account as OAuthAccount | undefined)?.identity ??
      (await deps.accounts.get(token.accountId))?.identity;
    if (!identity) return undefined;
    const audience = token.resourceServer?.audience;
    const grant =
      typeof audience === 'string' && URL.canParse(audience)
        ? await deps.resourcePolicy(new URL(audience), identity, ctx.oidc.client?.clientId)
        : undefined;
    const claims = grant && !isDenied(grant) ? grant.claims : undefined;
    return {
      ...(claims && Object.keys(claims).length > 0 ? { claims } : {}),
      gid: token.grantId,
      login: loginName(identity),
      ...(identity.email ? { email: identity.email } : {}),
      ...(identity.name ? { name: identity.name } : {}),
      orgs: identity.orgs,
      teams: identity.teams,
      groups: identity.groups,
    };
  };
}
