import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsNames, handshake, startAcmeWorld } from './helpers/acme-world.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { startPebble } from './helpers/pebble.ts';
import { freePort, startRedis } from './helpers/redis.ts';
import { waitFor } from './helpers/wait-for.ts';

const SECRET = 'ab'.repeat(32);

test('on demand: a routed name is certified at its first handshake; an unrouted one is refused; the hourly budget holds', async (t) => {
  const world = await startAcmeWorld({ flags: { 'acme-on-demand': true, 'acme-on-demand-per-hour': '1' } });
  t.after(() => world.stop());
  const root = await world.pebble.root();
  await world.gatehouse.addRoute({ host: '*.apps.gatehouse.test', static: { body: 'app' } });
  await world.gatehouse.addRoute({ host: '*', static: { body: 'anything' } });

  const peer = await handshake(world.httpsPort, 'first.apps.gatehouse.test', root);
  assert.deepEqual(
    dnsNames(peer),
    ['first.apps.gatehouse.test'],
    'the first handshake waits for its certificate',
  );

  await assert.rejects(
    handshake(world.httpsPort, 'elsewhere.gatehouse.test', root),
    'a name only the catch-all route matches gets no certificate',
  );
  await assert.rejects(
    handshake(world.httpsPort, 'second.apps.gatehouse.test', root),
    'past the hourly budget, the next name waits',
  );
  const { body } = await world.gatehouse.api('GET', '/api/v1/certificates/');
  assert.deepEqual(
    (body.certificates as { names: string[]; origin: string }[]).map((c) => [c.names, c.origin]),
    [[['first.apps.gatehouse.test'], 'on-demand']],
  );
  assert.deepEqual(dnsNames(await handshake(world.httpsPort, 'first.apps.gatehouse.test', root)), [
    'first.apps.gatehouse.test',
  ]);
});

test('two nodes on one Redis order a certificate once, and both serve it', async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pebble = await startPebble({ httpPort, tlsPort: httpsPort });
  t.after(() => pebble.stop());
  const shared = {
    store: `${redis.url}?prefix=acme:`,
    'acme-directory': pebble.directory,
    'acme-directory-ca': pebble.apiCaFile,
    'acme-email': 'ops@gatehouse.test',
    'acme-hosts': 'shared.gatehouse.test',
  };
  const env = { GATEHOUSE_SECRET_KEY: SECRET };
  // Both start before either has a certificate: they plan the same record and race for its lease.
  const [a, b] = await Promise.all([
    startAcmeWorld({ shared: { pebble, httpPort, httpsPort }, flags: shared, env }),
    startTestGateway({ flags: { ...shared, 'tls-port': '0' }, env }),
  ]);
  t.after(() => a.stop());
  t.after(() => b.stop());
  const root = await pebble.root();
  const fromA = await waitFor(
    'node a to serve',
    () => handshake(httpsPort, 'shared.gatehouse.test', root).catch(() => undefined),
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const fromB = await waitFor(
    'node b to serve',
    () => handshake(b.gateway.httpsPort!, 'shared.gatehouse.test', root).catch(() => undefined),
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  assert.equal(fromB.serialNumber, fromA.serialNumber, 'the same certificate on both nodes');
  assert.equal(pebble.output().match(/Issued certificate serial/g)?.length, 1, 'ordered once');

  // A renewal on one node reaches the other through the store, with no restart.
  const { body } = await a.gatehouse.api('GET', '/api/v1/certificates/');
  const renewed = await a.gatehouse.api('POST', `/api/v1/certificates/${body.certificates[0].id}/renew`);
  assert.equal(renewed.status, 200);
  const fromBAgain = await waitFor(
    'node b to serve the renewed certificate',
    async () => {
      const peer = await handshake(b.gateway.httpsPort!, 'shared.gatehouse.test', root);
      return peer.serialNumber !== fromA.serialNumber ? peer : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  assert.equal(
    fromBAgain.serialNumber,
    (await handshake(httpsPort, 'shared.gatehouse.test', root)).serialNumber,
  );

  await assert.rejects(
    startTestGateway({ flags: { ...shared, 'tls-port': '0' } }),
    /acme: certificates are kept sealed in the shared store, which needs GATEHOUSE_SECRET_KEY/,
    'a node without the secret key refuses to start, saying which',
  );
});
