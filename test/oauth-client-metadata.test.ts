import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import * as client from 'openid-client';
import { metadataFetch } from '../src/auth/server/metadata-fetch.ts';
import { selfSigned } from './helpers/certs.ts';
import { HttpBrowser } from './helpers/http-browser.ts';
import {
  authorizationRequest,
  insecure,
  MCP_RESOURCE,
  type OAuthWorld,
  REDIRECT_URI,
  startOAuthWorld,
} from './helpers/oauth-world.ts';
import { tempDir } from './helpers/temp-dirs.ts';

/** An https server on loopback serving client metadata documents: one good, one too big, one that never answers. */
async function documentServer(): Promise<{ base: string; ca: string; server: Server }> {
  const dir = tempDir('gatehouse-cimd-');
  const { cert, key } = selfSigned(dir, 'docs', ['localhost']);
  let base = '';
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    if (req.url === '/hang.json') return; // never answers: the fetch must give up on its own
    const doc =
      req.url === '/big.json'
        ? { client_id: `${base}/big.json`, redirect_uris: [REDIRECT_URI], padding: 'x'.repeat(10_000) }
        : {
            client_id: `${base}${req.url}`,
            client_name: 'Metadata client',
            redirect_uris: [REDIRECT_URI],
            token_endpoint_auth_method: 'none',
          };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  return { base, ca: readFileSync(cert, 'utf8'), server };
}

describe('Client ID Metadata Documents (a URL as client_id)', () => {
  let docs: Awaited<ReturnType<typeof documentServer>>;
  let world: OAuthWorld;
  let strict: OAuthWorld;
  before(async () => {
    docs = await documentServer();
    world = await startOAuthWorld({
      clientMetadata: { allowPrivateNetwork: { ca: docs.ca }, timeoutMs: 300 },
    });
    strict = await startOAuthWorld();
  });
  after(async () => {
    docs.server.closeAllConnections();
    docs.server.close();
    await world.stop();
    await strict.stop();
  });

  test('a client known only by its document URL logs in and gets tokens', async () => {
    const clientId = `${docs.base}/client.json`;
    const discovered = await world.configFor('x');
    const config = new client.Configuration(
      JSON.parse(JSON.stringify(discovered.serverMetadata())),
      clientId,
      undefined,
      client.None(),
    );
    insecure.execute[0]!(config);
    const { url, verifier, state } = await authorizationRequest(config);
    const tokens = await client.authorizationCodeGrant(config, await world.login(url, 'u-alice'), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.client_id, clientId);
    assert.equal(claims.aud, MCP_RESOURCE);
  });

  test('fetches are bounded: too large, too slow, or on a private address without the dev option', async (t) => {
    const cases: [string, OAuthWorld, string, RegExp][] = [
      ['too large', world, `${docs.base}/big.json`, /response too large/],
      ['too slow', world, `${docs.base}/hang.json`, /timeout|aborted/i],
      ['loopback in production', strict, `${docs.base}/client.json`, /no connection was made/],
    ];
    // Trusted everywhere in this process, so only the address rule can refuse the strict server.
    const defaults = getCACertificates('default');
    setDefaultCACertificates([...defaults, docs.ca]);
    t.after(() => setDefaultCACertificates(defaults));
    for (const [name, w, clientId, why] of cases) {
      w.logs.length = 0;
      const url = new URL(`${w.issuer}/oauth/authorize`);
      url.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const started = Date.now();
      const res = await new HttpBrowser().send(url);
      assert.equal(res.status, 400, name);
      assert.equal(res.headers['location'], undefined, `${name}: no redirect for an unknown client`);
      assert.match(res.text, /client_id metadata document fetch failed/, name);
      assert.match(w.logs.join('\n'), why, `${name}: the log says why`);
      assert.ok(Date.now() - started < 2000, `${name}: answered in time`);
    }
  });
});

/** A TCP listener on loopback that only counts the connections made to it. */
async function connectionCounter(): Promise<{ port: number; count: () => number; close: () => void }> {
  let count = 0;
  const server = createNetServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, count: () => count, close: () => server.close() };
}

describe('an inward client document URL is refused before any connection', () => {
  let strict: OAuthWorld;
  let counter: Awaited<ReturnType<typeof connectionCounter>>;
  before(async () => {
    counter = await connectionCounter();
    strict = await startOAuthWorld();
  });
  after(async () => {
    counter.close();
    await strict.stop();
  });

  for (const [what, host] of [
    ['a name resolving to loopback', 'localhost'],
    ['a loopback address', '127.0.0.1'],
  ] as const) {
    test(`${what}: no TCP connection is attempted (no timing oracle for internal ports)`, async () => {
      strict.logs.length = 0;
      const url = new URL(`${strict.issuer}/oauth/authorize`);
      url.search = new URLSearchParams({
        client_id: `https://${host}:${counter.port}/client.json`,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const res = await new HttpBrowser().send(url);
      assert.equal(res.status, 400);
      assert.match(res.text, /client_id metadata document fetch failed/);
      assert.match(strict.logs.join('\n'), /resolves to 127\.0\.0\.1, a private, loopback/);
      assert.equal(counter.count(), 0, 'nothing connected to the loopback port');
    });
  }
});

test('a client document is fetched from the address that was checked, resolved once', async () => {
  const docs = await documentServer();
  try {
    const asked: string[] = [];
    // The first answer is the one checked; any later answer (a rebinding DNS) must not be used.
    const resolve = async (host: string) => {
      asked.push(host);
      return [{ address: asked.length === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    };
    const fetchDocument = metadataFetch({ allowPrivateNetwork: { ca: docs.ca }, resolve });
    const res = await fetchDocument(`${docs.base}/client.json`, { method: 'GET' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { client_name: string }).client_name, 'Metadata client');
    assert.deepEqual(asked, ['localhost'], 'one lookup, before connecting');
  } finally {
    docs.server.closeAllConnections();
    docs.server.close();
  }
});
