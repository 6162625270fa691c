import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  fleet,
  newFleetKey,
  partnerToken,
  registerPartner,
  seedWith,
  startKeyHost,
  startTestSimulator,
  userTokens,
} from './helpers/fleet-simulator.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const dir = tempDir('gatehouse-sim-partner-');
const reach = { resolve: new Map<string, { address: string; port: number }>(), trust: [] as string[] };
const DOMAINS = [
  'app.example.test',
  'down.example.test',
  'leaky.example.test',
  'curve.example.test',
  'moved.example.test',
];
const sim = await startTestSimulator({ seed: seedWith(DOMAINS), ...reach });

/** Hosts `body` for `domain` and asks the simulator to register it. */
async function registerHosted(
  domain: string,
  out: { status: number; headers?: Record<string, string>; body: string },
) {
  const host = await startKeyHost(dir, domain, () => out);
  reach.resolve.set(domain, { address: '127.0.0.1', port: host.port });
  reach.trust.push(host.caPem);
  return fleet(sim, await partnerToken(sim), 'POST', '/api/1/partner_accounts', { body: { domain } });
}

describe('partner registration', () => {
  const key = newFleetKey();

  test('fetches the hosted key over HTTPS and answers with the account', async () => {
    const res = await registerPartner(sim, reach, dir, 'app.example.test', key);
    assert.equal(res.status, 200, res.text);
    const account = res.body['response'] as Record<string, unknown>;
    assert.equal(account['domain'], 'app.example.test');
    assert.equal(account['client_id'], 'gatehouse-sim-client');
    assert.equal(account['public_key'], Buffer.from(key.publicPoint).toString('hex'));
    assert.match(String(account['public_key']), /^04[0-9a-f]{128}$/);
    assert.match(String(account['public_key_hash']), /^[0-9a-f]{64}$/);
    assert.equal(account['ca'], null);
  });

  test('the registered key can be looked up; another domain cannot', async () => {
    const partner = await partnerToken(sim);
    const mine = await fleet(
      sim,
      partner,
      'GET',
      '/api/1/partner_accounts/public_key?domain=app.example.test',
    );
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body['response'], { public_key: Buffer.from(key.publicPoint).toString('hex') });
    const other = await fleet(sim, partner, 'GET', '/api/1/partner_accounts/public_key?domain=tesla.com');
    assert.equal(other.status, 403);
    assert.equal(other.body['error'], 'This account does not have access to tesla.com');
  });

  test('registering again with a changed hosted key updates it', async () => {
    const next = newFleetKey();
    const res = await registerPartner(sim, reach, dir, 'app.example.test', next);
    assert.equal(res.status, 200, res.text);
    assert.equal(
      (res.body['response'] as Record<string, unknown>)['public_key'],
      Buffer.from(next.publicPoint).toString('hex'),
    );
  });

  test('an unreachable domain is refused with what went wrong', async () => {
    reach.resolve.set('down.example.test', { address: '127.0.0.1', port: 1 });
    const res = await fleet(sim, await partnerToken(sim), 'POST', '/api/1/partner_accounts', {
      body: { domain: 'down.example.test' },
    });
    assert.equal(res.status, 422);
    assert.match(String(res.body['error']), /cannot be reached over HTTPS/);
  });

  test('a hosted private key is refused', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const res = await registerHosted('leaky.example.test', {
      status: 200,
      body: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    });
    assert.equal(res.status, 422);
    assert.match(String(res.body['error']), /PRIVATE key/);
  });

  test('a key on another curve is refused', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const res = await registerHosted('curve.example.test', {
      status: 200,
      body: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    assert.equal(res.status, 422);
    assert.match(String(res.body['error']), /prime256v1/);
  });

  test('a redirect is refused: Tesla does not follow it', async () => {
    const res = await registerHosted('moved.example.test', {
      status: 301,
      headers: { location: 'https://elsewhere.example.test/key.pem' },
      body: '',
    });
    assert.equal(res.status, 422);
    assert.match(String(res.body['error']), /redirecting/);
  });

  test('a domain that is not an allowed origin is refused before any fetch', async () => {
    const res = await fleet(sim, await partnerToken(sim), 'POST', '/api/1/partner_accounts', {
      body: { domain: 'stranger.example.test' },
    });
    assert.equal(res.status, 422);
    assert.match(String(res.body['error']), /not an allowed origin/);
  });

  test('a user token is refused: Expected partner account', async () => {
    const { access } = await userTokens(sim);
    const res = await fleet(sim, access, 'POST', '/api/1/partner_accounts', {
      body: { domain: 'app.example.test' },
    });
    assert.equal(res.status, 403);
    assert.equal(res.body['error'], 'Expected partner account');
  });

  test('unregistered in eu, the partner gets 412 there', async () => {
    const eu = await partnerToken(sim, 'eu');
    const res = await fleet(sim, eu, 'GET', '/api/1/partner_accounts/fleet_telemetry_errors', {
      region: 'eu',
    });
    assert.equal(res.status, 412);
    assert.deepEqual(res.body, {
      error: `Account gatehouse-sim-client must be registered in the current region ${sim.regionBaseUrl('eu')}`,
    });
  });

  test('a token for one region is not accepted in another', async () => {
    const eu = await partnerToken(sim, 'eu');
    const res = await fleet(sim, eu, 'GET', '/api/1/partner_accounts/fleet_telemetry_errors');
    assert.equal(res.status, 401);
  });
});
