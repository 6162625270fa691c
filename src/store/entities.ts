import type { Route } from '../routes/route.ts';
import { byCreation, type CollectionSpec } from './collection.ts';
import type { ApiKeyRecord, TeslaAccountRecord, TunnelRecord } from './types.ts';

/** Routes, by id. */
export const ROUTES: CollectionSpec<Route> = {
  name: 'routes',
  topic: 'routes',
  key: (r) => r.id,
  order: byCreation((r) => r.id),
};

/** Admin API keys, by id; the hash of the secret is unique too. */
export const API_KEYS: CollectionSpec<ApiKeyRecord> = {
  name: 'apikeys',
  topic: 'apiKeys',
  key: (k) => k.id,
  unique: { byhash: (k) => k.hash },
  order: byCreation((k) => k.id),
};

/** Tunnel identities, by name. */
export const TUNNELS: CollectionSpec<TunnelRecord> = {
  name: 'tunnels',
  topic: 'tunnels',
  key: (t) => t.name,
  order: byCreation((t) => t.name),
};

/** Tesla accounts logged in through `fleet-login` routes, by Tesla `sub`. */
export const TESLA_ACCOUNTS: CollectionSpec<TeslaAccountRecord> = {
  name: 'teslaaccounts',
  topic: 'teslaAccounts',
  key: (a) => a.id,
  order: byCreation((a) => a.id),
};

/** A login's grant revoked, by grant id: written and deleted at once, only to tell every node. */
export interface GrantRevocation {
  readonly id: string;
  readonly createdAt: string;
}

/**
 * Announcements of revoked grants (a logout, a reused refresh token): nodes holding a session
 * that a revoked grant let in end it when they hear of one.
 */
export const GRANT_REVOCATIONS: CollectionSpec<GrantRevocation> = {
  name: 'grantrevocations',
  topic: 'grantRevocations',
  key: (r) => r.id,
  order: byCreation((r) => r.id),
};
