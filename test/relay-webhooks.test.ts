import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { spawnCli } from './helpers/cli-process.ts';
import { ADMIN_KEY, type TestGateway } from './helpers/gateway.ts';
import { registerTunnel, startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'webhook-relay-shared-secret';
const HOST = 'hooks.example.test';
const PROVIDER_SECRET = 'provider-webhook-secret';

function sign(body: string): string {
  return `sha256=${createHmac('sha256', PROVIDER_SECRET).update(body).digest('hex')}`;
}

async function post(gw: TestGateway, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(`${gw.url}${path}`, {
    method: 'POST',
    headers: {
      host: HOST,
      'content-type': 'application/json',
      'x-hub-signature-256': sign(body),
      ...headers,
    },
    body,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('webhooks through the relay', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  const locals: Record<string, Upstream> = {};
  const agents: TunnelAgent[] = [];
  const routeIds: Record<string, string> = {};

  before(async () => {
    gw = await startRelayGateway(SECRET);
    deployed = await startUpstream((_req, res, body) => res.end(`deployed got ${body.length} bytes`));
    // The host's catch-all relay route serves the registration API; hook routes share its registrations.
    await gw.addRoute({ host: HOST, target: deployed.url, relay: {} });
    const routes: [
      key: string,
      path: string,
      select: unknown,
      map: Record<string, string> | undefined,
      extra: Record<string, number>,
    ][] = [
      [
        'json',
        '/hooks/github',
        { json: 'repository.full_name' },
        { 'acme/api': 'alice', 'acme/web': 'bob' },
        {},
      ],
      ['header', '/hooks/by-header', { header: 'X-Developer' }, undefined, {}],
      ['query', '/hooks/by-query', { query: 'dev' }, undefined, {}],
      ['broadcast', '/hooks/all', 'broadcast', undefined, {}],
      [
        'small',
        '/hooks/small',
        { header: 'x-developer' },
        undefined,
        { maxBodyBytes: 100, recordBodyBytes: 10 },
      ],
    ];
    for (const [key, path, select, map, extra] of routes) {
      const route = await gw.addRoute({
        host: HOST,
        path,
        target: deployed.url,
        relay: { webhooks: { paths: [path], select, ...(map ? { map } : {}), ...extra } },
      });
      routeIds[key] = route.id;
    }
    for (const developer of ['alice', 'bob']) {
      locals[developer] = await startUpstream((req, res, body) => {
        const verified = req.headers['x-hub-signature-256'] === sign(body);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${developer} got ${req.url} verified=${verified} relay-from=${req.headers['x-relay-from']}`);
      });
      const tunnel = await createTunnel(gw, `${developer}-hooks`);
      agents.push(await startAgent(gw, tunnel, locals[developer]!.url));
    }
    for (const developer of ['alice', 'bob'])
      await registerTunnel(gw, { host: HOST, secret: SECRET }, `${developer}-hooks`, developer);
  });
  after(async () => {
    for (const agent of agents) agent.stop();
    for (const local of Object.values(locals)) await local.close();
    await gw.stop();
    await deployed.close();
  });

  test('by JSON field through a map, with the original bytes (the provider signature verifies)', async () => {
    const body = JSON.stringify({ action: 'opened', repository: { full_name: 'acme/web' } });
    const res = await post(gw, '/hooks/github?x=1', body);
    assert.equal(res.status, 200);
    assert.equal(res.text, 'bob got /hooks/github?x=1 verified=true relay-from=bob');
  });

  test('by header and by query parameter', async () => {
    assert.equal(
      (await post(gw, '/hooks/by-header', '{}', { 'x-developer': 'alice' })).text,
      'alice got /hooks/by-header verified=true relay-from=alice',
    );
    assert.equal(
      (await post(gw, '/hooks/by-query?dev=bob', '{}')).text,
      'bob got /hooks/by-query?dev=bob verified=true relay-from=bob',
    );
  });

  test('broadcast: every registered developer gets it, the provider gets a summary', async () => {
    const res = await post(gw, '/hooks/all', '{"ping":1}');
    assert.equal(res.status, 202);
    const summary = JSON.parse(res.text);
    assert.deepEqual(
      summary.delivered.map((d: { developer: string; status: number }) => [d.developer, d.status]).sort(),
      [
        ['alice', 200],
        ['bob', 200],
      ],
    );
  });

  test('no developer selected: the deployed app gets it', async () => {
    const body = JSON.stringify({ repository: { full_name: 'someone/else' } });
    const res = await post(gw, '/hooks/github', body);
    assert.equal(res.text, `deployed got ${body.length} bytes`);
  });

  test('deliveries are recorded and replayed to a chosen developer from the admin API', async (t) => {
    const body = JSON.stringify({ repository: { full_name: 'acme/api' }, n: 7 });
    await post(gw, '/hooks/github', body, { authorization: 'Bearer provider-token' });
    const list = await gw.api('GET', `/api/v1/routes/${routeIds['json']}/deliveries`);
    assert.equal(list.status, 200);
    const latest = list.body.deliveries[0];
    assert.equal(Buffer.from(latest.body, 'base64').toString(), body);
    assert.deepEqual(
      latest.results.map((r: { developer: string; status: number }) => [r.developer, r.status]),
      [['alice', 200]],
    );
    assert.equal(latest.headers.authorization, '[redacted]', 'a provider credential is not shown');
    const seenBefore = locals['bob']!.seen.length;
    const replay = await gw.api('POST', `/api/v1/routes/${routeIds['json']}/deliveries/${latest.id}/replay`, {
      developer_id: 'bob',
    });
    assert.equal(replay.status, 200);
    assert.equal(replay.body.developer, 'bob');
    assert.equal(replay.body.status, 200);
    assert.equal(replay.body.replay, true);
    assert.equal(locals['bob']!.seen.length, seenBefore + 1);
    assert.equal(locals['bob']!.seen.at(-1)!.body, body, 'the same bytes again');
    assert.equal(locals['bob']!.seen.at(-1)!.headers.authorization, 'Bearer provider-token');
    const detail = await gw.api('GET', `/api/v1/routes/${routeIds['json']}/deliveries/${latest.id}`);
    assert.equal(detail.body.results.length, 2);

    // The same from the CLI.
    const cli = spawnCli(
      [
        'deliveries',
        'replay',
        latest.id,
        '--route',
        routeIds['json']!,
        '--developer',
        'alice',
        '--server',
        gw.url,
      ],
      {
        GATEHOUSE_ADMIN_KEY: ADMIN_KEY,
      },
    );
    t.after(() => cli.stop());
    assert.equal(await new Promise((resolve) => cli.child.once('exit', resolve)), 0, cli.stderr());
    assert.equal(cli.stdout(), 'Replayed to alice: 200\n');
    const listed = spawnCli(['deliveries', 'list', '--route', routeIds['json']!, '--server', gw.url], {
      GATEHOUSE_ADMIN_KEY: ADMIN_KEY,
    });
    t.after(() => listed.stop());
    assert.equal(await new Promise((resolve) => listed.child.once('exit', resolve)), 0, listed.stderr());
    assert.match(
      listed.stdout(),
      new RegExp(
        `${latest.id} .* POST /hooks/github .*\\n {4}→ alice: 200\\n {4}→ bob: 200 \\[replay\\]\\n {4}→ alice: 200 \\[replay\\]`,
      ),
    );
    const shown = spawnCli(
      ['deliveries', 'show', latest.id, '--route', routeIds['json']!, '--server', gw.url],
      { GATEHOUSE_ADMIN_KEY: ADMIN_KEY },
    );
    assert.equal(await new Promise((resolve) => shown.child.once('exit', resolve)), 0, shown.stderr());
    const [summary, request] = shown.stdout().split('\n\n');
    assert.match(
      summary!,
      new RegExp(`^${latest.id} .* POST /hooks/github  ${body.length} bytes\n {4}→ alice: 200`),
    );
    assert.match(request!, /^POST \/hooks\/github\n/);
    assert.match(request!, /^authorization: \[redacted\]$/m, 'the headers, credentials redacted');
    assert.match(request!, /^content-type: application\/json$/m);
    assert.ok(shown.stdout().endsWith(`\n\n${body}\n`), 'the body as it came, decoded');
    assert.ok(!shown.stdout().includes('provider-token'));
    assert.equal(
      (
        await gw.api('POST', `/api/v1/routes/${routeIds['json']}/deliveries/nope/replay`, {
          developer_id: 'bob',
        })
      ).status,
      404,
    );
  });

  test('limits: a body over the cap → 413; a delivery listed as a preview still replays whole', async () => {
    const big = await post(gw, '/hooks/small', 'x'.repeat(200), { 'x-developer': 'alice' });
    assert.equal(big.status, 413);
    const ok = await post(gw, '/hooks/small', '{"twenty-bytes":1}', { 'x-developer': 'alice' });
    assert.equal(ok.status, 200);
    const [record] = (await gw.api('GET', `/api/v1/routes/${routeIds['small']}/deliveries`)).body.deliveries;
    assert.equal(record.truncated, true);
    const replay = await gw.api(
      'POST',
      `/api/v1/routes/${routeIds['small']}/deliveries/${record.id}/replay`,
      { developer_id: 'alice' },
    );
    assert.equal(replay.status, 200);
    assert.equal(locals['alice']!.seen.at(-1)!.body, '{"twenty-bytes":1}');
  });
});
