import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logInAtStandIn } from './helpers/dev-idp-login.ts';
import { docPage } from './helpers/doc-files.ts';
import { HttpBrowser } from './helpers/http-browser.ts';
import { driveLogin } from './helpers/oauth-world.ts';
import { refusesConnections } from './helpers/port-probe.ts';
import { freePort } from './helpers/redis.ts';
import { shellBlocks } from './helpers/shell-blocks.ts';
import { waitFor } from './helpers/wait-for.ts';
import { walkthrough } from './helpers/walkthrough.ts';

const GUIDE = docPage('docs/guides/local-login.md');
const SECTION = 'On one machine, step by step';

const ports = { 4500: await freePort(), 8080: await freePort(), 3000: await freePort() };
const guide = walkthrough(ports);
const gatehouse = `http://localhost:${ports[8080]}`;
const standIn = `http://127.0.0.1:${ports[4500]}`;

test('Logins on one machine works as written: the stand-in, a protected route, gatehouse login, a tunnel', async () => {
  const [idpBlock, serveBlock, appBlock, loginBlock] = shellBlocks(GUIDE, SECTION);
  const [banner, appAnswer, tunnelLines] = shellBlocks(GUIDE, SECTION, 'text');
  assert.ok(idpBlock && serveBlock && appBlock && loginBlock, 'four shell blocks');
  assert.ok(banner && appAnswer && tunnelLines, 'three blocks of what they print');

  // The stand-in prints exactly what the guide shows, and the environment the next block exports.
  const idp = await guide.start(idpBlock, /^People/m, `--port ${ports[4500]}`);
  await waitFor('the whole banner', () => idp.output().includes('u-carol'), { detail: idp.output });
  // Its redirect URI keeps the guide's port: on loopback any port of it is accepted.
  assert.equal(idp.output(), banner.replaceAll(':4500', `:${ports[4500]}`));
  const exported = (text: string) => text.split('\n').flatMap((l) => /^ *(export .*)$/.exec(l)?.[1] ?? []);
  assert.deepEqual(exported(guide.adapt(serveBlock)), exported(idp.output()));

  const serve = await guide.start(serveBlock, /is running/, `--port ${ports[8080]}`);
  const adminKey = await waitFor(
    'the admin key',
    () => /export GATEHOUSE_ADMIN_KEY=(gk_\S+)/.exec(serve.output())?.[1],
    {
      detail: serve.output,
    },
  );

  // The third terminal: the app, the route, and a client without a token refused.
  assert.match(appBlock, /^export GATEHOUSE_ADMIN_KEY=gk_….*$/m);
  const created = await guide.run(
    appBlock.replace(/^export GATEHOUSE_ADMIN_KEY=gk_….*$/m, `export GATEHOUSE_ADMIN_KEY=${adminKey}`),
  );
  assert.match(created, /"host":"app\.localhost"/);
  assert.match(created, /^401$/m, created);
  assert.match(appBlock, /# 401$/m, 'the guide says what comes back');

  // The app started in the background: a person reading the guide takes longer than it does.
  await waitFor('the app listening', async () => !(await refusesConnections(ports[3000])));

  // The browser step: alice is let in and the app sees what the guide shows; carol is refused.
  const app = `http://app.localhost:${ports[8080]}/`;
  const alice = await logInAtStandIn(new HttpBrowser(), app, standIn, 'u-alice');
  assert.equal(alice.status, 200, alice.text);
  assert.equal(alice.text, appAnswer);
  const carol = await logInAtStandIn(new HttpBrowser(), app, standIn, 'u-carol');
  assert.equal(carol.status, 403);
  const refusal = `oidc:u-carol is not on the allow list of app.localhost:${ports[8080]}`;
  assert.ok(carol.text.includes(refusal), carol.text);
  assert.ok(guide.adapt(GUIDE).includes(refusal), 'the guide says why carol is refused');

  // gatehouse login through the device flow, approved in the browser as alice; then her tunnel.
  const terminal = await guide.start(loginBlock, /user_code=/);
  const link = /^ +(http:\/\/localhost:\d+\/oauth\/device\?user_code=\S+)$/m.exec(terminal.output())?.[1];
  assert.ok(link, terminal.output());
  await driveLogin(new URL(link), 'u-alice', {
    issuer: gatehouse,
    upstream: standIn,
    label: 'Stand-in login',
  });
  const loggedIn = `Logged in to ${gatehouse} as oidc:u-alice`;
  await waitFor('the login to end', () => terminal.output().includes(loggedIn), { detail: terminal.output });
  assert.ok(GUIDE.includes('Logged in to http://localhost:8080 as oidc:u-alice'));
  const online = await waitFor(
    'the tunnel online',
    () =>
      /^● online +http:\/\/([a-z]+-[a-z]+-\d+)\.localhost:\d+ → http:\/\/127\.0\.0\.1:\d+/m.exec(
        terminal.output(),
      ),
    { timeoutMs: 20_000, detail: terminal.output },
  );
  for (const line of tunnelLines.split('\n').filter((l) => l.startsWith('Connecting')))
    assert.ok(terminal.output().includes(line), `the tunnel says: ${line}`);
  const name = online[1]!;
  const through = await new HttpBrowser().send(`http://${name}.localhost:${ports[8080]}/`);
  assert.equal(through.status, 200);
  assert.equal(through.text, 'no X-Auth headers\n');

  // The /tunnels page, logged in as alice, lists that tunnel, online.
  const tunnels = await logInAtStandIn(new HttpBrowser(), `${gatehouse}/tunnels`, standIn, 'u-alice');
  assert.equal(tunnels.status, 200, tunnels.text);
  assert.match(
    tunnels.text,
    new RegExp(`<tr class="tunnel" data-name="${name}">.*?<td class="state">online</td>`),
  );
});
