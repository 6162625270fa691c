import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { pinnedAgent } from '../src/http/pinned-agent.ts';
import { selfSigned } from './helpers/certs.ts';

test('a pinned agent connects to its address alone, and still checks the certificate for the name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pinned-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = selfSigned(dir, 'named', ['callbacks.example.invalid']);
  const cert = readFileSync(pem.cert);
  const server = createServer({ cert, key: readFileSync(pem.key) }, (req, res) =>
    res.end(`host ${req.headers.host}`),
  );
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  // `.invalid` never resolves (RFC 6761): an answer proves DNS was not asked.
  const agent = pinnedAgent({ servername: 'callbacks.example.invalid', address: '127.0.0.1', ca: cert });
  t.after(() => agent.close());
  const res = await request(`https://callbacks.example.invalid:${port}/`, { dispatcher: agent });
  assert.equal(await res.body.text(), `host callbacks.example.invalid:${port}`);
  const wrongName = pinnedAgent({ servername: 'other.example.invalid', address: '127.0.0.1', ca: cert });
  t.after(() => wrongName.close());
  await assert.rejects(
    request(`https://other.example.invalid:${port}/`, { dispatcher: wrongName }),
    /altnames|certificate/i,
  );
});
