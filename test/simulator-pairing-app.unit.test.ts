import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPairingApp } from '../src/simulator/pairing-page.ts';
import { SESSION_COOKIE } from '../src/simulator/sessions.ts';
import { firstForm } from './helpers/html-forms.ts';
import { cookieFrom, SIM_ORIGIN, simulatorParts } from './helpers/simulator-parts.ts';

// The simulator's key pairing page (tesla.com/_ak/<domain>), called with app.request(): no socket.
// test/fleet-simulator-pairing.test.ts walks it through a listening simulator.

const BLUE = '5YJ3E7EB2NF000001';
/** The session id in a `sim_session=<id>` cookie. */
const sessionId = (cookie: string) => cookie.slice(`${SESSION_COOKIE}=`.length);
const OWL = '7SAYGDEE1PF000002';

/** The pairing app over a fresh world where the simulator's app registered localhost in NA. */
async function pairingApp() {
  const parts = await simulatorParts();
  const { world, clock } = parts;
  world.savePartner({
    accountId: 'partner-1',
    clientId: 'gatehouse-sim-client',
    region: 'na',
    domain: 'localhost',
    publicPoint: new Uint8Array(65),
    createdAt: clock(),
    updatedAt: clock(),
  });
  const app = createPairingApp(parts);
  const get = (path: string, cookie?: string) =>
    app.request(`${SIM_ORIGIN}${path}`, cookie ? { headers: { cookie } } : {});
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    app.request(`${SIM_ORIGIN}${path}`, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    });
  /** Signs in on the pairing page of `domain`: the session cookie. */
  const signIn = async (domain = 'localhost', email = 'driver@example.com') => {
    const login = firstForm(await (await get(`/_ak/${domain}`)).text());
    const res = await post(login.action, { ...login.fields, email, password: 'tesla' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/_ak/${domain}`);
    return cookieFrom(res, SESSION_COOKIE);
  };
  return { ...parts, get, post, signIn };
}

describe('simulator pairing page', () => {
  test('sign in, see the vehicles, add the key to all of them', async () => {
    const { get, post, signIn, world } = await pairingApp();
    const session = await signIn();
    const page = await get('/_ak/localhost', session);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Add Gatehouse simulator app's key\?/);
    assert.match(html, new RegExp(`Blue Bolt \\(${BLUE}\\): no key yet`));
    const added = await post('/_ak/localhost', firstForm(html).fields, session);
    assert.equal(added.status, 200);
    assert.match(await added.text(), new RegExp(`key is on 2 vehicles: ${BLUE}, ${OWL}`));
    for (const vin of [BLUE, OWL]) assert.ok(world.vehicles.get(vin)!.pairedDomains.has('localhost'), vin);
  });

  test('the domain as an origin is the same domain', async () => {
    const { get, signIn } = await pairingApp();
    const session = await signIn();
    const page = await get(`/_ak/${encodeURIComponent('https://localhost/')}`, session);
    assert.match(await page.text(), /localhost asks to add its virtual key/);
  });

  test('a wrong password: 401 and the form again', async () => {
    const { get, post } = await pairingApp();
    const login = firstForm(await (await get('/_ak/localhost')).text());
    const res = await post(login.action, { ...login.fields, email: 'driver@example.com', password: 'x' });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /The email or password is not correct/);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  test('a domain no app registered in the owner region: 400, and nothing is paired', async () => {
    const { get, post, signIn, world, sessions } = await pairingApp();
    const session = await signIn('other.example');
    const page = await get('/_ak/other.example', session);
    assert.equal(page.status, 400);
    assert.match(await page.text(), /No application has registered other\.example in your region \(na\)/);
    // An EU owner: localhost is registered in NA only.
    const euSession = await signIn('localhost', 'fahrer@example.eu');
    assert.match(await (await get('/_ak/localhost', euSession)).text(), /in your region \(eu\)/);
    const token = sessions.formToken(sessionId(euSession));
    const forced = await post('/_ak/localhost', { form_token: token }, euSession);
    assert.equal(forced.status, 400);
    assert.equal([...world.vehicles.values()].filter((v) => v.pairedDomains.size > 0).length, 0);
  });

  // [what is wrong with the form that adds the key, the session it comes with]
  const refusals: [name: string, form: 'used' | 'other-session' | 'none', signedIn: boolean][] = [
    ['no session', 'none', false],
    ['no form token', 'none', true],
    ['a form token used already', 'used', true],
    ['a form token of another session', 'other-session', true],
  ];
  for (const [name, form, signedIn] of refusals) {
    test(`adding the key with ${name}: 400, and nothing is paired`, async () => {
      const { get, post, signIn, world, sessions } = await pairingApp();
      const session = signedIn ? await signIn() : undefined;
      const fields: Record<string, string> = {};
      if (form === 'other-session') fields['form_token'] = sessions.formToken(sessionId(await signIn()));
      if (form === 'used') {
        const shown = firstForm(await (await get('/_ak/localhost', session)).text());
        fields['form_token'] = shown.fields['form_token']!;
        assert.equal(sessions.useFormToken(fields['form_token'], sessionId(session!)), true);
      }
      const res = await post('/_ak/localhost', fields, session);
      assert.equal(res.status, 400);
      assert.equal(world.vehicles.get(BLUE)!.pairedDomains.size, 0);
    });
  }

  test('signing in with a used or missing form token: 400, and no session', async () => {
    const { get, post } = await pairingApp();
    const login = firstForm(await (await get('/_ak/localhost')).text());
    const credentials = { email: 'driver@example.com', password: 'tesla' };
    assert.equal((await post(login.action, credentials)).status, 400);
    assert.equal((await post(login.action, { ...login.fields, ...credentials })).status, 303);
    const again = await post(login.action, { ...login.fields, ...credentials });
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('set-cookie'), null);
  });
});
