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
