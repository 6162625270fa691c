import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ADMIN_TOOLS } from '../src/mcp/admin-tools.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const MODERN = '2026-07-28';

/** A client of `/mcp` with the admin key, speaking the 2025 revisions (sessions) or 2026-07-28. */
async function connect(gw: TestGateway, era: 'legacy' | 'modern', key = ADMIN_KEY): Promise<Client> {
  const client = new Client(
    { name: 'test', version: '1' },
    { versionNegotiation: { mode: era === 'legacy' ? 'legacy' : { pin: MODERN } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

/** A raw POST to `/mcp`, for what no well-behaved client sends. */
async function post(gw: TestGateway, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${ADMIN_KEY}`,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe("Gatehouse's own MCP server at /mcp", () => {
  let gw: TestGateway;
  let upstream: Upstream;
  before(async () => {
    gw = await startTestGateway();
    upstream = await startUpstream();
  });
  after(async () => {
    await gw.stop();
    await upstream.close();
  });

  for (const era of ['legacy', 'modern'] as const) {
    test(`${era === 'legacy' ? '2025 (sessions)' : MODERN}: every tool is listed with its schemas and hints, and create_route makes a route that serves`, async (t) => {
      const client = await connect(gw, era);
      t.after(() => client.close());
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ADMIN_TOOLS.map((t) => t.name).sort());
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, 'object', tool.name);
        assert.equal(tool.outputSchema?.['type'], 'object', tool.name);
        assert.ok((tool.description ?? '').length > 30, tool.name);
        assert.equal(typeof tool.annotations?.readOnlyHint, 'boolean', tool.name);
      }
      const host = `${era}.mcp.test`;
      const made = await client.callTool({
        name: 'create_route',
        arguments: { route: { host, target: upstream.url } },
      });
      assert.equal(made.isError, undefined, JSON.stringify(made.content));
      const route = (made.structuredContent as { route: { id: string; host: string } }).route;
      assert.equal(route.host, host);
      const served = await gw.send(host, '/through-mcp');
      assert.equal(served.status, 200);
      assert.equal(JSON.parse(served.text).url, '/through-mcp');
      const listed = await client.callTool({ name: 'list_routes', arguments: {} });
      assert.ok(
        (listed.structuredContent as { routes: { id: string }[] }).routes.some((r) => r.id === route.id),
      );
      const deleted = await client.callTool({ name: 'delete_route', arguments: { route_id: route.id } });
      assert.deepEqual(deleted.structuredContent, { deleted: route.id });
      assert.equal((await gw.send(host, '/')).status, 404);
    });
  }

  test('a tunnel made by a tool shows its key once and its online state', async (t) => {
    const client = await connect(gw, 'modern');
    t.after(() => client.close());
    const made = await client.callTool({ name: 'create_tunnel', arguments: { name: 'mcp-made' } });
    const tunnel = (made.structuredContent as { tunnel: { key: string; online: boolean } }).tunnel;
    assert.match(tunnel.key, /^gt_/);
    assert.equal(tunnel.online, false);
    const listed = await client.callTool({ name: 'list_tunnels', arguments: {} });
    const shown = (listed.structuredContent as { tunnels: Record<string, unknown>[] }).tunnels;
    assert.equal(shown.find((x) => x['name'] === 'mcp-made')?.['key'], undefined, 'the key is not listed');
    const rotated = await client.callTool({ name: 'rotate_tunnel_key', arguments: { name: 'mcp-made' } });
    assert.notEqual((rotated.structuredContent as { tunnel: { key: string } }).tunnel.key, tunnel.key);
  });

  test('recent_requests and request_analytics read the request log', async (t) => {
    const client = await connect(gw, 'modern');
    t.after(() => client.close());
    await gw.send('logged.mcp.test', '/nowhere?q=1');
    const recent = await waitFor('the request in the log', async () => {
      const answer = await client.callTool({
        name: 'recent_requests',
        arguments: { host: 'logged.mcp.test' },
      });
      const found = (answer.structuredContent as { requests: Record<string, unknown>[] }).requests;
      return found.length > 0 ? found : undefined;
    });
    assert.equal(recent[0]?.['path'], '/nowhere');
    assert.equal(recent[0]?.['status'], 404);
    assert.equal(recent[0]?.['error'], 'ROUTE_NOT_FOUND');
    const analytics = await client.callTool({
      name: 'request_analytics',
      arguments: { host: 'logged.mcp.test', window: '15m' },
    });
    const numbers = analytics.structuredContent as { total: number; status: Record<string, number> };
    assert.equal(numbers.total, 1);
    assert.equal(numbers.status['4xx'], 1);
    const bad = await client.callTool({ name: 'recent_requests', arguments: { status: 'teapot' } });
    assert.equal(bad.isError, true);
    assert.match(JSON.stringify(bad.content), /VALIDATION_FAILED.*field: status/);
  });

  describe('bad input is refused with a clear error, and nothing is stored', () => {
    const toolCases = [
      { what: 'a wrong argument type', name: 'get_route', args: { route_id: 5 }, says: /route_id/ },
      { what: 'an unknown argument', name: 'get_route', args: { route_id: 'x', extra: 1 }, says: /extra/ },
      {
        what: 'a route field mistyped',
        name: 'create_route',
        args: { route: { host: 'x.test', taget: 'http://a' } },
        says: /did you mean target.*field: route\.taget/,
      },
      {
        what: 'a route of an unknown kind',
        name: 'create_route',
        args: { route: { kind: 'ftp', host: 'x.test' } },
        says: /route\.kind/,
      },
      { what: 'a route that does not exist', name: 'delete_route', args: { route_id: 'nope' }, says: /nope/ },
      { what: 'a VIN with a dot', name: 'get_vehicle', args: { vin: 'a.b' }, says: /vin/ },
    ];
    for (const era of ['legacy', 'modern'] as const)
      test(`${era}: tool errors name the argument`, async (t) => {
        const client = await connect(gw, era);
        t.after(() => client.close());
        const before = (await gw.api('GET', '/api/v1/routes')).body.routes.length;
        for (const c of toolCases) {
          const result = await client.callTool({ name: c.name, arguments: c.args });
          assert.equal(result.isError, true, c.what);
          const text = (result.content as { text: string }[])[0]!.text;
          assert.match(text, c.says, `${c.what}: ${text}`);
        }
        await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), /no_such_tool/);
        assert.equal((await gw.api('GET', '/api/v1/routes')).body.routes.length, before);
      });

    test('HTTP: no token, a foreign Origin, a 10 MiB argument, an unknown session, an unknown revision', async () => {
      const noToken = await post(gw, initialize, { authorization: '' });
      assert.equal(noToken.status, 401);
      const challenge = noToken.headers.get('www-authenticate') ?? '';
      assert.match(challenge, /^Bearer /);
      assert.match(
        challenge,
        new RegExp(`resource_metadata="${gw.url}/.well-known/oauth-protected-resource/mcp"`),
      );
      assert.match(challenge, /scope="mcp admin"/);

      const wrongKey = await post(gw, initialize, { authorization: 'Bearer gk_not-a-key' });
      assert.equal(wrongKey.status, 401);
      assert.match(wrongKey.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

      const foreign = await post(gw, initialize, { origin: 'https://evil.example' });
      assert.equal(foreign.status, 403);
      assert.match(JSON.parse(foreign.text).error.message, /evil\.example/);
      const own = await post(gw, initialize, { origin: gw.url });
      assert.equal(own.status, 200, own.text);

      const huge = await post(gw, {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'create_route',
          arguments: { route: { host: 'huge.test', static: { body: 'x'.repeat(10 * 1024 * 1024) } } },
        },
      });
      assert.equal(huge.status, 413);

      const lost = await post(
        gw,
        { jsonrpc: '2.0', id: 3, method: 'tools/list' },
        { 'mcp-session-id': 'nope', 'mcp-protocol-version': '2025-06-18' },
      );
      assert.equal(lost.status, 404);

      const future = await post(
        gw,
        { jsonrpc: '2.0', id: 4, method: 'tools/list' },
        { 'mcp-protocol-version': '1999-01-01' },
      );
      assert.equal(future.status, 400, future.text);
      assert.equal(
        (await gw.api('GET', '/api/v1/routes')).body.routes.some(
          (r: { host: string }) => r.host === 'huge.test',
        ),
        false,
      );
    });

    test("a session is its owner's: another key's request with its id is answered as if it did not exist", async () => {
      const other = await gw.api('POST', '/api/v1/keys', { name: 'other' });
      const opened = await post(gw, initialize);
      const session = opened.headers.get('mcp-session-id');
      assert.ok(session);
      const list = { jsonrpc: '2.0', id: 5, method: 'tools/list' };
      const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
      assert.equal((await post(gw, list, headers)).status, 200);
      const stolen = await post(gw, list, { ...headers, authorization: `Bearer ${other.body.secret}` });
      assert.equal(stolen.status, 404);
    });
  });

  test('RFC 9728 metadata, path form and root, names the authorization server and both scopes', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const res = await fetch(`${gw.url}${path}`);
      assert.equal(res.status, 200, path);
      const doc = (await res.json()) as Record<string, unknown>;
      assert.equal(doc['resource'], `${gw.url}/mcp`);
      assert.deepEqual(doc['scopes_supported'], ['mcp', 'admin']);
      assert.ok(Array.isArray(doc['authorization_servers']));
    }
  });
});
