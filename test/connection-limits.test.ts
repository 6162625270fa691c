import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConnectionTable, defaultConnectionLimit } from '../src/edge/listen/connection-limits.ts';
import { selfSigned } from './helpers/certs.ts';
import { captureClientHello } from './helpers/client-hello.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

/** A stand-in connection: its address, and whether it was ended. */
function fake(remoteAddress: string) {
  return {
    remoteAddress,
    ended: false,
    destroy() {
      this.ended = true;
    },
  };
}

describe('the connection table', () => {
  test('past the client limit, the oldest idle connection of that client goes', () => {
    const shed: string[] = [];
    const table = new ConnectionTable({ perListener: 100, perClient: 2 }, (reason, client) =>
      shed.push(`${reason} ${client}`),
    );
    const [a1, a2, a3, b1] = [fake('a'), fake('a'), fake('a'), fake('b')];
    assert.ok(table.admit(b1) && table.admit(a1) && table.admit(a2));
    assert.ok(table.admit(a3));
    assert.deepEqual([a1.ended, a2.ended, a3.ended, b1.ended], [true, false, false, false]);
    assert.deepEqual(shed, ['client a']);
    assert.equal(table.countOf('a'), 2);
  });

  test('busy and upgraded connections are kept; with nothing idle the new one is refused', () => {
    const table = new ConnectionTable({ perListener: 100, perClient: 2 });
    const [busy, upgraded, next] = [fake('a'), fake('a'), fake('a')];
    table.admit(busy);
    table.admit(upgraded);
    table.busy(busy);
    table.pinned(upgraded);
    assert.equal(table.admit(next), false);
    assert.deepEqual([busy.ended, upgraded.ended, next.ended], [false, false, true]);
    // The request ends: the connection is idle again, and the next newcomer takes its place.
    table.done(busy);
    const later = fake('a');
    assert.ok(table.admit(later));
    assert.ok(busy.ended && !upgraded.ended);
  });

  test('past the listener limit, the oldest idle connection of anyone goes', () => {
    const table = new ConnectionTable({ perListener: 3, perClient: 10 });
    const conns = ['a', 'b', 'c', 'd'].map(fake);
    for (const c of conns) table.admit(c);
    assert.deepEqual(
      conns.map((c) => c.ended),
      [true, false, false, false],
    );
    assert.equal(table.size, 3);
    table.closed(conns[1]!);
    assert.equal(table.size, 2);
    assert.equal(table.countOf('b'), 0);
  });

  test('the default limit follows the open-file limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-limits-'));
    const file = (soft: string) => {
      const path = join(dir, soft);
      writeFileSync(
        path,
        `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 ${soft}                 files\n`,
      );
      return path;
    };
    try {
      assert.equal(defaultConnectionLimit(file('1024')), 716);
      assert.equal(defaultConnectionLimit(file('1048576')), 20_000);
      assert.equal(defaultConnectionLimit(join(dir, 'missing')), 10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** An open TCP connection from `localAddress` that sends nothing, and when it closed. */
async function idleConnection(port: number, localAddress = '127.0.0.1') {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => {});
  await once(socket, 'connect');
  const closed = once(socket, 'close').then(() => true);
  return { socket, closed };
}

describe('a listener holds a bounded number of idle connections, shedding the oldest', () => {
  let gw: TestGateway;
  let up: Upstream;
  const opened: Socket[] = [];
  before(async () => {
    gw = await startTestGateway({ flags: { 'max-connections': '6', 'max-connections-per-client': '4' } });
    up = await startUpstream();
    await gw.addRoute({ host: 'app.test', target: up.url });
  });
  after(async () => {
    for (const s of opened) s.destroy();
    await gw.stop();
    await up.close();
  });

  test('one client past its limit loses its oldest idle connection; requests still pass', async () => {
    const first = await idleConnection(gw.port);
    opened.push(first.socket);
    for (let i = 0; i < 4; i++) opened.push((await idleConnection(gw.port)).socket);
    assert.equal(await first.closed, true);
    const res = await gw.send('app.test', '/');
    assert.equal(res.status, 200);
    const metrics = await gw.send('localhost', '/metrics');
    assert.match(metrics.text, /gatehouse_connections_shed_total\{reason="client"\} [1-9]/);
  });

  test('the listener past its limit loses the oldest idle connection of anyone', async () => {
    const other = await idleConnection(gw.port, '127.0.0.2');
    opened.push(other.socket);
    const more = [await idleConnection(gw.port, '127.0.0.3'), await idleConnection(gw.port, '127.0.0.3')];
    opened.push(...more.map((m) => m.socket));
    const closedOne = await Promise.race([...opened.map((s) => once(s, 'close').then(() => s))]);
    assert.ok(closedOne);
    const metrics = await gw.send('localhost', '/metrics');
    assert.match(metrics.text, /gatehouse_connections_shed_total\{reason="listener"\} [1-9]/);
  });
});

describe('an HTTPS listener closes connections that never finish a ClientHello', () => {
  let dir: string;
  let gw: TestGateway;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-handshake-'));
    const cert = selfSigned(dir, 'default', ['default.test']);
    const config = join(dir, 'gatehouse.yaml');
    writeFileSync(config, `tls:\n  port: 0\n  cert: ${cert.cert}\n  key: ${cert.key}\n`);
    gw = await startTestGateway({ flags: { config, 'tls-handshake-timeout': '300' } });
  });
  after(async () => {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a silent connection and a half-sent ClientHello are both closed', async () => {
    const port = gw.gateway.httpsPort!;
    const silent = await idleConnection(port);
    const half = await idleConnection(port);
    half.socket.write((await captureClientHello('default.test')).subarray(0, 40));
    assert.deepEqual(await Promise.all([silent.closed, half.closed]), [true, true]);
  });
});
