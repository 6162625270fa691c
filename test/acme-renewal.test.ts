import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ariCertId } from '../src/certs/ari-cert-id.ts';
import { manualClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { type AcmeWorld, handshake, startAcmeWorld } from './helpers/acme-world.ts';
import { startAriStandin } from './helpers/ari-standin.ts';
import { startPebble } from './helpers/pebble.ts';
import { freePort } from './helpers/redis.ts';
import { waitFor } from './helpers/wait-for.ts';

const HOUR = 3_600_000;

interface Listed {
  id: string;
  names: string[];
  status: string;
  notAfter: string | null;
  renewAt: string;
  profile: string | null;
  ariWindow: { start: string; end: string; explanationUrl: string | null } | null;
}

async function only(world: AcmeWorld): Promise<Listed | undefined> {
  const { body } = await world.gatehouse.api('GET', '/api/v1/certificates/');
  return (body.certificates as Listed[]).find((c) => c.status !== 'pending');
}

/** The PEM of the certificate the listener serves for `name`. */
async function served(world: AcmeWorld, name: string, root: string): Promise<string> {
  const peer = await handshake(world.httpsPort, name, root);
  return `-----BEGIN CERTIFICATE-----\n${peer.raw.toString('base64')}\n-----END CERTIFICATE-----\n`;
}

test('without ARI, a certificate renews when a third of its lifetime is left, and the new one is served', async (t) => {
  const clock = manualClock();
  const world = await startAcmeWorld({
    flags: { 'acme-hosts': 'renew.gatehouse.test' },
    pebble: { validitySeconds: 6 * 3600 },
    clock,
  });
  t.after(() => world.stop());
  const root = await world.pebble.root();
  const first = await waitFor('the first certificate', () => only(world), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  const before = await served(world, 'renew.gatehouse.test', root);
  const renewAt = Date.parse(first.renewAt);
  const notAfter = Date.parse(first.notAfter!);
  assert.ok(Math.abs(notAfter - renewAt - 2 * HOUR) < 60_000, 'renewal is planned with 2 of 6 hours left');

  clock.set(renewAt - 60_000);
  await world.gatehouse.gateway.certificates!.check();
  assert.equal(await served(world, 'renew.gatehouse.test', root), before, 'not yet due: nothing is ordered');

  clock.set(renewAt + 1000);
  await world.gatehouse.gateway.certificates!.check();
  const after = await served(world, 'renew.gatehouse.test', root);
  assert.notEqual(after, before, 'the renewed certificate is served, with no restart');
  const second = (await only(world))!;
  assert.ok(
    Math.abs(Date.parse(second.notAfter!) - Date.parse(second.renewAt) - 2 * HOUR) < 60_000,
    'its own renewal is planned from its own lifetime',
  );
});

test('with ARI: renewal inside the suggested window, re-checked as Retry-After asks, with replaces and the profile', async (t) => {
  const clock = manualClock();
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pebble = await startPebble({ httpPort, tlsPort: httpsPort });
  t.after(() => pebble.stop());
  const standin = await startAriStandin(
    pebble,
    { classic: 'the default', shortlived: 'six-day certificates' },
    { start: clock() + 30 * 24 * HOUR, end: clock() + 31 * 24 * HOUR, retryAfterSeconds: 3600 },
  );
  t.after(() => standin.stop());
  const world = await startAcmeWorld({
    shared: { pebble, httpPort, httpsPort },
    flags: {
      'acme-hosts': 'ari.gatehouse.test',
      'acme-directory': standin.directory,
      'acme-profile': 'shortlived',
    },
    clock,
  });
  t.after(() => world.stop());
  const root = await pebble.root();
  const first = await waitFor('the first certificate', () => only(world), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  assert.equal(first.profile, 'shortlived');
  assert.deepEqual(
    standin.orders.map((o) => [o.profile, o.replaces]),
    [['shortlived', undefined]],
    'the profile is asked for in newOrder; a first order replaces nothing',
  );
  const oldPem = await served(world, 'ari.gatehouse.test', root);
  const oldId = ariCertId(oldPem)!;
  assert.deepEqual(standin.lookups, [oldId], 'ARI is asked about the new certificate by its RFC 9773 id');
  assert.equal(first.ariWindow?.start, new Date(clock() + 30 * 24 * HOUR).toISOString());
  const renewAt = Date.parse(first.renewAt);
  assert.ok(
    renewAt >= clock() + 30 * 24 * HOUR && renewAt <= clock() + 31 * 24 * HOUR,
    'a time inside the window',
  );

  // The CA moves the window forward (say, a revocation ahead): seen at the next check Retry-After allows.
  const moved = { start: clock() + 2 * HOUR, end: clock() + 3 * HOUR, retryAfterSeconds: 3600 };
  standin.setWindow(moved);
  clock.advance(30 * 60_000);
  await world.gatehouse.gateway.certificates!.check();
  assert.equal(standin.lookups.length, 1, 'not asked again before Retry-After');
  clock.advance(31 * 60_000);
  await world.gatehouse.gateway.certificates!.check();
  assert.equal(standin.lookups.length, 2);
  const rescheduled = (await only(world))!;
  assert.equal(rescheduled.ariWindow?.start, new Date(moved.start).toISOString());
  assert.ok(Date.parse(rescheduled.renewAt) >= moved.start && Date.parse(rescheduled.renewAt) <= moved.end);

  clock.set(moved.end);
  await world.gatehouse.gateway.certificates!.check();
  assert.deepEqual(standin.orders.at(-1), {
    identifiers: [{ type: 'dns', value: 'ari.gatehouse.test' }],
    profile: 'shortlived',
    replaces: oldId,
  });
  assert.notEqual(await served(world, 'ari.gatehouse.test', root), oldPem);
});

test('a profile the CA does not offer is refused before ordering, saying which it offers', async (t) => {
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pebble = await startPebble({ httpPort, tlsPort: httpsPort });
  t.after(() => pebble.stop());
  const standin = await startAriStandin(pebble, { classic: 'the default' }, { start: 0, end: 0 });
  t.after(() => standin.stop());
  const world = await startAcmeWorld({
    shared: { pebble, httpPort, httpsPort },
    flags: {
      'acme-hosts': 'profile.gatehouse.test',
      'acme-directory': standin.directory,
      'acme-profile': 'tlsserver',
    },
  });
  t.after(() => world.stop());
  const failed = await waitFor(
    'the refusal',
    async () => {
      const { body } = await world.gatehouse.api('GET', '/api/v1/certificates/');
      return (body.certificates as { lastError?: { message: string } }[]).find((c) => c.lastError);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  assert.match(
    failed.lastError!.message,
    /offers no profile tlsserver \(it offers classic\): change --acme-profile/,
  );
  assert.equal(standin.orders.length, 0);
});

test('a certificate that cannot renew near its end is a warning in the log, /metrics and the admin API', async (t) => {
  const clock = manualClock();
  const logs: string[] = [];
  const world = await startAcmeWorld({
    flags: { 'acme-hosts': 'fragile.gatehouse.test' },
    pebble: { validitySeconds: 10 * 3600 },
    clock,
    logger: createLogger('info', { write: (line: string) => void logs.push(line) }),
  });
  t.after(() => world.stop());
  const first = await waitFor('the first certificate', () => only(world), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  await world.pebble.stop();
  clock.set(Date.parse(first.notAfter!) - 30 * 60_000);
  await world.gatehouse.gateway.certificates!.check();
  const { body } = await world.gatehouse.api('GET', `/api/v1/certificates/${first.id}`);
  assert.equal(body.status, 'near-expiry');
  assert.equal(body.lastError.code, 'CERT_CA_UNREACHABLE');
  assert.ok(Date.parse(body.renewAt) < Date.parse(first.notAfter!), 'tried again before the end');
  const metrics = await world.gatehouse.send('localhost', '/metrics');
  assert.match(
    metrics.text,
    new RegExp(
      `gatehouse_certificate_near_expiry\\{certificate="${first.id}",name="fragile.gatehouse.test"\\} 1`,
    ),
  );
  const warning = logs.map((l) => JSON.parse(l)).find((l) => /near its end and not renewed/.test(l.msg));
  assert.equal(warning?.level, 40);
  assert.match(warning.msg, /POST …\/renew to try now/);
});

test('the admin API renews at once and revokes, answering with the certificate and never its key', async (t) => {
  const world = await startAcmeWorld({ flags: { 'acme-hosts': 'admin.gatehouse.test' } });
  t.after(() => world.stop());
  const root = await world.pebble.root();
  const first = await waitFor('the first certificate', () => only(world), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  const original = await served(world, 'admin.gatehouse.test', root);

  const renewed = await world.gatehouse.api('POST', `/api/v1/certificates/${first.id}/renew`);
  assert.equal(renewed.status, 200);
  assert.equal(renewed.body.status, 'valid');
  assert.equal(renewed.body.lastError, null);
  const afterRenewal = await served(world, 'admin.gatehouse.test', root);
  assert.notEqual(afterRenewal, original);

  const revoked = await world.gatehouse.api('POST', `/api/v1/certificates/${first.id}/revoke`);
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.status, 'valid', 'a replacement is ordered and served');
  assert.notEqual(await served(world, 'admin.gatehouse.test', root), afterRenewal);
  assert.match(world.pebble.output(), /revok/i);
  assert.doesNotMatch(JSON.stringify([renewed.body, revoked.body]), /PRIVATE KEY|sealed/);

  const unknown = await world.gatehouse.api('POST', '/api/v1/certificates/0123abcd/renew');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error, 'CERT_NOT_FOUND');
});

test("a rate-limited order keeps the CA's problem document and waits as its Retry-After says", async (t) => {
  const clock = manualClock();
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pebble = await startPebble({ httpPort, tlsPort: httpsPort });
  t.after(() => pebble.stop());
  const standin = await startAriStandin(pebble, {}, { start: 0, end: 0 });
  t.after(() => standin.stop());
  standin.refuseOrders({
    status: 429,
    type: 'urn:ietf:params:acme:error:rateLimited',
    detail: 'too many new orders recently',
    retryAfterSeconds: 3600,
  });
  const world = await startAcmeWorld({
    shared: { pebble, httpPort, httpsPort },
    flags: { 'acme-hosts': 'limited.gatehouse.test', 'acme-directory': standin.directory },
    clock,
  });
  t.after(() => world.stop());
  const failed = await waitFor(
    'the refusal',
    async () => {
      const { body } = await world.gatehouse.api('GET', '/api/v1/certificates/');
      return (
        body.certificates as {
          renewAt: string;
          lastError?: { message: string; problem: { type: string; detail: string } };
        }[]
      ).find((c) => c.lastError);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  assert.deepEqual(failed.lastError!.problem, {
    type: 'urn:ietf:params:acme:error:rateLimited',
    detail: 'too many new orders recently',
    status: 429,
  });
  assert.match(
    failed.lastError!.message,
    /too many new orders recently.*tries again in 3600 s, as the CA asks/,
  );
  assert.equal(
    failed.renewAt,
    new Date(clock() + 3600_000).toISOString(),
    'Retry-After, not the first backoff minute',
  );

  standin.refuseOrders(undefined);
  clock.advance(3600_000);
  await world.gatehouse.gateway.certificates!.check();
  const { body } = await world.gatehouse.api('GET', '/api/v1/certificates/');
  assert.equal(body.certificates[0].status, 'valid', 'ordered once the wait is over');
});

test('a certificate the CA says was replaced already is renewed without replaces, not failed at every attempt', async (t) => {
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pebble = await startPebble({ httpPort, tlsPort: httpsPort });
  t.after(() => pebble.stop());
  const far = Date.now() + 30 * 24 * HOUR;
  const standin = await startAriStandin(pebble, {}, { start: far, end: far + HOUR });
  t.after(() => standin.stop());
  const world = await startAcmeWorld({
    shared: { pebble, httpPort, httpsPort },
    flags: { 'acme-hosts': 'replaced.gatehouse.test', 'acme-directory': standin.directory },
  });
  t.after(() => world.stop());
  const first = await waitFor('the first certificate', () => only(world), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  standin.refuseReplaces(true);
  const renewed = await world.gatehouse.api('POST', `/api/v1/certificates/${first.id}/renew`);
  assert.equal(renewed.body.status, 'valid');
  assert.equal(renewed.body.lastError, null);
  assert.deepEqual(
    standin.orders.map((o) => o.replaces !== undefined),
    [false, true, false],
    'first order, the refused renewal naming its predecessor, the renewal without',
  );
});
