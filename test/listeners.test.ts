import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { loadConfig } from '../src/config/load-config.ts';
import { certificateAuthority, clientCertificate, selfSigned } from './helpers/certs.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawGet } from './helpers/raw-http.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

/** One HTTPS GET; resolves with the status, or rejects with the handshake's error. */
function httpsGet(
  port: number,
  options: { servername?: string; ca?: Buffer; cert?: Buffer; key?: Buffer; host?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        agent: false,
        headers: { host: options.host ?? 'app.test' },
        ...(options.servername ? { servername: options.servername } : {}),
        ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }),
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A TLS handshake that sends no server name (to an IP address); resolves with the served certificate's subject. */
function handshakeWithoutName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(String(socket.getPeerCertificate().subject?.CN));
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

describe('listeners as a list', () => {
  let dir: string;
  let gw: TestGateway;
  let up: Upstream;
  let ca: { cert: string; key: string };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-listeners-'));
    ca = certificateAuthority(dir, 'vehicles-ca');
    const server = selfSigned(dir, 'server', ['app.test']);
    const config = join(dir, 'gatehouse.yaml');
    writeFileSync(
      config,
      [
        'listeners:',
        '  - { name: public, port: 0, host: 127.0.0.1 }',
        '  - { name: internal, port: 0, host: 127.0.0.1 }',
        '  - name: acme',
        '    port: 0',
        '    host: 127.0.0.1',
        '    tls: {}',
        '  - name: mtls',
        '    port: 0',
        '    host: 127.0.0.1',
        '    tls:',
        `      cert: ${server.cert}`,
        `      key: ${server.key}`,
        '      clientCertificates: require',
        `      ca: ${ca.cert}`,
      ].join('\n'),
    );
    gw = await startTestGateway({
      flags: { config, port: undefined, host: undefined },
    });
    up = await startUpstream((_req, res) => res.end('through'));
    await gw.addRoute({ host: 'app.test', target: up.url });
  });
  after(async () => {
    await gw.stop();
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const port = (name: string) => gw.gateway.listeners.find((l) => l.name === name)!.port;

  test('every plain listener serves the same routes', async () => {
    assert.deepEqual(
      gw.gateway.listeners.map((l) => l.name),
      ['public', 'internal', 'acme', 'mtls'],
    );
    for (const name of ['public', 'internal']) {
      const res = await rawGet(port(name), '/', { host: 'app.test' });
      assert.equal(res.text, 'through', name);
    }
  });

  test('an HTTPS listener starts without a certificate and serves once one is added', async () => {
    await assert.rejects(httpsGet(port('acme'), { servername: 'app.test' }));
    const cert = selfSigned(dir, 'issued-later', ['app.test']);
    const pem = { cert: readFileSync(cert.cert), key: readFileSync(cert.key) };
    gw.gateway.listeners.find((l) => l.name === 'acme')!.certificates!.add(['app.test'], pem);
    assert.equal(await httpsGet(port('acme'), { servername: 'app.test', ca: pem.cert }), 200);
    await assert.rejects(
      handshakeWithoutName(port('acme')),
      'a client that names no host still has no certificate',
    );
    gw.gateway.listeners.find((l) => l.name === 'acme')!.certificates!.setDefault(pem);
    assert.match(
      await handshakeWithoutName(port('acme')),
      /app\.test/,
      'the default serves clients that send no name',
    );
  });

  test('a listener that requires client certificates refuses a client without one', async () => {
    await assert.rejects(httpsGet(port('mtls'), { servername: 'app.test' }));
    const stranger = certificateAuthority(dir, 'stranger-ca');
    const forged = clientCertificate(dir, 'forged', '5YJ3E1EA1KF000001', stranger);
    await assert.rejects(
      httpsGet(port('mtls'), {
        servername: 'app.test',
        cert: readFileSync(forged.cert),
        key: readFileSync(forged.key),
      }),
    );
    const vehicle = clientCertificate(dir, 'vehicle', '5YJ3E1EA1KF000001', ca);
    assert.equal(
      await httpsGet(port('mtls'), {
        servername: 'app.test',
        cert: readFileSync(vehicle.cert),
        key: readFileSync(vehicle.key),
      }),
      200,
    );
  });
});

describe('listener configuration errors', () => {
  const load = (file: string, flags: Record<string, string> = {}) =>
    loadConfig({ flags: { config: 'gatehouse.yaml', ...flags }, env: {}, readFile: () => file });
  const cases: [string, string, Record<string, string>, RegExp][] = [
    [
      'port beside listeners',
      'listeners: [{ name: a, port: 1 }]',
      { port: '8080' },
      /port \(from --port\) cannot be combined with listeners/,
    ],
    [
      'two listeners with one name',
      'listeners: [{ name: a, port: 1 }, { name: a, port: 2 }]',
      {},
      /listeners.*names must be unique/,
    ],
    [
      'client certificates without a CA',
      'listeners: [{ name: a, port: 1, tls: { clientCertificates: require } }]',
      {},
      /listeners\.0\.tls\.ca.*needs ca/,
    ],
    ['a name that is not a name', 'listeners: [{ name: "A B", port: 1 }]', {}, /listeners\.0\.name/],
    ['no listeners at all', 'listeners: []', {}, /listeners.*at least one/],
  ];
  for (const [name, file, flags, message] of cases) {
    test(name, () => {
      assert.throws(() => load(file, flags), message);
    });
  }

  test('a port another listener holds is named with what to do', async (t) => {
    const holder = await startTestGateway();
    t.after(() => holder.stop());
    const file = `listeners: [{ name: second, port: ${holder.port}, host: 127.0.0.1 }]`;
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-busy-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'busy.yaml'), file);
    await assert.rejects(
      startTestGateway({
        flags: {
          config: join(dir, 'busy.yaml'),
          port: undefined as unknown as string,
          host: undefined as unknown as string,
        },
      }),
      new RegExp(
        `listener second: 127\\.0\\.0\\.1 port ${holder.port} is already in use \\(EADDRINUSE\\); choose another port`,
      ),
    );
  });
});
