import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';

/** A developer's local API shaped like the proposal's: initiate, callback, report, and a page. */
export interface OAuthApp {
  readonly url: string;
  /** The states of the callbacks this app received. */
  readonly callbacks: string[];
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html><body>
<button id="connect">Connect</button><pre id="report"></pre>
<script>
const params = new URLSearchParams(location.search);
if (params.get('oauth') === 'success') {
  fetch('/report/' + params.get('session_id')).then((r) => r.json()).then((r) => {
    document.getElementById('report').textContent = JSON.stringify(r);
  });
}
document.getElementById('connect').onclick = async () => {
  const { authUrl } = await (await fetch('/oauth/initiate', { method: 'POST' })).json();
  location.href = authUrl;
};
</script></body></html>`;

/** Starts the app as developer `name`, registered at the provider as the one client with one redirect URI. */
export async function startOAuthApp(
  name: string,
  provider: { issuer: string; clientId: string; clientSecret: string; redirectUri: string },
): Promise<OAuthApp> {
  const config = await oidc.discovery(
    new URL(provider.issuer),
    provider.clientId,
    provider.clientSecret,
    undefined,
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const pending = new Map<string, string>();
  const reports = new Map<string, unknown>();
  const callbacks: string[] = [];

  const handle = async (
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> => {
    const url = new URL(req.url ?? '/', 'http://app.invalid');
    if (req.method === 'POST' && url.pathname === '/oauth/initiate') {
      const state = oidc.randomState();
      const verifier = oidc.randomPKCECodeVerifier();
      pending.set(state, verifier);
      const authUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: provider.redirectUri,
        scope: 'openid profile',
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authUrl: authUrl.href }),
      };
    }
    if (url.pathname === '/api/v1/tesla/oauth/callback') {
      const state = url.searchParams.get('state') ?? '';
      callbacks.push(state);
      const verifier = pending.get(state);
      if (!verifier) return { status: 400, headers: {}, body: `${name}: unknown state` };
      const current = new URL(provider.redirectUri);
      current.search = url.search;
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      const sessionId = randomBytes(8).toString('hex');
      reports.set(sessionId, { developer: name, userinfo });
      return { status: 302, headers: { location: `/app?oauth=success&session_id=${sessionId}` }, body: '' };
    }
    if (url.pathname.startsWith('/report/')) {
      const report = reports.get(url.pathname.slice('/report/'.length));
      return report
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) }
        : { status: 404, headers: {}, body: 'no such report' };
    }
    if (url.pathname === '/app') return { status: 200, headers: { 'content-type': 'text/html' }, body: PAGE };
    return { status: 404, headers: {}, body: 'not found' };
  };

  const server: Server = createServer((req, res) => {
    req.resume();
    handle(req).then(
      (r) => res.writeHead(r.status, r.headers).end(r.body),
      (error: Error) => res.writeHead(500).end(`${name}: ${error.message}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    callbacks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
