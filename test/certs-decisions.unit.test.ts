import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ariCertId } from '../src/certs/ari-cert-id.ts';
import { CertError } from '../src/certs/cert-error.ts';
import type { ManagedCertificateRecord } from '../src/certs/cert-records.ts';
import { namesToCertify, planCertificates } from '../src/certs/certificate-names.ts';
import { OnDemandBudget } from '../src/certs/on-demand-budget.ts';
import { withFailure, withRenewalInfo } from '../src/certs/record-updates.ts';
import {
  ARI_DEFAULT_RECHECK_MS,
  BACKOFF_MAX_MS,
  nearExpiry,
  nextAriCheck,
  renewalTime,
  retryTime,
} from '../src/certs/renewal-schedule.ts';
import { routeServesName } from '../src/certs/routed-names.ts';
import { ServedCertificates } from '../src/certs/served-certificates.ts';
import { manualClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { seal, sealingKey } from '../src/core/sealing.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
const now = clock();

describe('when to renew', () => {
  const cases: {
    name: string;
    lifetimeDays: number;
    window?: { startDays: number; endDays: number };
    random: number;
    expectDays: number;
  }[] = [
    { name: '90-day certificate without ARI: at 60 days', lifetimeDays: 90, random: 0.5, expectDays: 60 },
    { name: '45-day certificate without ARI: at 30 days', lifetimeDays: 45, random: 0.5, expectDays: 30 },
    { name: '6-day certificate without ARI: at 4 days', lifetimeDays: 6, random: 0.5, expectDays: 4 },
    {
      name: 'ARI window: the start when random is 0',
      lifetimeDays: 90,
      window: { startDays: 50, endDays: 52 },
      random: 0,
      expectDays: 50,
    },
    {
      name: 'ARI window: inside it, in proportion to random',
      lifetimeDays: 90,
      window: { startDays: 50, endDays: 52 },
      random: 0.25,
      expectDays: 50.5,
    },
    {
      name: 'ARI window in the past (revocation ahead): a time already due',
      lifetimeDays: 90,
      window: { startDays: -2, endDays: -1 },
      random: 0.5,
      expectDays: -1.5,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const certificate = { notBefore: now, notAfter: now + c.lifetimeDays * DAY };
      const window = c.window && { start: now + c.window.startDays * DAY, end: now + c.window.endDays * DAY };
      assert.equal(
        renewalTime(certificate, window, () => c.random),
        now + c.expectDays * DAY,
      );
    });
  }

  test('ARI is asked again as Retry-After says, kept between a minute and a day', () => {
    assert.equal(nextAriCheck(now, 3600), now + HOUR);
    assert.equal(nextAriCheck(now, 1), now + 60_000);
    assert.equal(nextAriCheck(now, 7 * 86_400), now + DAY);
    assert.equal(nextAriCheck(now, undefined), now + ARI_DEFAULT_RECHECK_MS);
  });

  test('failures back off from a minute, doubling, up to six hours, and honour Retry-After', () => {
    assert.equal(retryTime(now, 1), now + 60_000);
    assert.equal(retryTime(now, 2), now + 120_000);
    assert.equal(retryTime(now, 4), now + 480_000);
    assert.equal(retryTime(now, 40), now + BACKOFF_MAX_MS);
    assert.equal(retryTime(now, 1, { retryAfterSeconds: 600 }), now + 600_000);
    assert.equal(
      retryTime(now, 40, { notAfter: now + 2 * HOUR }),
      now + HOUR,
      'tries once more an hour before the end',
    );
  });

  test('near expiry: a tenth of the lifetime left, at most a week', () => {
    const long = { notBefore: now - 80 * DAY, notAfter: now + 8 * DAY };
    assert.equal(nearExpiry(long, now), false);
    assert.equal(nearExpiry(long, now + DAY), true);
    const short = { notBefore: now - 5 * DAY, notAfter: now + DAY };
    assert.equal(nearExpiry(short, now), false);
    assert.equal(nearExpiry(short, now + 0.5 * DAY), true);
  });
});

describe('which names get certificates', () => {
  test('route, own and telemetry hosts, once each; the uncertifiable ones with the reason', () => {
    const { names, skipped } = namesToCertify({
      routeHosts: ['App.Example.com', 'api.example.com', '*.example.com', '*', 'app.example.com.'],
      ownHosts: ['gate.example.com', 'localhost', '127.0.0.1', 'intranet'],
      telemetryHost: 'telemetry.example.com',
    });
    assert.deepEqual(names, [
      'api.example.com',
      'app.example.com',
      'gate.example.com',
      'telemetry.example.com',
    ]);
    assert.deepEqual(
      skipped.map((s) => s.name),
      ['*.example.com', '*', 'localhost', '127.0.0.1', 'intranet'],
    );
    assert.match(skipped[0]!.reason, /DNS-01.*--acme-on-demand/);
  });

  const planCases: {
    name: string;
    wanted: string[];
    existing: { id: string; names: string[] }[];
    max?: number;
    keep: { id: string; names: string[] }[];
    retire: string[];
    create: string[][];
  }[] = [
    {
      name: 'nothing yet: new certificates of at most max names',
      wanted: ['a.test', 'b.test', 'c.test'],
      existing: [],
      max: 2,
      keep: [],
      retire: [],
      create: [['a.test', 'b.test'], ['c.test']],
    },
    {
      name: 'a name added: the existing certificate stays, the new name gets its own',
      wanted: ['a.test', 'b.test', 'c.test'],
      existing: [{ id: 'x', names: ['a.test', 'b.test'] }],
      keep: [{ id: 'x', names: ['a.test', 'b.test'] }],
      retire: [],
      create: [['c.test']],
    },
    {
      name: 'a name removed: it leaves at the next renewal; a certificate with none left retires',
      wanted: ['a.test'],
      existing: [
        { id: 'x', names: ['a.test', 'b.test'] },
        { id: 'y', names: ['c.test'] },
      ],
      keep: [{ id: 'x', names: ['a.test'] }],
      retire: ['y'],
      create: [],
    },
    {
      name: 'a name on two certificates: the first keeps it',
      wanted: ['a.test'],
      existing: [
        { id: 'x', names: ['a.test'] },
        { id: 'y', names: ['a.test'] },
      ],
      keep: [{ id: 'x', names: ['a.test'] }],
      retire: ['y'],
      create: [],
    },
  ];
  for (const c of planCases) {
    test(`grouping: ${c.name}`, () => {
      const plan = planCertificates(c.wanted, c.existing, c.max);
      assert.deepEqual(plan, { keep: c.keep, retire: c.retire, create: c.create });
    });
  }

  test('grouping: 250 names make certificates of 100, 100 and 50', () => {
    const wanted = Array.from({ length: 250 }, (_, i) => `n${String(i).padStart(3, '0')}.test`);
    assert.deepEqual(
      planCertificates(wanted, []).create.map((g) => g.length),
      [100, 100, 50],
    );
  });
});

/** RFC 9773's example: AKI 69:88:5B…:C8:D4, serial 0x87654321 (DER 00 87 65 43 21). */
const ARI_EXAMPLE = `-----BEGIN CERTIFICATE-----
MIIBUjCB+aADAgECAgUAh2VDITAKBggqhkjOPQQDAjAWMRQwEgYDVQQDDAthcmku
ZXhhbXBsZTAeFw0yNjEyMDcxMDU1MThaFw0zNjEyMDQxMDU1MThaMBYxFDASBgNV
BAMMC2FyaS5leGFtcGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEJVmAX9wb
/mRVAgvtNkHSTHTIzh1ZOKhWoghPVu0k3muWvj7w+6bagoorIc9uAGD05ICR8DfA
XVzgZdCJaan5UaM0MDIwDwYDVR0TAQH/BAUwAwEB/zAfBgNVHSMEGDAWgBRpiFtr
h0ZAQeGze4R7oK4s3gHI1DAKBggqhkjOPQQDAgNIADBFAiEA942gTNZRIHojOPSB
MhGh3SYFLxKp+0ohaEP8XTz1WwsCIEbK2yX/mctnow3Rr9yzQ+hACtqbxWzUBgGu
GPpTKdBv
-----END CERTIFICATE-----
`;

describe('ARI certificate identifier', () => {
  test('base64url AKI keyIdentifier, a dot, base64url serial as encoded', () => {
    assert.equal(ariCertId(ARI_EXAMPLE), 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });
});

describe('records after an ARI answer or a failure', () => {
  const base: ManagedCertificateRecord = {
    id: 'c1',
    names: ['a.test'],
    origin: 'config',
    directory: 'https://ca.test/dir',
    notBefore: new Date(now - 10 * DAY).toISOString(),
    notAfter: new Date(now + 80 * DAY).toISOString(),
    ari: {
      start: new Date(now + 50 * DAY).toISOString(),
      end: new Date(now + 52 * DAY).toISOString(),
      checkAfter: new Date(now).toISOString(),
    },
    renewAt: new Date(now + 51 * DAY).toISOString(),
    failures: 0,
    createdAt: new Date(now - 10 * DAY).toISOString(),
    updatedAt: new Date(now - 10 * DAY).toISOString(),
  };

  test('the same window: the renewal time stays, ARI is asked again after Retry-After', () => {
    const next = withRenewalInfo(
      base,
      { window: { start: now + 50 * DAY, end: now + 52 * DAY }, retryAfterSeconds: 7200 },
      now,
      () => 0,
    );
    assert.equal(next.renewAt, base.renewAt);
    assert.equal(next.ari?.checkAfter, new Date(now + 2 * HOUR).toISOString());
  });

  test('a window moved earlier (a revocation ahead): the renewal moves into it', () => {
    const next = withRenewalInfo(
      base,
      { window: { start: now + HOUR, end: now + 3 * HOUR }, retryAfterSeconds: undefined },
      now,
      () => 0.5,
    );
    assert.equal(next.renewAt, new Date(now + 2 * HOUR).toISOString());
    assert.equal(next.ari?.start, new Date(now + HOUR).toISOString());
  });

  test('no usable window this time: the last one stands, asked about again later', () => {
    const next = withRenewalInfo(base, { retryAfterSeconds: 60 }, now, () => 0);
    assert.equal(next.renewAt, base.renewAt);
    assert.equal(next.ari?.start, base.ari?.start);
    assert.equal(next.ari?.checkAfter, new Date(now + 60_000).toISOString());
  });

  test("a failure is counted, keeps the CA's problem, and backs off", () => {
    const problem = { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many' };
    const once = withFailure(base, new CertError('CERT_ORDER_FAILED', 'refused', { problem }), now);
    const twice = withFailure(once, new CertError('CERT_ORDER_FAILED', 'refused', { problem }), now);
    assert.equal(twice.failures, 2);
    assert.deepEqual(twice.lastError, {
      at: new Date(now).toISOString(),
      code: 'CERT_ORDER_FAILED',
      message: 'refused',
      problem,
    });
    assert.equal(once.renewAt, new Date(now + 60_000).toISOString());
    assert.equal(twice.renewAt, new Date(now + 120_000).toISOString());
  });
});

describe('on demand', () => {
  test('only names a route serves by its own host, not by the catch-all', () => {
    const routes = [{ host: 'app.test' }, { host: '*.apps.test' }, { host: '*' }];
    const cases: [string, boolean][] = [
      ['app.test', true],
      ['APP.test', true],
      ['x.apps.test', true],
      ['y.x.apps.test', false],
      ['other.test', false],
    ];
    for (const [name, served] of cases) assert.equal(routeServesName(routes, name), served, name);
  });

  test('the hourly budget refills as the hour moves on', () => {
    const clock = manualClock(now);
    const budget = new OnDemandBudget(2, clock);
    assert.deepEqual([budget.take(), budget.take(), budget.take()], [true, true, false]);
    clock.advance(HOUR - 1);
    assert.equal(budget.take(), false);
    clock.advance(1);
    assert.equal(budget.take(), true);
  });
});

describe('what a node serves', () => {
  const sealKey = sealingKey('a passphrase long enough for tests', 'test', 'certificates');
  const record = (id: string, names: string[], chain: string): ManagedCertificateRecord => ({
    id,
    names,
    origin: 'config',
    directory: 'https://ca.test/dir',
    chainPem: chain,
    sealedKey: seal(sealKey, `key of ${id}`, id),
    renewAt: new Date(now).toISOString(),
    failures: 0,
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
  });

  test('each chain installed once; a deleted certificate drops only the names no other one carries', () => {
    const calls: string[] = [];
    const served = new ServedCertificates(
      {
        install: (names, pem) => calls.push(`install ${names} ${pem.cert} ${pem.key}`),
        uninstall: (names) => calls.push(`uninstall ${names}`),
      },
      sealKey,
      createLogger('silent'),
    );
    const x = record('x', ['a.test', 'b.test'], 'chain-x');
    const y = record('y', ['b.test'], 'chain-y');
    served.sync([x, y]);
    served.sync([x, y]);
    served.sync([y]);
    assert.deepEqual(calls, [
      'install a.test,b.test chain-x key of x',
      'install b.test chain-y key of y',
      'uninstall a.test',
    ]);
  });
});
