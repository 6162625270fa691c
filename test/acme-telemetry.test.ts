import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAcmeWorld } from './helpers/acme-world.ts';
import { connectVehicle, telemetryPki } from './helpers/telemetry-vehicle.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const NAME = 'vehicles.gatehouse.test';

test('--telemetry-cert auto: the receiver serves an ACME certificate to a vehicle that trusts only the chain in its config', async (t) => {
  const dir = tempDir();
  const pki = telemetryPki(dir);
  const world = await startAcmeWorld({
    flags: {
      'telemetry-port': '0',
      'telemetry-host': '127.0.0.1',
      'telemetry-cert': 'auto',
      'telemetry-name': NAME,
      'telemetry-ca': pki.ca,
    },
  });
  t.after(() => world.stop());
  const issued = await waitFor(
    'the telemetry certificate',
    async () => {
      const { body } = await world.gatehouse.api('GET', '/api/v1/certificates/');
      return (body.certificates as { id: string; names: string[]; status: string }[]).find(
        (c) => c.status === 'valid' && c.names.includes(NAME),
      );
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const chain = await world.gatehouse.send('localhost', `/api/v1/certificates/${issued.id}/chain`, {
    headers: { authorization: 'Bearer gk_test-admin-key-0123456789abcdef' },
  });
  assert.equal(chain.status, 200);
  assert.equal(new X509Certificate(chain.text).subject, `CN=${NAME}`, 'leaf first');
  assert.doesNotMatch(chain.text, /PRIVATE KEY/);
  // The config's `ca`: the issuing chain after the leaf, and the root it leads to.
  const issuers = chain.text.slice(chain.text.indexOf('-----END CERTIFICATE-----') + 26);
  const ca = join(dir, 'vehicle-config-ca.pem');
  writeFileSync(ca, `${issuers.trim()}\n${(await world.pebble.root()).trim()}\n`);

  const port = world.gatehouse.gateway.telemetry!.port;
  const car = await connectVehicle(port, ca, pki.vehicle('5YJ3E7EB0KF000042'), {}, NAME);
  t.after(() => car.close());
  assert.equal(car.ws.readyState, car.ws.OPEN);
  await assert.rejects(
    connectVehicle(port, pki.server.cert, pki.vehicle('5YJ3E7EB0KF000043'), {}, NAME),
    'a vehicle trusting another chain refuses the receiver',
  );
});
