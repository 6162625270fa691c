import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { createLocalJWKSet } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { TokenRejected, verifyAccessToken } from '../src/auth/route/token-verifier.ts';
import { systemClock } from '../src/core/clock.ts';
import { launchChromium } from './helpers/chromium.ts';
import { type LoginWorld, startLoginWorld } from './helpers/login-world.ts';
import { loopbackFetch, MemoryOAuthProvider } from './helpers/mcp-oauth.ts';
import { type OAuthWorld, startOAuthWorld } from './helpers/oauth-world.ts';
import { warningsNamed } from './helpers/process-warnings.ts';

const listenerLeaks = warningsNamed('MaxListenersExceededWarning');

/**
 * An MCP server built with the SDK that has its own OAuth: an authorization server of its own (a
 * second Gatehouse authorization server, with its own people), RFC 9728 metadata, and tokens
 * checked for its audience. Its whoami tool says which of its own people is calling.
 */
async function upstreamWithOAuth() {
  let url = '';
  let world: OAuthWorld | undefined;
  const seenAuthorization: string[] = [];
  const handler = createMcpHandler(({ requestInfo }) => {
    const server = new McpServer({ name: 'upstream', version: '1' });
    server.registerTool(
      'whoami',
      { description: 'Who the upstream thinks is calling', inputSchema: z.object({}) },
      async () => ({
        content: [{ type: 'text', text: requestInfo?.headers.get('x-upstream-user') ?? 'nobody' }],
      }),
    );
    return server;
  });
  const node = toNodeHandler(handler);
  const metadataPath = '/.well-known/oauth-protected-resource/mcp';
  const server: Server = createHttpServer(async (req, res) => {
    if (req.url === metadataPath) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          resource: url,
          authorization_servers: [world!.issuer],
          scopes_supported: ['tools'],
        }),
      );
      return;
    }
    seenAuthorization.push(String(req.headers.authorization));
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    try {
      if (!token) throw new TokenRejected('no token');
      const claims = await verifyAccessToken(token, {
        keys: createLocalJWKSet(await world!.node.server.jwks()),
        issuer: world!.issuer,
        audience: url,
        clock: systemClock,
        grantActive: (gid) => world!.node.server.grantActive(gid),
      });
      req.headers['x-upstream-user'] = claims.login;
    } catch {
      const origin = new URL(url).origin;
      res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${origin}${metadataPath}"` }).end();
      return;
    }
    void node(req as never, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  world = await startOAuthWorld({
    policy: () => async (resource) =>
      resource.href === url ? { audience: url, scopes: ['tools'] } : undefined,
  });
  return {
    url,
    world,
    seenAuthorization,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await world?.stop();
    },
  };
}

describe('an mcp route with per-person upstream logins: two people, two upstream identities', () => {
  let gatehouse: LoginWorld;
  let upstream: Awaited<ReturnType<typeof upstreamWithOAuth>>;
  let browser: Browser;
  let routeUrl: URL;
  const fetch = loopbackFetch();
  const seen: URL[] = [];
  let callback: Server;
  let callbackUrl = '';
  /** How far the gateway's clock runs ahead of the wall clock: moved to make upstream tokens run out. */
  let ahead = 0;

  before(async () => {
    upstream = await upstreamWithOAuth();
    callback = createHttpServer((req, res) => {
      seen.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
      res.end('ok');
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    gatehouse = await startLoginWorld(
      { domain: 'gatehouse.localhost', 'auth-host': 'gatehouse.localhost' },
      { clock: () => Date.now() + ahead },
    );
    await gatehouse.gw.addRoute({
      kind: 'mcp',
      host: 'up-tools.localhost',
      path: '/mcp',
      auth: { allow: ['github:alice', 'github:bob'] },
      mcp: { target: upstream.url, access: [{ who: ['*'], tools: ['*'] }], credential: { oauth: {} } },
    });
    routeUrl = new URL(`${gatehouse.origin('up-tools.localhost')}/mcp`);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await gatehouse?.stop();
    await upstream?.stop();
    callback?.closeAllConnections();
    callback?.close();
  });

  /** Logs `person` in to Gatehouse with the SDK's OAuth, in `page`'s browser. */
  async function gatehouseLogin(page: Page, person: string) {
    const provider = new MemoryOAuthProvider(callbackUrl);
    const transport = () => new StreamableHTTPClientTransport(routeUrl, { authProvider: provider, fetch });
    await assert.rejects(new Client({ name: 't', version: '1' }).connect(transport()), UnauthorizedError);
    gatehouse.github.currentUser = person;
    gatehouse.github.autoApprove = true;
    await page.goto(provider.authorizationUrl!.href);
    await page.click('a.provider:has-text("GitHub")');
    await page.waitForURL(`${callbackUrl}**`);
    await transport().finishAuth(seen.findLast((u) => u.pathname === '/callback')!.searchParams);
    return { transport, token: provider.tokens()!.access_token };
  }

  for (const [person, upstreamPerson] of [
    ['alice', 'u-alice'],
    ['bob', 'u-bob'],
  ] as const)
    test(`${person}: asked once to connect, consents upstream as ${upstreamPerson}, then calls as them`, async (t) => {
      const page = await (await browser.newContext()).newPage();
      t.after(() => page.context().close());
      const { transport, token } = await gatehouseLogin(page, person);

      // No upstream login yet: the answer is a URL to open (URL elicitation, -32042).
      const refused = await assert.rejects(
        new Client({ name: 't', version: '1' }).connect(transport()),
        (e: Error) => {
          assert.match(e.message, /-32042|connect your account/);
          return true;
        },
      );
      void refused;
      const connect = `${routeUrl.href}/.gatehouse/mcp-connect`;
      // The person opens it in the browser they logged in with: Gatehouse knows them already, so
      // only the upstream's own login and consent are asked for.
      await page.goto(connect);
      await page.click('a.provider:has-text("Test issuer")');
      await page.click(`#login button[value="${upstreamPerson}"]`);
      await page.waitForSelector('#connected', { timeout: 10_000 }).catch(async (e) => {
        throw new Error(`not connected at ${page.url()}: ${(await page.content()).slice(0, 1500)}`, {
          cause: e,
        });
      });

      const client = new Client({ name: 't', version: '1' });
      await client.connect(transport());
      t.after(() => client.close());
      const answer = await client.callTool({ name: 'whoami', arguments: {} });
      assert.deepEqual(answer.content, [{ type: 'text', text: `oidc:${upstreamPerson}` }]);
      assert.ok(
        !upstream.seenAuthorization.some((h) => h.includes(token)),
        'the Gatehouse token never went upstream',
      );
    });

  test('an upstream token about to run out is refreshed, with no new consent', async (t) => {
    const page = await (await browser.newContext()).newPage();
    t.after(() => page.context().close());
    const { transport } = await gatehouseLogin(page, 'alice');
    const client = new Client({ name: 't', version: '1' });
    await client.connect(transport());
    t.after(() => client.close());
    const sentBefore = upstream.seenAuthorization.at(-1);
    // Upstream tokens last 30 minutes; Gatehouse's own token still holds at 29.
    ahead = 29.8 * 60_000;
    t.after(() => {
      ahead = 0;
    });
    const answer = await client.callTool({ name: 'whoami', arguments: {} });
    assert.deepEqual(answer.content, [{ type: 'text', text: 'oidc:u-alice' }]);
    assert.notEqual(upstream.seenAuthorization.at(-1), sentBefore, 'a refreshed token was sent');
  });

  test('forwarding warns of no listener leak on the answers it streams', () => {
    assert.deepEqual(listenerLeaks, []);
  });
});
