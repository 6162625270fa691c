import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withoutResourceScopes } from '../src/auth/server/resource-scopes.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { freePort } from './helpers/redis.ts';
import { waitFor } from './helpers/wait-for.ts';

describe('a client given only a protected URL can register with the scopes its metadata names', () => {
  let gw: TestGateway;
  let issuer: string;
  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    gw = await startTestGateway({ flags: { port: String(port), 'auth-host': '127.0.0.1' } });
    await gw.addRoute({
      host: 'app.test',
      target: 'http://127.0.0.1:9',
      auth: { allow: ['*'], scopes: { 'reports:read': ['*'] } },
    });
  });
  after(() => gw.stop());

  const register = (scope: string) =>
    fetch(`${issuer}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'an MCP client',
        redirect_uris: ['http://127.0.0.1:33418/callback'],
        token_endpoint_auth_method: 'none',
        scope,
      }),
    });

  test("the route's metadata scopes, and Gatehouse's own, are accepted and advertised", async () => {
    const metadata = await gw.send('app.test', '/.well-known/oauth-protected-resource');
    assert.equal(metadata.status, 200, metadata.text);
    const scopes = (JSON.parse(metadata.text) as { scopes_supported: string[] }).scopes_supported;
    assert.ok(scopes.includes('reports:read'), metadata.text);
    const registered = await register(scopes.join(' '));
    assert.equal(registered.status, 201, await registered.clone().text());
    // Resource scopes are granted per resource at authorization: the client is not limited by them.
    assert.equal(((await registered.json()) as { scope?: string }).scope, undefined);
    const mixed = await register(`openid ${scopes.join(' ')}`);
    assert.equal(((await mixed.json()) as { scope?: string }).scope, 'openid');
    assert.equal((await register('user admin')).status, 201);
    // What /mcp's metadata advertises, as a client that registers with its scopes_supported asks.
    const mcpMetadata = await gw.send('localhost', '/.well-known/oauth-protected-resource/mcp');
    const mcpScopes = (JSON.parse(mcpMetadata.text) as { scopes_supported: string[] }).scopes_supported;
    assert.deepEqual(mcpScopes, ['mcp', 'admin']);
    assert.equal((await register(mcpScopes.join(' '))).status, 201);
    const discovery = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as {
      scopes_supported: string[];
    };
    for (const scope of ['openid', 'user', 'admin', 'mcp', 'reports:read'])
      assert.ok(discovery.scopes_supported.includes(scope), scope);
  });

  test('a scope no resource advertises is still refused, and a route added later is taken at once', async () => {
    const unknown = await register('nobody-advertises-this');
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /invalid_client_metadata/);
    await gw.addRoute({
      host: 'later.test',
      target: 'http://127.0.0.1:9',
      auth: { allow: ['*'], scopes: { deploy: ['*'] } },
    });
    await waitFor('the new route to serve its metadata', async () => {
      const res = await gw.send('later.test', '/.well-known/oauth-protected-resource');
      return res.status === 200;
    });
    const deploy = await register('deploy');
    assert.equal(deploy.status, 201, await deploy.text());
  });
});

describe('which registration bodies lose advertised scopes', () => {
  const advertised = new Set(['user', 'reports:read']);
  const cases: [body: string, expected: string | undefined][] = [
    ['{"scope":"user"}', '{}'],
    ['{"scope":"openid user reports:read","client_name":"x"}', '{"scope":"openid","client_name":"x"}'],
    ['{"scope":"openid email"}', undefined],
    ['{"scope":"unknown user"}', '{"scope":"unknown"}'],
    ['{"scope":["user"]}', undefined],
    ['["user"]', undefined],
    ['not json', undefined],
    ['null', undefined],
  ];
  for (const [body, expected] of cases)
    test(body, () =>
      assert.equal(withoutResourceScopes(Buffer.from(body), advertised)?.toString(), expected),
    );
});
