import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AcmeWorld, dnsNames, handshake, startAcmeWorld } from './helpers/acme-world.ts';
import { waitFor } from './helpers/wait-for.ts';

/** The certificates the admin API lists. */
async function listed(world: AcmeWorld) {
  const { status, body } = await world.gatehouse.api('GET', '/api/v1/certificates/');
  assert.equal(status, 200);
  return body.certificates as {
    id: string;
    names: string[];
    status: string;
    issuer: string;
    lastError: unknown;
  }[];
}

test('HTTP-01: one certificate for two names, served by SNI with no restart; a route with tls auto gets its own', async (t) => {
  const world = await startAcmeWorld({ flags: { 'acme-hosts': 'one.gatehouse.test,two.gatehouse.test' } });
  t.after(() => world.stop());
  const root = await world.pebble.root();
  const issued = await waitFor(
    'the first certificate',
    async () => (await listed(world)).find((c) => c.status === 'valid'),
    { timeoutMs: 30_000, intervalMs: 100, detail: () => world.pebble.output() },
  );
  assert.deepEqual(issued.names, ['one.gatehouse.test', 'two.gatehouse.test']);
  assert.match(issued.issuer, /Pebble/);
  for (const name of ['one.gatehouse.test', 'two.gatehouse.test'])
    assert.deepEqual(dnsNames(await handshake(world.httpsPort, name, root)), [
      'one.gatehouse.test',
      'two.gatehouse.test',
    ]);

  const listing = JSON.stringify(await world.gatehouse.api('GET', '/api/v1/certificates/'));
  assert.doesNotMatch(listing, /PRIVATE KEY|sealedKey/, 'the admin API never shows a key');

  await assert.rejects(
    handshake(world.httpsPort, 'app.gatehouse.test', root),
    'a name no certificate covers yet gets no handshake',
  );
  await world.gatehouse.addRoute({ host: 'app.gatehouse.test', tls: 'auto', static: { body: 'hello' } });
  const peer = await waitFor(
    'the route host to be served',
    () => handshake(world.httpsPort, 'app.gatehouse.test', root).catch(() => undefined),
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  assert.deepEqual(dnsNames(peer), ['app.gatehouse.test']);
});
