import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FleetApi } from '../src/fleet/api/fleet-api.ts';
import { partnerToken, seedWith, startTestSimulator } from './helpers/fleet-simulator.ts';

test('a refused cached token is renewed once and the call made again; a fresh one is not retried', async () => {
  const sim = await startTestSimulator({
    seed: {
      ...seedWith([]),
      apps: seedWith([]).apps.map((a) => ({ ...a, require_partner_registration: false })),
    },
  });
  const good = await partnerToken(sim);
  // The token a cache kept from before the simulator restarted: Tesla refuses it.
  let current = 'stale-cached-token';
  let renewals = 0;
  const api = new FleetApi({
    baseUrl: sim.regionBaseUrl('na'),
    token: async () => current,
    renewToken: async () => {
      renewals++;
      current = good;
      return true;
    },
  });
  assert.deepEqual((await api.fleetStatus(['5YJ3E7EB2NF000001'])).key_paired_vins, []);
  assert.equal(renewals, 1);

  const strict = new FleetApi({
    baseUrl: sim.regionBaseUrl('na'),
    token: async () => 'refused',
    renewToken: async () => false,
  });
  await assert.rejects(strict.fleetStatus(['5YJ3E7EB2NF000001']), { code: 'FLEET_TOKEN_EXPIRED' });
});
