import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { type TestContext, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type AcmeWorld, dnsNames, handshake, startAcmeWorld } from './helpers/acme-world.ts';
import { ADMIN_KEY, startTestGateway } from './helpers/gateway.ts';
import { freePort } from './helpers/redis.ts';
import { waitFor } from './helpers/wait-for.ts';

/** A loopback port that accepts connections and closes them at once: a server that is not Gatehouse. */
async function refusingPort(t: TestContext): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return (server.address() as AddressInfo).port;
}

/** The certificates the admin API lists. */
async function listed(world: AcmeWorld) {
  const { status, body } = await world.gatehouse.api('GET', '/api/v1/certificates/');
  assert.equal(status, 200);
  return body.certificates as {
    id: string;
    names: string[];
    status: string;
    issuer: string;
    lastError: unknown;
    renewAt: string;
  }[];
}

test('HTTP-01: one certificate for two names, served by SNI with no restart; a route with tls auto gets its own', async (t) => {
  const world = await startAcmeWorld({ flags: { 'acme-hosts': 'one.gatehouse.test,two.gatehouse.test' } });
  t.after(() => world.stop());
  const root = await world.pebble.root();
  const issued = await waitFor(
    'the first certificate',
    async () => (await listed(world)).find((c) => c.status === 'valid'),
    { timeoutMs: 30_000, intervalMs: 100, detail: () => world.pebble.output() },
  );
  assert.deepEqual(issued.names, ['one.gatehouse.test', 'two.gatehouse.test']);
  assert.match(issued.issuer, /Pebble/);
  for (const name of ['one.gatehouse.test', 'two.gatehouse.test'])
    assert.deepEqual(dnsNames(await handshake(world.httpsPort, name, root)), [
      'one.gatehouse.test',
      'two.gatehouse.test',
    ]);

  const listing = JSON.stringify(await world.gatehouse.api('GET', '/api/v1/certificates/'));
  assert.doesNotMatch(listing, /PRIVATE KEY|sealedKey/, 'the admin API never shows a key');

  await assert.rejects(
    handshake(world.httpsPort, 'app.gatehouse.test', root),
    'a name no certificate covers yet gets no handshake',
  );
  await world.gatehouse.addRoute({ host: 'app.gatehouse.test', tls: 'auto', static: { body: 'hello' } });
  const peer = await waitFor(
    'the route host to be served',
    () => handshake(world.httpsPort, 'app.gatehouse.test', root).catch(() => undefined),
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  assert.deepEqual(dnsNames(peer), ['app.gatehouse.test']);

  // A token Gatehouse never issued is routed as usual: a server behind a route may run its own ACME.
  const foreign = await world.gatehouse.send('app.gatehouse.test', '/.well-known/acme-challenge/not-ours');
  assert.deepEqual([foreign.status, foreign.text], [200, 'hello']);
  const unrouted = await world.gatehouse.send(
    'nobody.gatehouse.test',
    '/.well-known/acme-challenge/not-ours',
  );
  assert.equal(unrouted.status, 404);
  assert.match(unrouted.text, /ROUTE_NOT_FOUND/);

  // The same certificates through Gatehouse's MCP server, for an assistant managing it.
  const mcp = new Client({ name: 'test', version: '1' });
  await mcp.connect(
    new StreamableHTTPClientTransport(new URL(`${world.gatehouse.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${ADMIN_KEY}` } },
    }),
  );
  t.after(() => mcp.close());
  const tool = await mcp.callTool({ name: 'list_certificates', arguments: {} });
  const certificates = (tool.structuredContent as { certificates: { id: string; status: string }[] })
    .certificates;
  assert.ok(certificates.some((c) => c.id === issued.id && c.status === 'valid'));
  const refused = await mcp.callTool({ name: 'renew_certificate', arguments: { id: 'not-an-id' } });
  assert.equal(refused.isError, true);
  assert.match(JSON.stringify(refused.content), /id/);
});

test('TLS-ALPN-01: the CA validates on the HTTPS listener, which then serves the certificate', async (t) => {
  const world = await startAcmeWorld({
    flags: { 'acme-hosts': 'alpn.gatehouse.test', 'acme-challenge': 'tls-alpn-01' },
  });
  t.after(() => world.stop());
  const root = await world.pebble.root();
  const issued = await waitFor(
    'the certificate',
    async () => (await listed(world)).find((c) => c.status === 'valid'),
    { timeoutMs: 30_000, intervalMs: 100, detail: () => world.pebble.output() },
  );
  assert.deepEqual(issued.names, ['alpn.gatehouse.test']);
  assert.deepEqual(dnsNames(await handshake(world.httpsPort, 'alpn.gatehouse.test', root)), [
    'alpn.gatehouse.test',
  ]);
  await assert.rejects(
    handshake(world.httpsPort, 'alpn.gatehouse.test', root, ['acme-tls/1']),
    'with no challenge up, an acme-tls/1 handshake gets nothing',
  );
});

test('a challenge the CA cannot complete is reported with its problem document and what to check', async (t) => {
  const refusing = await refusingPort(t);
  const world = await startAcmeWorld({
    flags: { 'acme-hosts': 'unreachable.gatehouse.test' },
    validatorPorts: { http: refusing },
  });
  t.after(() => world.stop());
  const failed = await waitFor('the failure', async () => (await listed(world)).find((c) => c.lastError), {
    timeoutMs: 30_000,
    intervalMs: 100,
    detail: () => world.pebble.output(),
  });
  const error = failed.lastError as {
    code: string;
    message: string;
    problem: { type: string; detail: string };
  };
  assert.equal(error.code, 'CERT_ORDER_FAILED');
  assert.match(error.message, /could not validate unreachable\.gatehouse\.test by http-01/);
  assert.match(error.message, /port 80 reaches its HTTP listener/);
  assert.match(error.problem.type, /^urn:ietf:params:acme:error:/, "the CA's own problem type");
  assert.ok(error.problem.detail.length > 0);
  assert.equal(failed.status, 'pending');
  assert.ok(Date.parse(failed.renewAt) > Date.now(), 'retried later, with backoff');
  const metrics = await world.gatehouse.send('localhost', '/metrics');
  assert.match(metrics.text, /gatehouse_certificate_orders_total\{outcome="failed"\} 1/);
});

test('a CA that does not answer is reported as unreachable, with what to check', async (t) => {
  const closed = await freePort();
  const gatehouse = await startTestGateway({
    flags: {
      'tls-port': '0',
      'acme-directory': `https://127.0.0.1:${closed}/dir`,
      'acme-email': 'ops@gatehouse.test',
      'acme-hosts': 'down.gatehouse.test',
    },
  });
  t.after(() => gatehouse.stop());
  const failed = await waitFor(
    'the failure',
    async () => {
      const { body } = await gatehouse.api('GET', '/api/v1/certificates/');
      return (body.certificates as { lastError?: { code: string; message: string } }[]).find(
        (c) => c.lastError,
      );
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  assert.equal(failed.lastError!.code, 'CERT_CA_UNREACHABLE');
  assert.match(failed.lastError!.message, /did not answer \(ECONNREFUSED\).*check --acme-directory/);
});

test('External Account Binding: a CA that requires it issues with the key id and HMAC key, and says so without', async (t) => {
  const eab = { kid: 'gatehouse-test-kid', hmacKey: Buffer.alloc(32, 9).toString('base64url') };
  const world = await startAcmeWorld({
    flags: { 'acme-hosts': 'eab.gatehouse.test', 'acme-eab-kid': eab.kid },
    env: { GATEHOUSE_ACME_EAB_HMAC_KEY: eab.hmacKey },
    pebble: { eab },
  });
  t.after(() => world.stop());
  const issued = await waitFor(
    'the certificate',
    async () => (await listed(world)).find((c) => c.status === 'valid'),
    {
      timeoutMs: 30_000,
      intervalMs: 100,
      detail: () => world.pebble.output(),
    },
  );
  assert.deepEqual(issued.names, ['eab.gatehouse.test']);

  const without = await startTestGateway({
    flags: {
      'tls-port': '0',
      'acme-directory': world.pebble.directory,
      'acme-directory-ca': world.pebble.apiCaFile,
      'acme-email': 'ops@gatehouse.test',
      'acme-hosts': 'no-eab.gatehouse.test',
    },
  });
  t.after(() => without.stop());
  const refused = await waitFor(
    'the refusal',
    async () => {
      const { body } = await without.api('GET', '/api/v1/certificates/');
      return (body.certificates as { lastError?: { problem: { type: string } } }[]).find((c) => c.lastError);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  assert.equal(refused.lastError!.problem.type, 'urn:ietf:params:acme:error:externalAccountRequired');
});
