import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { jsonEvents, waitForOutput } from './helpers/agent-process.ts';
import { patternDigest, patternStream } from './helpers/bytes.ts';
import { certificateAuthority, clientCertificate, selfSigned } from './helpers/certs.ts';
import { type CliProcess, rssGrowthCheck, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

const ADMIN = 'gk_passthrough-cli-admin';
const VIN = 'LRW3E7FA9MC000002';
const MIB = 1024 * 1024;
const BULK = 64 * MIB;
/**
 * Most of the upload the client may have sent while the local server reads nothing: what the
 * path holds (socket buffers on three hops, one stream window), well short of all 64 MiB.
 */
const HELD_BACK_LIMIT = 48 * MIB;

/**
 * The developer's TLS server, strict mTLS: it first sends `BULK` pattern bytes while reading
 * nothing, so the client's upload is held back the whole time; then it reads the upload and
 * answers with its SHA-256 and the client certificate's CN.
 */
async function startLocalTls(
  files: { cert: string; key: string; ca: string },
  onDownloadSent: () => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer({
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
    ca: readFileSync(files.ca),
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.pause();
    const cn = String(socket.getPeerCertificate().subject?.CN);
    const download = patternStream(BULK);
    download.pipe(socket, { end: false });
    download.once('end', () => {
      onDownloadSent();
      const hash = createHash('sha256');
      let read = 0;
      socket.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        read += chunk.length;
        if (read === BULK) socket.end(`${hash.digest('hex')} ${cn}`);
      });
      socket.resume();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

describe('gatehouse tunnel --tls-passthrough (processes)', () => {
  let gh: CliProcess & { port: number };
  let tlsPort: number;
  let agent: CliProcess;
  let local: { server: Server; port: number };
  let onDownloadSent = () => {};
  let files: Record<'ca' | 'vehicle' | 'local' | 'gatehouse', { cert: string; key: string }>;
  const dir = tempDir('gatehouse-ptcli-');

  before(async () => {
    const ca = certificateAuthority(dir, 'vehicle-ca');
    files = {
      ca,
      vehicle: clientCertificate(dir, 'vehicle', VIN, ca),
      local: selfSigned(dir, 'local', ['car.localhost']),
      gatehouse: selfSigned(dir, 'gatehouse', ['gatehouse.localhost']),
    };
    local = await startLocalTls({ cert: files.local.cert, key: files.local.key, ca: ca.cert }, () =>
      onDownloadSent(),
    );
    gh = await spawnServe(
      [
        '--data',
        dir,
        '--log-level',
        'warn',
        '--tls-port',
        '0',
        '--tls-cert',
        files.gatehouse.cert,
        '--tls-key',
        files.gatehouse.key,
      ],
      { GATEHOUSE_ADMIN_KEY: ADMIN },
    );
    tlsPort = Number((await waitForOutput(gh, 'stderr', /https:\/\/\*:(\d+)/))[1]);
    agent = spawnCli(
      [
        'tunnel',
        '--tls-passthrough',
        String(local.port),
        '--server',
        `http://127.0.0.1:${gh.port}`,
        '--name',
        'car',
        '--json',
      ],
      { GATEHOUSE_ADMIN_KEY: ADMIN },
    );
    await waitFor(
      'the agent to be online',
      () => {
        if (agent.child.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
        return jsonEvents(agent).some((e) => e.event === 'online');
      },
      { timeoutMs: 20_000 },
    );
  });

  after(async () => {
    await agent?.stop();
    await gh?.stop();
    local?.server.close();
  });

  test('the online event says where TLS clients connect and where they go', () => {
    const online = jsonEvents(agent).find((e) => e.event === 'online')!;
    assert.equal(online['tlsPassthrough'], `car.localhost:${tlsPort}`);
    assert.equal(online['tlsLocal'], `127.0.0.1:${local.port}`);
    assert.equal(online['local'], null);
    assert.equal(online['inspector'], null);
  });

  test('64 MiB each way with mTLS ending on the local server, the upload held back while it is not read, and bounded memory', async () => {
    const socket = connect({
      host: '127.0.0.1',
      port: tlsPort,
      servername: 'car.localhost',
      ca: readFileSync(files.local.cert),
      cert: readFileSync(files.vehicle.cert),
      key: readFileSync(files.vehicle.key),
    });
    await once(socket, 'secureConnect');
    assert.equal(socket.getPeerCertificate().subject.CN, 'car.localhost');
    // Growth over each process's peak so far: what the transfer itself holds, whatever code is loaded.
    const checkMemory = rssGrowthCheck([
      ['gateway', gh],
      ['agent', agent],
    ]);
    // The socket takes more only once it has passed on what it took: counted, that is what was sent.
    const upload = patternStream(BULK);
    let uploaded = 0;
    let uploadedDuringDownload = 0;
    upload.on('data', (chunk: Buffer) => {
      uploaded += chunk.length;
    });
    onDownloadSent = () => {
      uploadedDuringDownload = uploaded;
    };
    upload.pipe(socket, { end: false });
    const hash = createHash('sha256');
    let read = 0;
    let tail = '';
    for await (const chunk of socket) {
      const bytes = chunk as Buffer;
      const take = Math.min(bytes.length, Math.max(0, BULK - read));
      hash.update(bytes.subarray(0, take));
      tail += bytes.subarray(take).toString();
      read += bytes.length;
    }
    assert.equal(hash.digest('hex'), patternDigest(BULK), 'the download arrived intact');
    assert.equal(
      tail,
      `${patternDigest(BULK)} ${VIN}`,
      'the upload arrived intact, from the certificate’s VIN',
    );
    assert.ok(
      uploadedDuringDownload < HELD_BACK_LIMIT,
      `while the local server read nothing, the client sent ${Math.round(uploadedDuringDownload / MIB)} MiB`,
    );
    checkMemory();
    const closed = await waitFor('the agent to report the connection', () =>
      jsonEvents(agent).find((e) => e.event === 'connection'),
    );
    assert.equal(closed['whole'], true);
    assert.ok(Number(closed['bytesIn']) > BULK && Number(closed['bytesOut']) > BULK);
  });
});
