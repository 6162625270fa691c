import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { logsCommand } from '../src/cli/logs-command.ts';
import type { RequestRecord } from '../src/store/request-log.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { freePort } from './helpers/redis.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

/** Runs `gatehouse logs …` in this process against the gateway; `stop` ends a --follow. */
function logs(
  argv: string[],
  options: { stop?: Promise<void>; terminal?: boolean; onLine?: (line: string) => void } = {},
) {
  let stdout = '';
  let stderr = '';
  const code = logsCommand(
    argv,
    { GATEHOUSE_ADMIN_KEY: ADMIN_KEY },
    {
      stdout: (text) => {
        stdout += text;
        options.onLine?.(text);
      },
      stderr: (text) => {
        stderr += text;
      },
      terminal: options.terminal ?? false,
    },
    options.stop ? { stop: options.stop } : {},
  );
  return code.then((c) => ({ code: c, stdout, stderr, lines: stdout.trimEnd().split('\n').filter(Boolean) }));
}

/** The records the admin API lists for a query string. */
async function listed(
  gw: TestGateway,
  query = '',
): Promise<{ requests: RequestRecord[]; next: string | null }> {
  const answer = await gw.api('GET', `/api/v1/requests?${query}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

/** Reads `event: request` records from an open SSE response. */
async function* sseRecords(body: AsyncIterable<Buffer>): AsyncGenerator<RequestRecord> {
  let text = '';
  for await (const chunk of body) {
    text += chunk.toString();
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const data = /^event: request\ndata: (.*)$/m.exec(block);
      if (data) yield JSON.parse(data[1]!) as RequestRecord;
    }
  }
}

describe('request records through a real gateway', () => {
  let gw: TestGateway;
  let upstream: Upstream;
  let server: string;
  let web: string;
  let api: string;
  before(async () => {
    upstream = await startUpstream();
    gw = await startTestGateway();
    server = `http://localhost:${gw.port}`;
    web = (await gw.addRoute({ host: 'app.example.com', path: '/', target: upstream.url })).id;
    api = (await gw.addRoute({ host: 'api.example.com', path: '/', target: upstream.url })).id;
    await gw.send('app.example.com', '/hello?secret=1', { headers: { 'user-agent': 'probe/1' } });
    await gw.send('app.example.com', '/upload', { method: 'POST', body: 'x'.repeat(300) });
    await gw.send('api.example.com', '/v1/users');
    await gw.send('nothing.example.com', '/missing');
    await waitFor('the four requests recorded', async () => {
      const { requests } = await listed(gw, 'limit=500');
      return requests.filter((r) => r.host !== 'localhost').length >= 4;
    });
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  test('GET /api/v1/requests lists each request newest first with every field', async () => {
    const { requests } = await listed(gw, 'host=app.example.com');
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.path}`),
      ['POST /upload', 'GET /hello'],
      'newest first, the query left out',
    );
    const [upload, hello] = requests as [RequestRecord, RequestRecord];
    assert.equal(hello.status, 200);
    assert.equal(hello.route, web);
    assert.equal(hello.tunnel, null);
    assert.equal(hello.ip, '127.0.0.1');
    assert.equal(hello.userAgent, 'probe/1');
    assert.equal(hello.user, null);
    assert.equal(hello.error, null);
    assert.ok(hello.bytesOut > 0, 'the answer was counted');
    assert.ok(hello.durationMs >= 0);
    assert.ok(Date.parse(hello.at) <= Date.now());
    assert.ok(
      upload.bytesIn > 300 && hello.bytesIn < 300,
      `the upload counted ${upload.bytesIn} bytes in, the GET ${hello.bytesIn}`,
    );
    const missing = (await listed(gw, 'status=404')).requests.find((r) => r.host === 'nothing.example.com');
    assert.equal(missing?.error, 'ROUTE_NOT_FOUND');
    assert.equal(missing?.route, null);
  });

  test('a request through a tunnel names the tunnel, not a route', async (t) => {
    const tunnel = await createTunnel(gw, 'logged');
    const agent = await startAgent(gw, tunnel, upstream.url);
    t.after(() => agent.stop());
    assert.equal((await gw.send('logged.localhost', '/through')).status, 200);
    const [record] = await waitFor('the tunnel request recorded', async () => {
      const { requests } = await listed(gw, 'tunnel=logged');
      return requests.length > 0 ? requests : undefined;
    });
    assert.equal(record?.path, '/through');
    assert.equal(record?.tunnel, 'logged');
    assert.equal(record?.route, null);
    assert.equal(record?.host, 'logged.localhost');
  });

  test('an upgrade the edge refuses is recorded with its error code', async () => {
    const refused = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${gw.url}/socket`, {
        headers: { host: 'nowhere.example.com', connection: 'Upgrade', upgrade: 'websocket' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(refused, 404);
    const [record] = await waitFor('the upgrade recorded', async () => {
      const { requests } = await listed(gw, 'host=nowhere.example.com');
      return requests.length > 0 ? requests : undefined;
    });
    assert.equal(record?.path, '/socket');
    assert.equal(record?.status, 404);
    assert.equal(record?.error, 'ROUTE_NOT_FOUND');
  });

  test('filters and the cursor', async () => {
    assert.deepEqual(
      (await listed(gw, `route=${api}`)).requests.map((r) => r.path),
      ['/v1/users'],
    );
    assert.deepEqual(
      (await listed(gw, 'path=/v1&host=api.example.com')).requests.map((r) => r.host),
      ['api.example.com'],
    );
    const first = await listed(gw, 'limit=1&status=2xx');
    assert.equal(first.requests.length, 1);
    assert.ok(first.next);
    const second = await listed(gw, `limit=1&status=2xx&cursor=${encodeURIComponent(first.next)}`);
    assert.notEqual(second.requests[0]?.id, first.requests[0]?.id);
    for (const [query, field] of [
      ['status=6xx', 'status'],
      ['since=yesterday', 'since'],
      ['until=12', 'until'],
      ['cursor=not%20one', 'cursor'],
      ['since=2026-12-08T00:00:00Z&until=2026-12-01T00:00:00Z', 'until'],
      ['limit=0', 'limit'],
    ]) {
      const bad = await gw.api('GET', `/api/v1/requests?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.body.field, field, query);
    }
  });

  test('analytics of a window', async () => {
    const answer = await gw.api('GET', '/api/v1/analytics?host=app.example.com&window=15m');
    assert.equal(answer.status, 200);
    const a = answer.body;
    assert.equal(a.window, '15m');
    assert.equal(a.total, 2);
    assert.deepEqual(a.status, { '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 0 });
    assert.equal(a.uniqueVisitors, 1);
    assert.equal(a.series.length, 60);
    assert.equal(
      a.series.reduce((n: number, b: { requests: number }) => n + b.requests, 0),
      2,
    );
    const summed = (field: 'bytesIn' | 'bytesOut') =>
      a.series.reduce((n: number, b: Record<string, number>) => n + b[field]!, 0);
    assert.ok(a.bytesIn > 300, 'the upload is counted');
    assert.deepEqual([summed('bytesIn'), summed('bytesOut')], [a.bytesIn, a.bytesOut], 'bytes per bucket');
    assert.ok(a.latencyMs.p99 >= a.latencyMs.p50);
    assert.deepEqual(a.topPaths.map((p: { path: string }) => p.path).sort(), ['/hello', '/upload']);
    const all = (await gw.api('GET', '/api/v1/analytics')).body;
    assert.ok(
      all.topErrors.some(
        (e: { status: number; error: string }) => e.status === 404 && e.error === 'ROUTE_NOT_FOUND',
      ),
    );
    assert.equal((await gw.api('GET', '/api/v1/analytics?window=2d')).status, 400);
    assert.equal((await gw.api('GET', '/api/v1/analytics?host=a&route=b')).status, 400);
  });

  test('the SSE stream carries a new request as it is answered', async (t) => {
    const abort = new AbortController();
    t.after(() => abort.abort());
    const res = await request(`${gw.url}/api/v1/requests/stream?host=app.example.com`, {
      headers: { host: 'localhost', authorization: `Bearer ${ADMIN_KEY}` },
      signal: abort.signal,
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/event-stream/);
    const next = sseRecords(res.body)[Symbol.asyncIterator]().next();
    await gw.send('app.example.com', '/live');
    const { value } = await next;
    assert.equal(value?.path, '/live');
    assert.equal(value?.route, web);
    res.body.destroy();
  });

  test('gatehouse logs prints the records oldest first, filtered, and --json one per line', async () => {
    const plain = await logs(['--server', server, '--host', 'app.example.com', '--path', '/hello']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.lines.length, 1);
    assert.match(
      plain.lines[0]!,
      /^\S+Z {2}200 {2}GET {5}app\.example\.com\/hello {2}[\d.]+ms {2}\S+ \S*B {2}127\.0\.0\.1 {2}route:\S+$/,
    );
    assert.ok(!plain.stdout.includes('\x1b['), 'no colour when not a terminal');
    const coloured = await logs(['--server', server, '--status', '404'], { terminal: true });
    assert.ok(coloured.stdout.includes('\x1b[33m404\x1b[0m'), coloured.stdout);
    const json = await logs(['--server', server, '--json', '--status', '2xx', '--host', 'app.example.com']);
    assert.equal(json.code, 0);
    const records = json.lines.map((l) => JSON.parse(l) as RequestRecord);
    assert.ok(records.length >= 2);
    const times = records.map((r) => r.at);
    assert.deepEqual(times, [...times].sort(), 'oldest first');
    assert.ok(records.every((r) => r.host === 'app.example.com' && r.status < 300));
  });

  test('gatehouse logs --follow prints a request made after it started', async () => {
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let seen = '';
    let heard: () => void = () => {};
    const followed = new Promise<void>((resolve) => {
      heard = resolve;
    });
    const run = logs(['--server', server, '--follow', '--json', '--path', '/followed'], {
      stop: stopped,
      onLine: (text) => {
        seen += text;
        if (seen.includes('/followed')) heard();
      },
    });
    // The stream is open once the recent page (empty for this path) has been asked for.
    await waitFor('the follower to ask for recent requests', async () =>
      (await listed(gw, 'path=/api/v1/requests&limit=5')).requests.some((r) => r.path === '/api/v1/requests'),
    );
    await gw.send('app.example.com', '/followed');
    await followed;
    stop();
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.lines[0]!).path, '/followed');
  });

  test('gatehouse logs exit codes: 2 bad arguments, 3 unreachable, 4 refused key', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--server', server, '--status', 'teapot'], 2, /--status must be a class/],
      [['--server', server, '--since', 'yesterday'], 2, /--since must be an ISO time/],
      [['--server', server, '--limit', '0'], 2, /--limit must be/],
      [['--server', server, '--colour'], 2, /Unknown option/],
      [['--server', server, 'extra'], 2, /unexpected argument 'extra'/],
      [['--server', `http://127.0.0.1:${await freePort()}`], 3, /cannot reach/],
      [['--server', `http://127.0.0.1:${await freePort()}`, '--follow'], 3, /cannot reach/],
      [['--server', server, '--admin-key', 'gk_wrong'], 4, /401/],
      [['--server', server, '--admin-key', 'gk_wrong', '--follow'], 4, /401/],
    ];
    for (const [argv, code, message] of cases) {
      const result = await logs(argv);
      assert.equal(result.code, code, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, argv.join(' '));
    }
  });
});

describe('request log off', () => {
  test('--request-log off records nothing, and the API and gatehouse logs say how to turn it on', async (t) => {
    const gw = await startTestGateway({ flags: { 'request-log': 'off' } });
    t.after(() => gw.stop());
    const answer = await gw.api('GET', '/api/v1/requests');
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error, 'REQUEST_LOG_OFF');
    assert.match(answer.body.message, /--request-log on/);
    const result = await logs(['--server', `http://localhost:${gw.port}`]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--request-log on/);
  });
});

describe('shutdown with a live follower', () => {
  test('stopping the gateway ends the stream at once instead of waiting for the drain timeout', async () => {
    const gw = await startTestGateway({ flags: { 'shutdown-timeout': '60000' } });
    const res = await request(`${gw.url}/api/v1/requests/stream`, {
      headers: { host: 'localhost', authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(res.statusCode, 200);
    const ended = res.body.text();
    const started = Date.now();
    await gw.stop();
    assert.match(await ended, /^: following the request log/);
    assert.ok(
      Date.now() - started < 30_000,
      'the stream ended with the gateway, not after the drain timeout',
    );
  });
});
