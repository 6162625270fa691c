import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';

const SUITE = 'node_modules/@modelcontextprotocol/conformance/dist/index.js';
const EXPECTED = 'test/fixtures/mcp/conformance-expected-failures.yaml';

let gw: TestGateway;
let proxy: ReturnType<typeof createServer>;
let url = '';

before(async () => {
  gw = await startTestGateway();
  // The suite sends no credentials: this stand-in client adds the admin key, as a configured client would.
  proxy = createServer((req, res) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port: gw.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, authorization: `Bearer ${ADMIN_KEY}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  url = `http://localhost:${(proxy.address() as AddressInfo).port}/mcp`;
});
after(async () => {
  proxy.closeAllConnections();
  proxy.close();
  await gw.stop();
});

test('the conformance suite’s server scenarios: all pass but those needing the reference server’s tools', {
  timeout: 120_000,
}, async () => {
  // Each scenario is fast; the suite as a whole runs in well under the two minutes given.
  const child = spawn(process.execPath, [SUITE, 'server', '--url', url, '--expected-failures', EXPECTED], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const summary = output.slice(output.indexOf('=== SUMMARY ==='));
  assert.equal(code, 0, summary);
  for (const scenario of [
    'server-initialize',
    'logging-set-level',
    'ping',
    'tools-list',
    'server-sse-multiple-streams',
    'dns-rebinding-protection',
  ])
    assert.match(summary, new RegExp(`✓ ${scenario}:`), `${scenario} passes`);
  assert.match(summary, /Baseline check passed/);
});
