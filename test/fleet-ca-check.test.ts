import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server } from 'node:tls';
import { type CaProblemCode, checkCaChain } from '../src/fleet/ca-check.ts';
import { parseResolve } from '../src/fleet/hosted-key.ts';
import { generateFleetKeyFiles } from '../src/fleet/keys.ts';
import { bundle, certChain, makeCert, type TestCert } from './helpers/cert-chain.ts';

const HOST = 'telemetry.test';
const DAY = 24 * 3600_000;

const servers: Server[] = [];

/** A TLS server on a loopback port 0 that sends `chain` (leaf first); with `mtls`, as a telemetry server, it demands a client certificate. */
async function serve(key: TestCert, chain: TestCert[], mtls = false): Promise<number> {
  const server = createServer({
    key: key.keyPem,
    cert: bundle(...chain),
    ...(mtls ? { requestCert: true, rejectUnauthorized: true, ca: chain.at(-1)!.certPem } : {}),
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const probe = createNetServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const check = (port: number, ca: string) =>
  checkCaChain({ hostname: HOST, port: 443, ca, resolve: parseResolve([`${HOST}=127.0.0.1:${port}`]) });

describe('ca check: the chain as a vehicle verifies it', () => {
  let chain: Awaited<ReturnType<typeof certChain>>;
  let other: Awaited<ReturnType<typeof certChain>>;
  const cases: {
    name: string;
    port: () => Promise<number>;
    ca: () => string;
    expect: CaProblemCode | 'ok';
    says?: RegExp;
  }[] = [];
  before(async () => {
    chain = await certChain(HOST);
    other = await certChain(HOST);
  });
  after(() => {
    for (const server of servers) server.close();
  });

  cases.push(
    {
      name: 'server sends leaf and intermediate, ca holds the root',
      port: () => serve(chain.leaf, [chain.leaf, chain.intermediate]),
      ca: () => bundle(chain.root),
      expect: 'ok',
    },
    {
      name: 'server sends its leaf alone, ca holds intermediate and root',
      port: () => serve(chain.leaf, [chain.leaf]),
      ca: () => bundle(chain.intermediate, chain.root),
      expect: 'ok',
    },
    {
      name: 'an mTLS server asking for a client certificate, once its own chain verified',
      port: () => serve(chain.leaf, [chain.leaf, chain.intermediate], true),
      ca: () => bundle(chain.root),
      expect: 'ok',
    },
    {
      name: 'partial chain: server sends its leaf alone, ca holds only the root',
      port: () => serve(chain.leaf, [chain.leaf]),
      ca: () => bundle(chain.root),
      expect: 'partial-chain',
      says: /sends only its own certificate.*Test Intermediate CA/,
    },
    {
      name: 'ca holds only the intermediate',
      port: () => serve(chain.leaf, [chain.leaf, chain.intermediate]),
      ca: () => bundle(chain.intermediate),
      expect: 'ca-intermediate-only',
      says: /an intermediate, but not the root.*Test Root CA/,
    },
    {
      name: 'ca is another CA altogether',
      port: () => serve(chain.leaf, [chain.leaf, chain.intermediate]),
      ca: () => bundle(other.root),
      expect: 'partial-chain',
    },
    {
      name: 'server sends a root ca does not hold',
      port: () => serve(chain.leaf, [chain.leaf, chain.intermediate, chain.root]),
      ca: () => bundle(other.root),
      expect: 'untrusted-root',
      says: /Test Root CA/,
    },
  );

  for (const c of cases) {
    test(c.name, async () => {
      const result = await check(await c.port(), c.ca());
      if (c.expect === 'ok') {
        assert.equal(result.problem, undefined, result.problem?.message);
        assert.equal(result.servedChain[0], `CN=${HOST}`);
      } else {
        assert.equal(result.problem?.code, c.expect, result.problem?.message);
        if (c.says) assert.match(result.problem!.message, c.says);
      }
    });
  }

  test('a certificate for another host name', async () => {
    const leaf = await makeCert({ name: 'other.test', dnsNames: ['other.test'], issuer: chain.intermediate });
    const result = await check(await serve(leaf, [leaf, chain.intermediate]), bundle(chain.root));
    assert.equal(result.problem?.code, 'hostname');
    assert.match(result.problem!.message, /DNS:other\.test, not telemetry\.test/);
  });

  test('an expired server certificate', async () => {
    const leaf = await makeCert({
      name: HOST,
      dnsNames: [HOST],
      issuer: chain.intermediate,
      notBefore: new Date(Date.now() - 60 * DAY),
      notAfter: new Date(Date.now() - 2 * DAY),
    });
    const result = await check(await serve(leaf, [leaf, chain.intermediate]), bundle(chain.root));
    assert.equal(result.problem?.code, 'expired');
    assert.match(
      result.problem!.message,
      /server's certificate CN=telemetry\.test expired on \d{4}-\d\d-\d\d/,
    );
  });

  test('a server certificate not valid yet', async () => {
    const leaf = await makeCert({
      name: HOST,
      dnsNames: [HOST],
      issuer: chain.intermediate,
      notBefore: new Date(Date.now() + 2 * DAY),
      notAfter: new Date(Date.now() + 60 * DAY),
    });
    const result = await check(await serve(leaf, [leaf, chain.intermediate]), bundle(chain.root));
    assert.equal(result.problem?.code, 'not-yet-valid');
  });

  test('a self-signed server certificate: refused unless ca holds it', async () => {
    const self = await makeCert({ name: HOST, dnsNames: [HOST] });
    const port = await serve(self, [self]);
    const refused = await check(port, bundle(chain.root));
    assert.equal(refused.problem?.code, 'self-signed');
    const trusted = await check(port, bundle(self));
    assert.equal(trusted.problem, undefined, trusted.problem?.message);
  });

  test('the command key or a private key given as ca is refused before connecting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ca-'));
    const files = generateFleetKeyFiles(dir);
    for (const [file, says] of [
      [files.publicKeyPath, /PUBLIC KEY block \(the command key/],
      [files.privateKeyPath, /EC PRIVATE KEY block: a private key must never leave/],
    ] as const) {
      const result = await check(await closedPort(), readFileSync(file, 'utf8'));
      assert.equal(result.problem?.code, 'not-certificate');
      assert.match(result.problem!.message, says);
    }
  });

  test('an unreachable server', async () => {
    const result = await check(await closedPort(), bundle(chain.root));
    assert.equal(result.problem?.code, 'unreachable');
    assert.match(result.problem!.message, /ECONNREFUSED/);
  });
});
