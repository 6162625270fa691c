import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import type { Browser } from 'playwright-core';
import { selfSigned } from './helpers/certs.ts';
import { launchChromium } from './helpers/chromium.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { type LoginWorld, startLoginWorld } from './helpers/login-world.ts';
import { loopbackFetch, MemoryOAuthProvider } from './helpers/mcp-oauth.ts';
import { tempDir } from './helpers/temp-dirs.ts';

/** Where the browser is sent back with the code: a loopback page that keeps what it was given. */
async function callbackServer() {
  const seen: URL[] = [];
  const server = createHttpServer((req, res) => {
    seen.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('you may close this page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An https server on loopback serving one Client ID Metadata Document for the callback. */
async function documentServer(redirectUri: string) {
  const dir = tempDir('gatehouse-mcp-cimd-');
  const { cert, key } = selfSigned(dir, 'docs', ['localhost']);
  let base = '';
  let fetched = 0;
  const server = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    fetched += 1;
    if (req.url === '/slow.json') return; // never answers: the fetch gives up on its own
    if (req.url === '/redirect.json') {
      res.writeHead(302, { location: `${base}/client.json` }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    res.end(
      JSON.stringify({
        client_id: req.url === '/other-id.json' ? `${base}/client.json` : `${base}${req.url}`,
        ...(req.url === '/huge.json' ? { padding: 'x'.repeat(64 * 1024) } : {}),
        client_name: 'Metadata MCP client',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/client.json`,
    base: () => base,
    caFile: cert,
    get fetched() {
      return fetched;
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('an MCP client given only the URL of /mcp logs in and manages Gatehouse', () => {
  let world: LoginWorld;
  let browser: Browser;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  let docs: Awaited<ReturnType<typeof documentServer>>;
  const fetch = loopbackFetch();
  let mcpUrl: URL;

  before(async () => {
    callback = await callbackServer();
    docs = await documentServer(callback.url);
    world = await startLoginWorld(
      // *.localhost: the SDK sends credentials over plain http to loopback names only.
      { 'admin-users': 'github:alice', domain: 'gatehouse.localhost', 'auth-host': 'gatehouse.localhost' },
      { env: { GATEHOUSE_DEV_CIMD_CA: docs.caFile } },
    );
    mcpUrl = new URL(`${world.issuer}/mcp`);
    browser = await launchChromium('*.test');
  });
  after(async () => {
    await browser?.close();
    await world?.stop();
    docs?.close();
    await callback?.close();
  });

  /**
   * Connects as the SDK does: the first attempt learns it must log in (401, the metadata, the
   * authorization server), registers, and sends the person to the authorization URL; Chromium
   * logs alice in at the GitHub stand-in; the code comes back to the callback; the SDK exchanges it.
   */
  async function logIn(provider: MemoryOAuthProvider) {
    const transport = () => new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch });
    const first = new Client({ name: 'test', version: '1' });
    await assert.rejects(first.connect(transport()), UnauthorizedError);
    const authorization = provider.authorizationUrl;
    assert.ok(authorization, 'the SDK was sent to log in');
    assert.equal(authorization.searchParams.get('resource'), mcpUrl.href);
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    const scopes = (authorization.searchParams.get('scope') ?? '').split(' ');
    assert.ok(scopes.includes('mcp') && scopes.includes('admin'), `asks for mcp and admin: ${scopes}`);

    world.github.currentUser = 'alice';
    world.github.autoApprove = true;
    const page = await (await browser.newContext()).newPage();
    await page.goto(authorization.href);
    await page.click('a.provider:has-text("GitHub")');
    await page.waitForURL(`${callback.url}**`);
    const back = callback.seen.findLast((u) => u.pathname === '/callback')!;
    assert.equal(back.searchParams.get('iss'), world.issuer, 'RFC 9207: the answer names its issuer');
    const code = back.searchParams.get('code');
    assert.ok(code, `a code came back: ${back.href}`);
    await page.context().close();

    const finishing = transport();
    await finishing.finishAuth(back.searchParams);
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(transport());
    return client;
  }

  test('registered by DCR: discovery, PKCE with resource, a browser login, tools/list, a write tool whose route serves', async (t) => {
    const provider = new MemoryOAuthProvider(callback.url);
    const client = await logIn(provider);
    t.after(() => client.close());
    assert.ok(provider.clientId && !provider.clientId.startsWith('https://'), 'registered dynamically');
    const { tools } = await client.listTools();
    assert.ok(tools.some((x) => x.name === 'create_route'));
    const made = await client.callTool({
      name: 'create_route',
      arguments: { route: { host: 'made-by-mcp.test', target: world.upstream.url } },
    });
    assert.equal(made.isError, undefined, JSON.stringify(made.content));
    const served = await world.gw.send('made-by-mcp.test', '/hello');
    assert.equal(served.status, 200);
    assert.equal(JSON.parse(served.text).url, '/hello');

    // The token is for this resource and nothing else: the same admin host by another name refuses it.
    const token = provider.tokens()?.access_token;
    const elsewhere = await globalThis.fetch(`${world.gw.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(elsewhere.status, 401);
    assert.match(elsewhere.headers.get('www-authenticate') ?? '', /error="invalid_token".*another resource/);
    // Nor does the admin API take it: its audience is <issuer>/api.
    assert.equal((await world.gw.api('GET', '/api/v1/routes', undefined, token)).status, 401);
  });

  test('known by its Client ID Metadata Document: the URL is the client id; a token without admin is stepped up', async (t) => {
    const provider = new MemoryOAuthProvider(callback.url, docs.url);
    const client = await logIn(provider);
    t.after(() => client.close());
    assert.equal(provider.clientId ?? docs.url, docs.url);
    assert.ok(docs.fetched >= 1, 'the document was fetched');
    assert.ok((await client.listTools()).tools.length > 10);

    // A refresh narrowed to mcp alone reads, and a write is refused naming every scope it needs.
    const discovery = (await (
      await fetch(`${world.issuer}/.well-known/oauth-authorization-server`)
    ).json()) as { token_endpoint: string };
    const narrowed = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: provider.tokens()?.refresh_token ?? '',
        client_id: docs.url,
        scope: 'mcp',
        resource: mcpUrl.href,
      }),
    });
    const tokens = (await narrowed.json()) as { access_token: string; scope: string };
    assert.equal(narrowed.status, 200, JSON.stringify(tokens));
    assert.equal(tokens.scope, 'mcp');
    const call = (name: string, args: object) =>
      fetch(mcpUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name, arguments: args },
        }),
      });
    const write = await call('create_api_key', { name: 'stepped' });
    assert.equal(write.status, 403);
    const challenge = write.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="mcp admin"/);
    assert.match(challenge, /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/);
    assert.equal(
      (await world.gw.api('GET', '/api/v1/keys')).body.keys.some(
        (k: { name: string }) => k.name === 'stepped',
      ),
      false,
    );
  });

  test('discovery from the bare URL: 401 names the metadata, which names the server that supports CIMD and the scopes', async () => {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(res.headers.get('www-authenticate') ?? '')?.[1];
    assert.equal(metadataUrl, `${world.issuer}/.well-known/oauth-protected-resource/mcp`);
    const metadata = (await (await fetch(metadataUrl!)).json()) as { authorization_servers: string[] };
    assert.deepEqual(metadata.authorization_servers, [world.issuer]);
    const server = (await (await fetch(`${world.issuer}/.well-known/oauth-authorization-server`)).json()) as {
      client_id_metadata_document_supported: boolean;
      authorization_response_iss_parameter_supported: boolean;
      scopes_supported: string[];
      registration_endpoint: string;
    };
    assert.equal(server.client_id_metadata_document_supported, true);
    assert.equal(server.authorization_response_iss_parameter_supported, true);
    for (const scope of ['mcp', 'admin']) assert.ok(server.scopes_supported.includes(scope), scope);
    assert.ok(server.registration_endpoint, 'DCR is still offered');
  });

  describe('Client ID Metadata Documents that must be refused, with nothing stored', () => {
    const cases = [
      { what: 'a document that redirects', path: '/redirect.json' },
      { what: 'a document larger than 5 KiB', path: '/huge.json' },
      { what: 'a document that never answers', path: '/slow.json' },
      { what: 'a document naming another client_id', path: '/other-id.json' },
    ];
    /** Starts an authorization as a client known by `clientId` would; the page it gets. */
    const authorize = async (base: string, clientId: string, redirectUri = callback.url) => {
      const url = new URL(`${base}/oauth/authorize`);
      url.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'mcp',
        resource: mcpUrl.href,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGjSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      return { status: res.status, text: await res.text(), location: res.headers.get('location') };
    };
    /** What a refused client would leave: a client record, or an interaction (a login under way). */
    const stored = async () => {
      const ephemeral = world.gw.gateway.store.ephemeral;
      return (await ephemeral.list('oidc:Client')).length + (await ephemeral.list('oidc:Interaction')).length;
    };
    for (const c of cases)
      test(c.what, async () => {
        const before = await stored();
        const answer = await authorize(world.issuer, `${docs.base()}${c.path}`);
        assert.equal(answer.status, 400, `${c.what}: ${answer.status} ${answer.location}`);
        assert.match(answer.text, /invalid_client|client/i);
        assert.equal(await stored(), before);
      });

    test('a redirect URI the document does not list', async () => {
      const answer = await authorize(world.issuer, docs.url, 'http://127.0.0.1:1/elsewhere');
      assert.equal(answer.status, 400);
      assert.match(answer.text, /redirect_uri/);
    });

    test('without the development CA, documents on loopback or private addresses are refused before any connection', async (t) => {
      const strict = await startTestGateway({ flags: { domain: 'strict.localhost' } });
      t.after(() => strict.stop());
      for (const host of ['localhost', '127.0.0.1', '10.0.0.1', '192.168.1.1', '[::1]']) {
        const fetchedBefore = docs.fetched;
        const answer = await authorize(
          `http://strict.localhost:${strict.port}`,
          `https://${host}:${new URL(docs.url).port}/client.json`,
        );
        assert.equal(answer.status, 400, host);
        assert.equal(docs.fetched, fetchedBefore, `${host}: nothing was fetched`);
      }
    });
  });
});
