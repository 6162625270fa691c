import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config/load-config.ts';
import { isPublicAddress } from '../src/http/public-address.ts';
import { relayAllowed } from '../src/relay/environment.ts';
import { RelayError } from '../src/relay/errors.ts';
import { hmacHex, registrationMessage, signatureMatches, verifySigned } from '../src/relay/signature.ts';
import { checkTargetUrl, hostAllowed, resolvePublicAddress } from '../src/relay/target-policy.ts';

const SECRET = 'relay-secret';
const NOW = 1_800_000_000_000;
const refusedWith = (code: string) => (e: unknown) => e instanceof RelayError && e.code === code;

describe('relay signatures', () => {
  const ts = NOW / 1000;
  const message = registrationMessage('https://dev-ysg.trycloudflare.com', 'ysg', ts);

  test('the signed text is "{tunnel_url}:{developer_id}:{timestamp}"', () => {
    assert.equal(message, `https://dev-ysg.trycloudflare.com:ysg:${ts}`);
  });

  test('a valid signature passes', () => {
    verifySigned(SECRET, message, hmacHex(SECRET, message), ts, NOW);
  });

  const bad: [name: string, signature: string, timestamp: number, code: string][] = [
    ['wrong secret', hmacHex('other', message), ts, 'RELAY_SIGNATURE_INVALID'],
    ['another message', hmacHex(SECRET, `${message}x`), ts, 'RELAY_SIGNATURE_INVALID'],
    ['not hex', 'z'.repeat(64), ts, 'RELAY_SIGNATURE_INVALID'],
    ['truncated', hmacHex(SECRET, message).slice(0, 63), ts, 'RELAY_SIGNATURE_INVALID'],
    ['empty', '', ts, 'RELAY_SIGNATURE_INVALID'],
    ['61 s old', hmacHex(SECRET, message), ts - 61, 'RELAY_TIMESTAMP_STALE'],
    ['61 s ahead', hmacHex(SECRET, message), ts + 61, 'RELAY_TIMESTAMP_STALE'],
    ['not a number', hmacHex(SECRET, message), Number.NaN, 'RELAY_TIMESTAMP_STALE'],
  ];
  for (const [name, signature, timestamp, code] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(() => verifySigned(SECRET, message, signature, timestamp, NOW), refusedWith(code));
    });
  }

  test('upper-case hex is the same signature', () => {
    assert.equal(signatureMatches(SECRET, message, hmacHex(SECRET, message).toUpperCase()), true);
  });
});

describe('relay environment guard', () => {
  const cases: [enabled: boolean, env: Record<string, string>, allowed: boolean][] = [
    [true, { GATEHOUSE_ENV: 'dev' }, true],
    [true, { ENV: 'lcl' }, true],
    [true, { GATEHOUSE_ENV: 'INF' }, true],
    [true, { GATEHOUSE_ENV: 'tst' }, false],
    [true, { GATEHOUSE_ENV: 'prd' }, false],
    [true, { GATEHOUSE_ENV: 'prd', ENV: 'dev' }, false],
    [true, {}, false],
    [false, { GATEHOUSE_ENV: 'dev' }, false],
  ];
  for (const [enabled, env, expected] of cases) {
    test(`enabled=${enabled} ${JSON.stringify(env)} → ${expected}`, () => {
      assert.equal(
        relayAllowed(enabled, loadConfig({ flags: {}, env }).environment, ['dev', 'lcl', 'inf']),
        expected,
      );
    });
  }
});

describe('relay targets (SSRF rules)', () => {
  const allow = ['*.trycloudflare.com'];
  test('an https host on the allowlist passes', () => {
    assert.equal(
      checkTargetUrl('https://dev-ysg.trycloudflare.com/base', allow).hostname,
      'dev-ysg.trycloudflare.com',
    );
  });
  const refused: [url: string, why: RegExp][] = [
    ['http://dev-ysg.trycloudflare.com', /https/],
    ['https://evil.example.com', /allowlist/],
    ['https://trycloudflare.com', /allowlist/],
    ['https://eviltrycloudflare.com', /allowlist/],
    ['https://10.0.0.1', /not an address/],
    ['https://[::1]/', /not an address/],
    ['https://u:p@dev.trycloudflare.com', /credentials/],
    ['not a url', /not a URL/],
  ];
  for (const [url, why] of refused) {
    test(`refused: ${url}`, () => {
      assert.throws(
        () => checkTargetUrl(url, allow),
        (e: unknown) => e instanceof RelayError && why.test(e.message),
      );
    });
  }

  const addresses: [address: string, isPublic: boolean][] = [
    ['93.184.216.34', true],
    ['2606:4700::1', true],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['127.0.0.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:93.184.216.34', true],
    ['::ffff:7f00:1', false],
    ['2002:7f00:1::1', false],
    ['2001:0:4136:e378::1', false],
    ['64:ff9b:1::a00:1', false],
    ['not-an-ip', false],
  ];
  for (const [address, expected] of addresses) {
    test(`${address} is ${expected ? '' : 'not '}public`, () =>
      assert.equal(isPublicAddress(address), expected));
  }

  test('a name resolving to any private address is refused (rebinding)', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await assert.rejects(
      resolvePublicAddress('dev.trycloudflare.com', resolve),
      refusedWith('RELAY_TARGET_REFUSED'),
    );
  });

  test('a public name yields the address to connect to', async () => {
    const got = await resolvePublicAddress('dev.trycloudflare.com', async () => [
      { address: '93.184.216.34', family: 4 },
    ]);
    assert.equal(got.address, '93.184.216.34');
  });

  test('wildcards match any depth below the domain, never the domain itself', () => {
    assert.equal(hostAllowed('a.b.trycloudflare.com', allow), true);
    assert.equal(hostAllowed('trycloudflare.com', allow), false);
    assert.equal(hostAllowed('exact.example', ['exact.example']), true);
  });
});
