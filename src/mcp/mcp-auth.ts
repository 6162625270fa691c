import type { AdminKeys, AdminPrincipal } from '../auth/keys/admin-keys.ts';
import { bearerToken } from '../auth/keys/api-key.ts';
import { bearerChallenge, tokenInvalid } from '../auth/route/challenge.ts';
import { tokenScopes } from '../auth/route/token-identity.ts';
import { type AccessTokenClaims, TokenRejected } from '../auth/route/token-verifier.ts';
import { GatehouseError } from '../core/errors.ts';
import { MCP_SCOPE, type ToolCaller, WRITE_SCOPE } from './tool-kit.ts';

/** Every scope `/mcp` advertises: reading, and changing. */
export const MCP_SCOPES = [MCP_SCOPE, WRITE_SCOPE] as const;

/** Checks an access token for one audience; throws {@link TokenRejected} saying why it does not pass. */
export type VerifyToken = (token: string, audience: string) => Promise<AccessTokenClaims>;

/** A caller of `/mcp` and a stable name for them (the owner of their sessions). */
export interface McpCaller extends ToolCaller {
  readonly id: string;
}

/**
 * Who calls `/mcp`: an admin API key (every scope), or an access token of Gatehouse's
 * authorization server whose audience is exactly this resource. Anything else is 401 with the
 * challenge a client follows to log in (MCP authorization, RFC 9728 section 5.1).
 */
export async function mcpCaller(
  authorization: string | undefined,
  resource: string,
  metadata: string,
  keys: AdminKeys,
  verify: VerifyToken | undefined,
): Promise<McpCaller> {
  const token = bearerToken(authorization);
  if (!token)
    throw new GatehouseError(
      'AUTH_TOKEN_MISSING',
      `/mcp needs a bearer token: its metadata at ${metadata} names the authorization server, or send an admin API key`,
      {
        field: 'authorization',
        challenge: bearerChallenge({ resource_metadata: metadata, scope: MCP_SCOPES.join(' ') }),
      },
    );
  const keyed = await keys.authenticate(token);
  if (keyed) return { principal: keyed, scopes: [...MCP_SCOPES], id: principalId(keyed) };
  if (token.startsWith('gk_') || !verify)
    throw tokenInvalid(metadata, 'the API key is unknown or revoked, or the token is not one of this server');
  let claims: AccessTokenClaims;
  try {
    claims = await verify(token, resource);
  } catch (error) {
    if (error instanceof TokenRejected) throw tokenInvalid(metadata, error.message);
    throw error;
  }
  const principal: AdminPrincipal = {
    kind: 'oauth',
    accountId: String(claims.sub),
    login: claims.login,
    scopes: tokenScopes(claims),
  };
  return { principal, scopes: principal.scopes, id: principalId(principal) };
}

function principalId(principal: AdminPrincipal): string {
  if (principal.kind === 'oauth') return `account:${principal.accountId}`;
  return principal.kind === 'key' ? `key:${principal.key.id}` : 'env';
}

/**
 * The step-up answer (MCP authorization, "insufficient scope"): 403 naming every scope the call
 * needs, so the client asks for them all at once.
 */
export function scopeStepUp(metadata: string, needed: readonly string[], what: string) {
  return new GatehouseError(
    'AUTH_SCOPE_INSUFFICIENT',
    `${what} needs the scopes ${needed.join(' ')}; log in again asking for scope "${needed.join(' ')}"`,
    {
      field: 'scope',
      challenge: bearerChallenge({
        error: 'insufficient_scope',
        scope: needed.join(' '),
        resource_metadata: metadata,
        error_description: `${what} needs the scopes ${needed.join(' ')}`,
      }),
    },
  );
}
