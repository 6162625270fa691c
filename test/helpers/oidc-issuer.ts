import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { StoreAdapter } from '../../src/auth/server/store-adapter.ts';
import { systemClock } from '../../src/core/clock.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

/** A person the issuer knows; tests change `claims` to see a re-read notice it. */
export interface IssuerUser {
  readonly sub: string;
  readonly preferred_username: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups: string[];
}

/** A real oidc-provider as an upstream OIDC issuer on loopback, with a login form tests post to. */
export interface OidcIssuer {
  /** `http://localhost:<port>`: another host name than the gateway's, so browser cookies stay apart. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly users: Map<string, IssuerUser>;
  /** Revokes every grant of a user, as an operator removing the app's access would. */
  revokeUser(sub: string): Promise<void>;
  stop(): Promise<void>;
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Starts the issuer. Its interaction page is a form with a `user` field; posting it logs that user
 * in and grants every requested scope (consent included), as a person clicking through would.
 */
export async function startOidcIssuer(options: {
  redirectUris: string[];
  users: IssuerUser[];
  accessTokenSeconds?: number;
}): Promise<OidcIssuer> {
  const store = SqliteStore.open(mkdtempSync(join(tmpdir(), 'gatehouse-issuer-')));
  const users = new Map(options.users.map((u) => [u.sub, u]));
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const clientId = 'gatehouse';
  const clientSecret = 'issuer-test-secret-0123456789abcdef';
  const grants = new Map<string, Set<string>>();
  const configuration: Configuration = {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: options.redirectUris }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'issuer', alg: 'ES256', use: 'sig' }] as never },
    cookies: { keys: ['issuer-cookie-key'] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name', 'groups'],
      email: ['email', 'email_verified'],
    },
    ttl: {
      AccessToken: options.accessTokenSeconds ?? 3600,
      IdToken: 3600,
      Interaction: 600,
      Grant: 86_400,
      Session: 86_400,
      RefreshToken: 86_400,
    },
    adapter: (name: string) =>
      new StoreAdapter(name, store.ephemeral, systemClock, async () => {
        throw new Error('replayed');
      }),
    findAccount: async (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ ...user, groups: [...user.groups] }) };
    },
  };
  const provider = new Provider(url, configuration);
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = req.url?.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) return callback(req, res);
    const details = await provider.interactionDetails(req, res);
    if (!match[2]) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<form id="login" method="post" action="/interaction/${details.uid}/login"><input name="user"><button>Log in</button></form>`,
      );
      return;
    }
    const sub = (await formOf(req)).get('user') ?? '';
    if (!users.has(sub)) {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'no such user',
      });
      return;
    }
    const grant = new provider.Grant({ accountId: sub, clientId: String(details.params['client_id']) });
    grant.addOIDCScope(String(details.params['scope']));
    grant.addOIDCClaims(['preferred_username', 'name', 'groups', 'email', 'email_verified']);
    const grantId = await grant.save();
    grants.set(sub, new Set([...(grants.get(sub) ?? []), grantId]));
    await provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } });
  });
  return {
    url,
    clientId,
    clientSecret,
    users,
    revokeUser: async (sub) => {
      for (const grantId of grants.get(sub) ?? []) {
        for (const model of [provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode])
          await model.revokeByGrantId(grantId);
        const grant = await provider.Grant.find(grantId);
        await grant?.destroy();
      }
      grants.delete(sub);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(() => store.close()),
  };
}
