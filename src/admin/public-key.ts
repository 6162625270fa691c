import type { AdminPrincipal } from '../auth/keys/admin-keys.ts';
import type { ApiKeyRecord } from '../store/types.ts';

/** The id under which listings show the key from GATEHOUSE_ADMIN_KEY. */
export const ENV_KEY_ID = 'env';

/**
 * A key as the API shows it: never the hash, never the secret; where it comes from (`stored`, or
 * `environment` for GATEHOUSE_ADMIN_KEY), and whether it is the one the request came with.
 */
export function publicKey(key: ApiKeyRecord, principal?: AdminPrincipal) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    source: 'stored' as const,
    inUse: principal?.kind === 'key' && principal.key.id === key.id,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt ?? null,
  };
}

/** GATEHOUSE_ADMIN_KEY as listings show it: it works without being stored, so it has no dates. */
export function environmentKey(prefix: string, principal: AdminPrincipal) {
  return {
    id: ENV_KEY_ID,
    name: 'GATEHOUSE_ADMIN_KEY',
    prefix,
    source: 'environment' as const,
    inUse: principal.kind === 'env',
    createdAt: null,
    revokedAt: null,
  };
}
