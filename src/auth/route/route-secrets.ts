import { GatehouseError } from '../../core/errors.ts';
import { type SealingKey, seal, sealingKey, unseal } from '../../core/sealing.ts';
import type { Route } from '../../routes/route.ts';
import type { RouteAuthSettings } from '../../routes/route-auth-settings.ts';
import { authOf } from './protected-routes.ts';

/** What the API shows instead of a stored client secret; sent back, it keeps the stored one. */
export const SECRET_SET = '(set)';
const SEALED = 'sealed:';

/** The key per-route client secrets are sealed with, derived from `GATEHOUSE_SECRET_KEY`. */
export function routeSecretsKey(secret: Buffer): SealingKey {
  return sealingKey(secret, 'gatehouse route auth', 'provider client secrets');
}

// A sealed secret opens only on the route and provider it was sealed for.
const contextOf = (routeId: string, provider: string) => `${routeId}:${provider}`;

/**
 * The route as it is stored: each plain per-route client secret sealed, `(set)` replaced by the
 * one stored before. A sealed value that is not the stored one is refused (it was not made here).
 */
export function sealRouteSecrets(
  next: Route,
  previous: Route | undefined,
  key: () => SealingKey | undefined,
): Route {
  const sealed = sealMcpCredential(next, previous, key);
  const auth = authOf(sealed);
  if (!auth?.providers) return sealed;
  const before = authOf(previous)?.providers ?? {};
  const providers: NonNullable<RouteAuthSettings['providers']> = {};
  for (const [provider, credentials] of Object.entries(auth.providers)) {
    const field = `auth.providers.${provider}.clientSecret`;
    const stored = before[provider]?.clientSecret;
    let secret = credentials.clientSecret;
    if (secret === SECRET_SET) {
      if (!stored)
        throw new GatehouseError(
          'VALIDATION_FAILED',
          `${field}: no secret is stored for ${provider} yet; send the secret itself`,
          { field },
        );
      secret = stored;
    } else if (secret.startsWith(SEALED)) {
      if (secret !== stored)
        throw new GatehouseError(
          'VALIDATION_FAILED',
          `${field}: send the client secret itself, or "${SECRET_SET}" to keep the stored one`,
          { field },
        );
    } else {
      const sealing = key();
      if (!sealing)
        throw new GatehouseError(
          'AUTH_SECRET_KEY_MISSING',
          `${field}: per-route client secrets are stored sealed; set GATEHOUSE_SECRET_KEY (the same on every node)`,
          { field },
        );
      secret = SEALED + seal(sealing, secret, contextOf(next.id, provider));
    }
    providers[provider] = { clientId: credentials.clientId, clientSecret: secret };
  }
  return { ...sealed, auth: { ...auth, providers } } as Route;
}

const MCP_CREDENTIAL = 'mcp-credential';

/** An MCP route's upstream credential sealed as the providers' secrets are: `(set)` keeps the stored one. */
function sealMcpCredential(
  next: Route,
  previous: Route | undefined,
  key: () => SealingKey | undefined,
): Route {
  if (next.kind !== 'mcp' || !next.mcp.credential || !('value' in next.mcp.credential)) return next;
  const field = 'mcp.credential.value';
  const before = previous?.kind === 'mcp' ? previous.mcp.credential : undefined;
  const stored = before && 'value' in before ? before.value : undefined;
  let value = next.mcp.credential.value;
  if (value === SECRET_SET) {
    if (!stored)
      throw new GatehouseError('VALIDATION_FAILED', `${field}: no credential is stored yet; send it itself`, {
        field,
      });
    value = stored;
  } else if (value.startsWith(SEALED)) {
    if (value !== stored)
      throw new GatehouseError(
        'VALIDATION_FAILED',
        `${field}: send the credential itself, or "${SECRET_SET}" to keep the stored one`,
        { field },
      );
  } else {
    const sealing = key();
    if (!sealing)
      throw new GatehouseError(
        'AUTH_SECRET_KEY_MISSING',
        `${field}: upstream credentials are stored sealed; set GATEHOUSE_SECRET_KEY (the same on every node)`,
        { field },
      );
    value = SEALED + seal(sealing, value, contextOf(next.id, MCP_CREDENTIAL));
  }
  return { ...next, mcp: { ...next.mcp, credential: { ...next.mcp.credential, value } } };
}

/** An MCP route's upstream credential opened (header and value); undefined when it has none or it does not open. */
export function mcpCredentialOf(
  route: Route,
  key: SealingKey | undefined,
): { readonly header: string; readonly value: string } | undefined {
  if (route.kind !== 'mcp' || !route.mcp.credential || !('value' in route.mcp.credential) || !key)
    return undefined;
  const { header, value } = route.mcp.credential;
  if (!value.startsWith(SEALED)) return undefined;
  const opened = unseal(key, value.slice(SEALED.length), contextOf(route.id, MCP_CREDENTIAL));
  return opened === undefined ? undefined : { header, value: opened };
}

/** The route as the admin API shows it: client secrets as `(set)`, never sealed or plain. */
export function publicRoute(shown: Route): Route {
  const route =
    shown.kind === 'mcp' && shown.mcp.credential && 'value' in shown.mcp.credential
      ? { ...shown, mcp: { ...shown.mcp, credential: { ...shown.mcp.credential, value: SECRET_SET } } }
      : shown;
  const auth = authOf(route);
  if (!auth?.providers) return route;
  const providers = Object.fromEntries(
    Object.entries(auth.providers).map(([id, c]) => [id, { clientId: c.clientId, clientSecret: SECRET_SET }]),
  );
  return { ...route, auth: { ...auth, providers } } as Route;
}

/** A route's own OAuth application for a provider, its secret opened; undefined when it has none or it does not open. */
export function routeProviderCredentials(
  route: Route,
  provider: string,
  key: SealingKey,
): { readonly clientId: string; readonly clientSecret: string } | undefined {
  const credentials = authOf(route)?.providers?.[provider];
  if (!credentials?.clientSecret.startsWith(SEALED)) return undefined;
  const clientSecret = unseal(
    key,
    credentials.clientSecret.slice(SEALED.length),
    contextOf(route.id, provider),
  );
  return clientSecret === undefined ? undefined : { clientId: credentials.clientId, clientSecret };
}
