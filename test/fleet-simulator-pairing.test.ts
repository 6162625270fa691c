import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { request } from 'undici';
import {
  ASLEEP_VIN,
  control,
  DRIVER,
  fleet,
  formValue,
  newFleetKey,
  ONLINE_VIN,
  partnerToken,
  postForm,
  registerPartner,
  seedWith,
  sessionCookie,
  startTestSimulator,
} from './helpers/fleet-simulator.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const dir = tempDir('gatehouse-sim-pairing-');
const reach = { resolve: new Map<string, { address: string; port: number }>(), trust: [] as string[] };
const sim = await startTestSimulator({ seed: seedWith(['app.example.test']), ...reach });

test('the _ak page refuses a domain no app registered, then pairs the owner’s vehicles', async () => {
  const loginPage = await (await request(`${sim.url}/_ak/app.example.test`)).body.text();
  const login = await postForm(`${sim.url}/_ak/app.example.test/login`, {
    form_token: formValue(loginPage, 'form_token'),
    email: DRIVER.email,
    password: DRIVER.password,
  });
  assert.equal(login.status, 303);
  const cookie = sessionCookie(login.headers);
  const unregistered = await request(`${sim.url}/_ak/app.example.test`, { headers: { cookie } });
  assert.equal(unregistered.statusCode, 400);
  assert.match(await unregistered.body.text(), /Application not registered/);

  assert.equal((await registerPartner(sim, reach, dir, 'app.example.test', newFleetKey())).status, 200);
  const page = await (await request(`${sim.url}/_ak/app.example.test`, { headers: { cookie } })).body.text();
  assert.match(page, /Add Gatehouse simulator app's key\?/);
  const paired = await postForm(
    `${sim.url}/_ak/app.example.test`,
    { form_token: formValue(page, 'form_token') },
    cookie,
  );
  assert.equal(paired.status, 200);
  assert.match(paired.text, /Key added/);

  const status = await fleet(sim, await partnerToken(sim), 'POST', '/api/1/vehicles/fleet_status', {
    body: { vins: [ONLINE_VIN, ASLEEP_VIN] },
  });
  assert.deepEqual((status.body['response'] as Record<string, unknown>)['key_paired_vins'], [
    ONLINE_VIN,
    ASLEEP_VIN,
  ]);
});

test('a pairing form without its token is refused', async () => {
  const res = await postForm(`${sim.url}/_ak/app.example.test`, { form_token: 'forged' });
  assert.equal(res.status, 400, 'shows the sign-in form again');
  assert.match(res.text, /Sign in/);
  assert.doesNotMatch(res.text, /Key added/);
});

test('the vehicle CA issues client certificates whose CN is the VIN', async () => {
  const issued = await control(sim, 'POST', `/sim/vehicles/${ONLINE_VIN}/certificate`);
  assert.equal(issued.status, 200);
  const cert = new X509Certificate(String(issued.body['certPem']));
  const ca = new X509Certificate(await (await request(`${sim.url}/sim/ca.pem`)).body.text());
  assert.equal(cert.subject, `CN=${ONLINE_VIN}`);
  assert.ok(cert.verify(ca.publicKey), 'signed by the CA');
  assert.ok(cert.checkIssued(ca));
  assert.match(String(issued.body['keyPem']), /BEGIN PRIVATE KEY/);
});
