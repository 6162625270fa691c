import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type GithubStandin, startGithubStandin } from './helpers/github-standin.ts';
import { HttpBrowser } from './helpers/http-browser.ts';
import { PEOPLE } from './helpers/login-world.ts';
import { type RedisServer, startRedis } from './helpers/redis.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

describe('two nodes on one Redis, behind one https name', () => {
  let redis: RedisServer;
  let github: GithubStandin;
  let upstream: Upstream;
  let nodes: TestGateway[];

  before(async () => {
    redis = await startRedis();
    github = await startGithubStandin({
      apps: [
        {
          clientId: 'gh-app',
          clientSecret: 'gh-secret',
          callbackUrl: 'https://gatehouse.test/login/callback/github',
        },
      ],
      users: structuredClone(PEOPLE),
    });
    upstream = await startUpstream();
    const shared = {
      flags: { store: redis.url, domain: 'gatehouse.test', 'trust-proxy': true },
      env: {
        GATEHOUSE_SECRET_KEY: randomBytes(32).toString('base64'),
        GITHUB_CLIENT_ID: 'gh-app',
        GITHUB_CLIENT_SECRET: 'gh-secret',
        GITHUB_URL: github.url,
      },
    };
    nodes = [await startTestGateway(shared), await startTestGateway(shared)];
    await nodes[0]!.addRoute({
      host: 'app.test',
      target: upstream.url,
      auth: { allow: ['github-org:acme'] },
    });
  });
  after(async () => {
    for (const node of nodes ?? []) await node.stop();
    await upstream?.close();
    await github?.close();
    await redis?.stop();
  });

  test('a browser logged in through node A is let through by node B, with keys both share', async () => {
    const browser = new HttpBrowser();
    let node = nodes[0]!;
    // The load balancer: https names to whichever node, saying the request came over https.
    browser.via = (url) =>
      url.protocol === 'https:' ? { port: node.port, headers: { 'x-forwarded-proto': 'https' } } : undefined;
    github.currentUser = 'alice';
    github.autoApprove = true;
    const loginPage = await browser.navigate('https://app.test/first');
    const link = /href="([^"]*\/start\/github)"/.exec(loginPage.text)?.[1];
    assert.ok(link, loginPage.text);
    const landed = await browser.navigate(new URL(link.replaceAll('&amp;', '&'), loginPage.url));
    assert.equal(landed.status, 200, landed.text);
    assert.ok(browser.cookies('app.test').has('__Host-gatehouse-session'), 'the https cookie name');

    node = nodes[1]!;
    const second = await browser.send('https://app.test/second');
    assert.equal(second.status, 200, 'node B knows the session and verifies its token');
    assert.equal(upstream.seen.at(-1)?.url, '/second');
    assert.equal(upstream.seen.at(-1)?.headers['x-auth-user'], 'github:alice');
    const [a, b] = await Promise.all(nodes.map((n) => n.gateway.authorizationServer()!.jwks()));
    assert.deepEqual(a, b, 'one signing key for both');
  });
});
