import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { oauthEdgeClient } from '../src/auth/sessions/oauth-edge-client.ts';
import { manualClock } from '../src/core/clock.ts';

/** An unsigned JWT with these claims: the edge client only reads them. */
function accessToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256', typ: 'at+jwt' })}.${part(claims)}.c2ln`;
}

describe('the edge client judges token lifetimes by the injected clock', () => {
  let server: Server;
  let issuer: string;
  /** What the token endpoint answers next. */
  let answer: Record<string, unknown>;

  before(async () => {
    server = createServer((req, res) => {
      const json = (body: object) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/.well-known/oauth-authorization-server')
        return json({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
        });
      if (req.url === '/token' && req.method === 'POST') return req.resume().on('end', () => json(answer));
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases: readonly {
    readonly name: string;
    readonly claims: Record<string, unknown>;
    readonly expiresIn?: number;
    readonly expiresAt: (now: number) => number;
  }[] = [
    {
      name: 'a token without exp lives expires_in from the clock’s now',
      claims: { sub: 'alice' },
      expiresIn: 300,
      expiresAt: (now) => now + 300_000,
    },
    {
      name: 'without expires_in either, a minute from the clock’s now',
      claims: { sub: 'alice' },
      expiresAt: (now) => now + 60_000,
    },
    {
      name: 'a token’s own exp is kept as it is',
      claims: { sub: 'alice', exp: Date.UTC(2040, 0, 1) / 1000 },
      expiresIn: 300,
      expiresAt: () => Date.UTC(2040, 0, 1),
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const clock = manualClock(Date.UTC(2035, 5, 1));
      const client = oauthEdgeClient({ issuer, clientSecret: 'secret', fetch, clock });
      answer = {
        access_token: accessToken(c.claims),
        token_type: 'Bearer',
        refresh_token: 'next',
        ...(c.expiresIn === undefined ? {} : { expires_in: c.expiresIn }),
      };
      const refresh = () =>
        client.refresh({ host: 'app.test', refreshToken: 'old', resource: 'https://app.test' });
      const first = await refresh();
      assert.equal(first.expiresAt, c.expiresAt(clock()));
      assert.equal(first.accountId, 'alice');
      clock.advance(3_600_000);
      assert.equal(
        (await refresh()).expiresAt,
        c.expiresAt(clock()),
        'a later refresh reads the clock again',
      );
    });
  }
});
