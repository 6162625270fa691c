import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { selfSigned } from './helpers/certs.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

function get(port: number, servername: string, host: string): Promise<{ cn: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, servername, headers: { host }, rejectUnauthorized: false, agent: false },
      (res) => {
        const cn = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN);
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ cn, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS with a certificate per host (SNI)', () => {
  let dir: string;
  let gw: TestGateway;
  let up: Upstream;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
    const fallback = selfSigned(dir, 'default', ['default.test']);
    const exact = selfSigned(dir, 'exact', ['exact.test']);
    const wild = selfSigned(dir, 'wild', ['*.wild.test']);
    const config = join(dir, 'gatehouse.yaml');
    writeFileSync(
      config,
      `tls:\n  port: 0\n  cert: ${fallback.cert}\n  key: ${fallback.key}\n  certificates:\n` +
        `    - { hosts: [exact.test], cert: ${exact.cert}, key: ${exact.key} }\n` +
        `    - { hosts: ["*.wild.test"], cert: ${wild.cert}, key: ${wild.key} }\n`,
    );
    gw = await startTestGateway({ flags: { config } });
    up = await startUpstream();
    await gw.addRoute({ host: '*', target: up.url });
  });
  after(async () => {
    await gw.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [servername: string, cn: string][] = [
    ['exact.test', 'exact.test'],
    ['a.wild.test', '*.wild.test'],
    ['unknown.test', 'default.test'],
  ];
  for (const [servername, cn] of cases) {
    test(`${servername} gets ${cn}`, async () => {
      const port = gw.gateway.httpsPort!;
      const res = await get(port, servername, servername);
      assert.equal(res.cn, cn);
      const seen = JSON.parse(res.body);
      assert.equal(seen.headers['x-forwarded-proto'], 'https');
    });
  }

  test('an unreadable certificate file is a config error naming the key', async () => {
    const config = join(dir, 'broken.yaml');
    writeFileSync(
      config,
      `tls:\n  port: 0\n  cert: ${join(dir, 'missing.pem')}\n  key: ${join(dir, 'missing.key')}\n`,
    );
    await assert.rejects(startTestGateway({ flags: { config } }), /tls\.cert: cannot read/);
  });
});
