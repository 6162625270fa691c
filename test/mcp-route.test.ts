import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import type { Browser } from 'playwright-core';
import { z } from 'zod';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { launchChromium } from './helpers/chromium.ts';
import { ADMIN_KEY } from './helpers/gateway.ts';
import { type LoginWorld, startLoginWorld } from './helpers/login-world.ts';
import { loopbackFetch, MemoryOAuthProvider } from './helpers/mcp-oauth.ts';

const UPSTREAM_SECRET = 'Bearer upstream-secret-7f3a';

/** An MCP server built with the SDK, which takes only its own credential and says what it was sent. */
async function upstreamMcpServer() {
  const seenAuthorization: string[] = [];
  /** Sessions it began (2025 revisions), by the person the gateway named. */
  const sessions = new Map<string, string>();
  const handler = createMcpHandler(({ requestInfo }) => {
    const server = new McpServer({ name: 'upstream', version: '1' });
    const said = (name: string) => requestInfo?.headers.get(name) ?? null;
    server.registerTool(
      'whoami',
      {
        description: 'Says who the gateway says is calling, and what credential came',
        inputSchema: z.object({}),
      },
      async () => ({
        content: [
          {
            type: 'text',
            text: JSON.stringify({ user: said('x-auth-user'), authorization: said('authorization') }),
          },
        ],
      }),
    );
    server.registerTool(
      'echo',
      { description: 'Echoes its text', inputSchema: z.object({ text: z.string() }) },
      async ({ text }) => ({ content: [{ type: 'text', text }] }),
    );
    server.registerTool(
      'drop_database',
      { description: 'Something only some may do', inputSchema: z.object({}) },
      async () => ({ content: [{ type: 'text', text: 'dropped' }] }),
    );
    return server;
  });
  const node = toNodeHandler(handler);
  const server: Server = createHttpServer((req, res) => {
    seenAuthorization.push(String(req.headers.authorization));
    if (req.headers.authorization !== UPSTREAM_SECRET) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    // It serves each request alone, but names a session on each first request, as a sessionful server does.
    if (req.headers['mcp-session-id'] === undefined && req.method === 'POST') {
      const id = `s-${sessions.size + 1}`;
      sessions.set(String(req.headers['x-auth-user']), id);
      res.setHeader('mcp-session-id', id);
    }
    void node(req as never, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    seenAuthorization,
    sessions,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('an mcp route: login, per-tool policy, the upstream’s own credential, an audit of every call', () => {
  let world: LoginWorld;
  let browser: Browser;
  let upstream: Awaited<ReturnType<typeof upstreamMcpServer>>;
  let routeId: string;
  let routeUrl: URL;
  const fetch = loopbackFetch();
  const callbackSeen: URL[] = [];
  let callbackServer: Server;
  let callbackUrl = '';
  const clients: Record<string, { client: Client; token: string }> = {};

  /** Logs `person` in through the SDK client's OAuth and a Chromium login at the GitHub stand-in. */
  async function logIn(person: string, url = routeUrl) {
    const provider = new MemoryOAuthProvider(callbackUrl);
    const transport = () => new StreamableHTTPClientTransport(url, { authProvider: provider, fetch });
    await assert.rejects(new Client({ name: 't', version: '1' }).connect(transport()), UnauthorizedError);
    world.github.currentUser = person;
    world.github.autoApprove = true;
    const page = await (await browser.newContext()).newPage();
    await page.goto(provider.authorizationUrl!.href);
    await page.click('a.provider:has-text("GitHub")');
    await page.waitForURL(`${callbackUrl}**`);
    await page.context().close();
    await transport().finishAuth(callbackSeen.findLast((u) => u.pathname === '/callback')!.searchParams);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(transport());
    return { client, token: provider.tokens()!.access_token };
  }

  before(async () => {
    upstream = await upstreamMcpServer();
    callbackServer = createHttpServer((req, res) => {
      callbackSeen.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
      res.end('ok');
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/callback`;
    world = await startLoginWorld({ domain: 'gatehouse.localhost', 'auth-host': 'gatehouse.localhost' });
    const route = await world.gw.addRoute({
      kind: 'mcp',
      host: 'tools.localhost',
      path: '/mcp',
      auth: { allow: ['github:alice', 'github:bob'] },
      mcp: {
        target: upstream.url,
        access: [
          { who: ['github:alice'], tools: ['*'] },
          { who: ['github:bob'], tools: ['whoami', 'echo'] },
        ],
        credential: { value: UPSTREAM_SECRET },
      },
    });
    routeId = route.id;
    routeUrl = new URL(`${world.origin('tools.localhost')}/mcp`);
    browser = await launchChromium();
    clients['alice'] = await logIn('alice');
    clients['bob'] = await logIn('bob');
  });
  after(async () => {
    for (const { client } of Object.values(clients)) await client.close();
    await browser?.close();
    await world?.stop();
    upstream?.close();
    callbackServer?.closeAllConnections();
    callbackServer?.close();
  });

  test('the credential is stored sealed and shown as (set)', async () => {
    const shown = await world.gw.api('GET', `/api/v1/routes/${routeId}`);
    assert.equal(shown.body.mcp.credential.value, '(set)');
  });

  test('each person sees only the tools they may call; a denied tool is refused when called anyway', async () => {
    const names = async (who: string) =>
      (await clients[who]!.client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(await names('alice'), ['drop_database', 'echo', 'whoami']);
    assert.deepEqual(await names('bob'), ['echo', 'whoami']);
    await assert.rejects(
      clients['bob']!.client.callTool({ name: 'drop_database', arguments: {} }),
      /github:bob may not use drop_database/,
    );
    // The upstream answers as an SSE stream: it is filtered event by event on its way.
    const raw = await fetch(routeUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${clients['bob']!.token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }),
    });
    assert.match(raw.headers.get('content-type') ?? '', /text\/event-stream/);
    const stream = await raw.text();
    assert.match(stream, /^data: .*"echo"/m);
    assert.doesNotMatch(stream, /drop_database/);
    const allowed = await clients['alice']!.client.callTool({ name: 'drop_database', arguments: {} });
    assert.deepEqual(allowed.content, [{ type: 'text', text: 'dropped' }]);
  });

  test('the upstream gets the route’s credential and who is calling, never the caller’s token', async () => {
    for (const who of ['alice', 'bob']) {
      const answer = await clients[who]!.client.callTool({ name: 'whoami', arguments: {} });
      const said = JSON.parse((answer.content as { text: string }[])[0]!.text);
      assert.deepEqual(said, { user: `github:${who}`, authorization: UPSTREAM_SECRET });
    }
    for (const { token } of Object.values(clients))
      assert.ok(!upstream.seenAuthorization.some((h) => h.includes(token)), 'no caller token upstream');
  });

  test('Mcp-Method or Mcp-Name that say other than the body: 400 with HeaderMismatch (-32020)', async () => {
    const send = (headers: Record<string, string>) =>
      fetch(routeUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${clients['bob']!.token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 9,
          method: 'tools/call',
          params: { name: 'drop_database', arguments: {} },
        }),
      });
    for (const headers of [
      { 'mcp-method': 'tools/list' },
      { 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' },
    ]) {
      const res = await send(headers);
      assert.equal(res.status, 400, JSON.stringify(headers));
      const body = (await res.json()) as { id: number; error: { code: number } };
      assert.equal(body.error.code, -32020, JSON.stringify(headers));
      assert.equal(body.id, 9);
    }
  });

  test('a 2026-07-28 client (Mcp-Method and Mcp-Name on every request) is served and held to the same policy', async (t) => {
    const client = new Client(
      { name: 'modern', version: '1' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(routeUrl, {
        fetch,
        requestInit: { headers: { authorization: `Bearer ${clients['bob']!.token}` } },
      }),
    );
    t.after(() => client.close());
    assert.deepEqual((await client.listTools()).tools.map((x) => x.name).sort(), ['echo', 'whoami']);
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'modern' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'modern' }]);
    await assert.rejects(
      client.callTool({ name: 'drop_database', arguments: {} }),
      /may not use drop_database/,
    );
  });

  test('bodies that are not JSON-RPC, or too large, are refused before anything goes upstream', async () => {
    const before = upstream.seenAuthorization.length;
    const send = (body: string) =>
      fetch(routeUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${clients['bob']!.token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body,
      });
    for (const [body, status, code] of [
      ['{not json', 400, -32700],
      ['[]', 400, -32600],
      ['"a string"', 400, -32600],
      [
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'x'.repeat(10 * 1024 * 1024) } },
        }),
        413,
        -32600,
      ],
    ] as const) {
      const res = await send(body);
      assert.equal(res.status, status, body.slice(0, 40));
      assert.equal(((await res.json()) as { error: { code: number } }).error.code, code, body.slice(0, 40));
    }
    assert.equal(upstream.seenAuthorization.length, before);
  });

  test('another person cannot use a session someone else began', async () => {
    const sessionOf = (clients['alice']!.client as unknown as { transport?: { sessionId?: string } })
      .transport?.sessionId;
    if (!sessionOf) return; // the upstream serves this revision without sessions: nothing to bind
    const res = await fetch(routeUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${clients['bob']!.token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionOf,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    assert.equal(res.status, 404);
  });

  test('one audit record per call: who, method, tool, argument hash, outcome, duration; queryable by API and tool', async () => {
    await clients['bob']!.client.callTool({ name: 'echo', arguments: { text: 'audited' } });
    const { body } = await world.gw.api('GET', `/api/v1/routes/${routeId}/mcp-calls`);
    const calls = body.calls as Record<string, unknown>[];
    const echo = calls.find((c) => c['name'] === 'echo' && c['who'] === 'github:bob');
    assert.ok(echo, JSON.stringify(calls.slice(0, 5)));
    assert.equal(echo['method'], 'tools/call');
    assert.equal(echo['outcome'], 'ok');
    assert.match(String(echo['argumentsHash']), /^[0-9a-f]{64}$/);
    assert.equal(typeof echo['durationMs'], 'number');
    assert.ok(calls.some((c) => c['name'] === 'drop_database' && c['outcome'] === 'denied'));
    assert.ok(calls.some((c) => c['outcome'] === 'header-mismatch'));
    assert.ok(!JSON.stringify(calls).includes('audited'), 'arguments are never kept');
    // The same record through Gatehouse's own MCP server.
    const admin = new Client({ name: 'admin', version: '1' });
    await admin.connect(
      new StreamableHTTPClientTransport(new URL(`${world.gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${ADMIN_KEY}` } },
      }),
    );
    const listed = await admin.callTool({
      name: 'list_mcp_calls',
      arguments: { route_id: routeId, limit: 500 },
    });
    await admin.close();
    const viaTool = (listed.structuredContent as { calls: Record<string, unknown>[] }).calls;
    assert.ok(viaTool.some((c) => c['id'] === echo['id']));
  });

  test('through a tunnel: a local MCP server behind the same login, policy and credential', async (t) => {
    const tunnel = await createTunnel(world.gw, 'local-mcp');
    const agent = await startAgent(world.gw, tunnel, new URL(upstream.url).origin);
    t.after(() => agent.stop());
    await world.gw.addRoute({
      kind: 'mcp',
      host: 'local-tools.localhost',
      path: '/mcp',
      auth: { allow: ['github:bob'] },
      mcp: {
        tunnel: 'local-mcp',
        path: '/mcp',
        access: [{ who: ['github:bob'], tools: ['echo', 'whoami'] }],
        credential: { value: UPSTREAM_SECRET },
      },
    });
    const { client, token } = await logIn('bob', new URL(`${world.origin('local-tools.localhost')}/mcp`));
    t.after(() => client.close());
    assert.deepEqual((await client.listTools()).tools.map((x) => x.name).sort(), ['echo', 'whoami']);
    const answer = await client.callTool({ name: 'whoami', arguments: {} });
    assert.deepEqual(JSON.parse((answer.content as { text: string }[])[0]!.text), {
      user: 'github:bob',
      authorization: UPSTREAM_SECRET,
    });
    await assert.rejects(
      client.callTool({ name: 'drop_database', arguments: {} }),
      /may not use drop_database/,
    );
    assert.ok(!upstream.seenAuthorization.some((h) => h.includes(token)));
  });
});
