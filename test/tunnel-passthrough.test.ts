import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  type AddressInfo,
  connect as connectTcp,
  createServer as createTcpServer,
  type Server,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect as connectTls, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { certificateAuthority, clientCertificate, selfSigned } from './helpers/certs.ts';
import { captureClientHello, helloNaming, record } from './helpers/client-hello.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const VIN = '5YJ3E1EA7KF000001';

/** Reads a socket until it ends; resolves with everything read. */
async function readAll(socket: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Resolves once the server listens on a loopback port; returns that port. */
async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('TLS passthrough: connections routed by server name to a tunnel, unterminated', () => {
  let dir: string;
  let gw: TestGateway;
  let tlsPort: number;
  let localTls: Server;
  let localTlsPort: number;
  let rawLocal: Server;
  let agent: TunnelAgent;
  let rawAgent: TunnelAgent;
  let files: {
    gatehouse: { cert: string; key: string };
    local: { cert: string; key: string };
    vehicleCa: { cert: string; key: string };
    vehicle: { cert: string; key: string };
  };
  /** Client certificate common names the local TLS server saw, in order. */
  const seenByLocal: string[] = [];
  /** What the plain TCP local server received on each connection, and whether the client ended it. */
  const rawSeen: { bytes: Buffer; ended: boolean }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-passthrough-'));
    const vehicleCa = certificateAuthority(dir, 'vehicle-ca');
    files = {
      gatehouse: selfSigned(dir, 'gatehouse', [
        'gatehouse.localhost',
        'localhost',
        'web.localhost',
        'nobody.localhost',
        'site.localhost',
      ]),
      local: selfSigned(dir, 'local', [
        'car.localhost',
        'back.localhost',
        'spare.localhost',
        'gone.localhost',
      ]),
      vehicleCa,
      vehicle: clientCertificate(dir, 'vehicle', VIN, vehicleCa),
    };
    gw = await startTestGateway({
      flags: {
        'tls-port': '0',
        'tls-cert': files.gatehouse.cert,
        'tls-key': files.gatehouse.key,
        'tunnel-offline-wait': '200',
      },
    });
    tlsPort = gw.gateway.httpsPort!;

    // The developer's TLS server: strict mTLS with the vehicles' CA, echoing what it reads.
    localTls = createTlsServer({
      cert: readFileSync(files.local.cert),
      key: readFileSync(files.local.key),
      ca: readFileSync(files.vehicleCa.cert),
      requestCert: true,
      rejectUnauthorized: true,
    });
    localTls.on('secureConnection', (socket: TLSSocket) => {
      seenByLocal.push(String(socket.getPeerCertificate().subject?.CN));
      socket.pipe(socket);
    });
    localTls.on('tlsClientError', () => {});
    localTlsPort = await listen(localTls);

    // A plain TCP server behind a second tunnel, to see the exact bytes and both half-closes.
    rawLocal = createTcpServer({ allowHalfOpen: true }, (socket) => {
      const seen = { bytes: Buffer.alloc(0), ended: false };
      rawSeen.push(seen);
      socket.on('data', (chunk: Buffer) => {
        seen.bytes = Buffer.concat([seen.bytes, chunk]);
      });
      socket.once('end', () => {
        seen.ended = true;
        // Answers only after the client has stopped sending: the reply travels a half-closed connection.
        socket.end(`got ${seen.bytes.length} bytes`);
      });
    });
    const rawPort = await listen(rawLocal);

    const car = await createTunnel(gw, 'car');
    agent = await startPassthroughAgent(car, localTlsPort);
    const raw = await createTunnel(gw, 'raw');
    rawAgent = await startPassthroughAgent(raw, rawPort);
    await createTunnel(gw, 'web');
  });

  after(async () => {
    agent?.stop();
    rawAgent?.stop();
    await gw?.stop();
    localTls?.close();
    rawLocal?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startPassthroughAgent(tunnel: { name: string; key: string }, port: number) {
    const started = new TunnelAgent({
      server: new URL(gw.url),
      name: tunnel.name,
      key: tunnel.key,
      tlsPassthrough: { host: '127.0.0.1', port },
      version: 'test',
      backoffBaseMs: 50,
    });
    started.start();
    await once(started, 'online');
    return started;
  }

  /** A TLS client for `servername` on the public HTTPS port; resolves once the handshake is done. */
  function vehicle(servername: string, options: { cert?: boolean; ca?: string } = {}): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = connectTls({
        host: '127.0.0.1',
        port: tlsPort,
        servername,
        ca: readFileSync(options.ca ?? files.local.cert),
        ...(options.cert === false
          ? {}
          : { cert: readFileSync(files.vehicle.cert), key: readFileSync(files.vehicle.key) }),
      });
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  test("the client completes its handshake with the local server, which sees the client's certificate", async () => {
    const socket = await vehicle('car.localhost');
    // Verified against the local server's own certificate: Gatehouse's would not pass.
    assert.equal(socket.authorized, true);
    assert.equal(socket.getPeerCertificate().subject.CN, 'car.localhost');
    socket.write('hello through the tunnel');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    assert.equal(echo.toString(), 'hello through the tunnel');
    assert.equal(seenByLocal.at(-1), VIN);
    socket.end();
    await once(socket, 'close');
  });

  test('bytes echo both ways, in order, over many round trips and in bulk', async () => {
    const socket = await vehicle('car.localhost');
    for (let i = 0; i < 20; i++) {
      socket.write(`ping ${i}`);
      const [echo] = (await once(socket, 'data')) as [Buffer];
      assert.equal(echo.toString(), `ping ${i}`);
    }
    const bulk = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < bulk.length; i++) bulk[i] = (i * 7 + 3) & 0xff;
    const received: Buffer[] = [];
    let size = 0;
    const all = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        size += chunk.length;
        if (size >= bulk.length) resolve();
      }),
    );
    socket.write(bulk);
    await all;
    assert.ok(Buffer.concat(received).equals(bulk));
    socket.end();
    await once(socket, 'close');
  });

  test('the local server, not Gatehouse, refuses a client without a certificate', async () => {
    const before = seenByLocal.length;
    const socket = await vehicle('car.localhost', { cert: false }).catch((error: Error) => error);
    // TLS 1.3 lets the client finish first; the local server's refusal then arrives as an alert.
    const error = socket instanceof Error ? socket : await once(socket, 'error').then(([e]) => e as Error);
    assert.match(String((error as NodeJS.ErrnoException).code), /ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED/);
    assert.equal(seenByLocal.length, before);
  });

  test('the exact bytes pass, and each side may stop sending and still receive', async () => {
    const hello = helloNaming('raw.localhost');
    const socket = connectTcp({ host: '127.0.0.1', port: tlsPort, allowHalfOpen: true });
    await once(socket, 'connect');
    const payload = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0]);
    // The hello in two writes: the name is read across reads.
    socket.write(hello.subarray(0, 9));
    socket.write(Buffer.concat([hello.subarray(9), payload]));
    socket.end();
    const reply = await readAll(socket);
    const seen = rawSeen.at(-1)!;
    assert.deepEqual(seen.bytes, Buffer.concat([hello, payload]));
    assert.equal(seen.ended, true);
    assert.equal(reply.toString(), `got ${hello.length + payload.length} bytes`);
  });

  test('a name that is not a passthrough tunnel gets Gatehouse’s own certificate, as before', async () => {
    for (const name of ['web.localhost', 'nobody.localhost', 'localhost']) {
      const socket = await vehicle(name, { ca: files.gatehouse.cert });
      assert.equal(socket.getPeerCertificate().subject.CN, 'gatehouse.localhost', name);
      socket.destroy();
    }
    const anonymous = await new Promise<TLSSocket>((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false });
      socket.once('secureConnect', () => resolve(socket)).once('error', reject);
    });
    assert.equal(anonymous.getPeerCertificate().subject.CN, 'gatehouse.localhost');
    anonymous.destroy();
  });

  test('plain HTTP for a passthrough-only tunnel is answered by name', async () => {
    const res = await gw.send('car.localhost', '/');
    assert.equal(res.status, 502);
    assert.match(res.text, /tunnel car takes TLS connections only \(--tls-passthrough\)/);
  });

  test('the admin API shows where TLS clients reach the tunnel', async () => {
    const res = await gw.api('GET', '/api/v1/tunnels/car');
    assert.equal(res.body.tlsPassthrough, `car.localhost:${tlsPort}`);
    assert.equal(res.body.url, `https://car.localhost:${tlsPort}`);
    assert.equal((await gw.api('GET', '/api/v1/tunnels/web')).body.tlsPassthrough, null);
  });

  test('malformed and hostile ClientHellos are closed, and the gateway goes on serving', async () => {
    const real = await captureClientHello('car.localhost');
    const hostile = [
      Buffer.from('GET / HTTP/1.1\r\nhost: car.localhost\r\n\r\n'),
      real.subarray(0, 40),
      Buffer.from([22, 3, 1, 0xff, 0xff, 1, 0xff, 0xff, 0xff]),
      record(22, Buffer.from([1, 0, 0, 4, 3, 3, 0, 0])),
      helloNaming(Buffer.from('car.localhost\0evil')),
      helloNaming('car.localhost.'),
      Buffer.alloc(70_000, 22),
      Buffer.from([0x80, 0x2e, 0x01]),
    ];
    await Promise.all(
      hostile.map(async (bytes) => {
        const socket = connectTcp({ host: '127.0.0.1', port: tlsPort });
        socket.on('error', () => {});
        await once(socket, 'connect');
        socket.end(bytes);
        // Refused either way: an alert and a close, or a reset. What comes is read, so the end is seen.
        socket.resume();
        await new Promise((resolve) => socket.once('close', resolve));
      }),
    );
    const socket = await vehicle('car.localhost');
    socket.write('still here');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    assert.equal(echo.toString(), 'still here');
    socket.destroy();
  });

  test('a local server that refuses the connection reaches the client as a TLS alert', async (t) => {
    const closed = createTcpServer();
    const port = await listen(closed);
    closed.close();
    const gone = await createTunnel(gw, 'gone');
    const goneAgent = await startPassthroughAgent(gone, port);
    t.after(() => goneAgent.stop());
    const error = await vehicle('gone.localhost').then(
      () => assert.fail('handshake completed'),
      (e: NodeJS.ErrnoException) => e,
    );
    assert.match(String(error.code), /ALERT_INTERNAL_ERROR/);
  });

  test('an offline passthrough tunnel closes the connection with a TLS alert, not Gatehouse’s certificate', async () => {
    const spare = await createTunnel(gw, 'spare');
    const spareAgent = await startPassthroughAgent(spare, localTlsPort);
    spareAgent.stop();
    await waitFor('the tunnel to be offline', () => !gw.gateway.tunnels.registry.get('spare'));
    const error = await vehicle('spare.localhost').then(
      () => assert.fail('handshake completed'),
      (e: NodeJS.ErrnoException) => e,
    );
    assert.match(String(error.code), /ALERT_INTERNAL_ERROR/);
  });

  test('an offline tunnel that comes back within the offline wait gets the connection', async (t) => {
    const back = await createTunnel(gw, 'back');
    const first = await startPassthroughAgent(back, localTlsPort);
    first.stop();
    await waitFor('the tunnel to be offline', () => !gw.gateway.tunnels.registry.get('back'));
    const waiting = once(gw.gateway.tunnels.registry, 'waiting');
    const connecting = vehicle('back.localhost');
    await waiting;
    const second = await startPassthroughAgent(back, localTlsPort);
    t.after(() => second.stop());
    const socket = await connecting;
    assert.equal(socket.authorized, true);
    socket.destroy();
  });

  test('an agent asking for passthrough from a Gatehouse without HTTPS stops, saying why', async (t) => {
    const plain = await startTestGateway();
    t.after(() => plain.stop());
    const tunnel = await createTunnel(plain, 'car');
    const refused = new TunnelAgent({
      server: new URL(plain.url),
      name: tunnel.name,
      key: tunnel.key,
      tlsPassthrough: { host: '127.0.0.1', port: localTlsPort },
      version: 'test',
    });
    refused.start();
    const [reason] = await once(refused, 'fatal');
    assert.equal(reason.kind, 'passthrough-unavailable');
    assert.match(reason.message, /no HTTPS listener.*--tls-cert/);
  });

  test('an HTTP tunnel on the same Gatehouse still serves HTTPS through Gatehouse’s own TLS', async (t) => {
    const web = await createTunnel(gw, 'site');
    // An HTTP agent, no passthrough: its name is terminated by Gatehouse as before.
    const up = await startUpstream();
    t.after(() => up.close());
    const webAgent = await startAgent(gw, web, up.url);
    t.after(() => webAgent.stop());
    const socket = await vehicle('site.localhost', { ca: files.gatehouse.cert });
    assert.equal(socket.getPeerCertificate().subject.CN, 'gatehouse.localhost');
    socket.destroy();
  });
});
