import * as acme from 'acme-client';
import type { Mount } from '../routes/mount.ts';
import type { EphemeralRepository } from '../store/types.ts';
import type { ChallengeHooks } from './acme-ca.ts';
import { challengeStores } from './cert-records.ts';

/** Where HTTP-01 answers live on every host (RFC 8555 §8.3). */
export const HTTP01_PREFIX = '/.well-known/acme-challenge';

/** How long a challenge answer stays up: the CA looks within seconds, a slow one within minutes. */
const CHALLENGE_TTL_MS = 10 * 60_000;

/** The ALPN protocol of TLS-ALPN-01 (RFC 8737 §6.2). */
export const ACME_TLS_ALPN = 'acme-tls/1';

/**
 * Puts challenge answers into the store, so whichever node the CA reaches answers: the key
 * authorization by token for HTTP-01, a self-signed certificate carrying the acmeIdentifier
 * extension by name for TLS-ALPN-01.
 */
export function storedChallengeHooks(ephemeral: EphemeralRepository): ChallengeHooks {
  const { http01, alpn } = challengeStores(ephemeral);
  return {
    async present(type, name, token, keyAuthorization) {
      if (type === 'http-01') {
        await http01.put(token, keyAuthorization, CHALLENGE_TTL_MS);
        return;
      }
      const key = await acme.crypto.createPrivateEcdsaKey('P-256');
      const authz = { identifier: { type: 'dns', value: name } } as Parameters<
        typeof acme.crypto.createAlpnCertificate
      >[0];
      const [, cert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization, key);
      await alpn.put(name, { cert: cert.toString(), key: key.toString() }, CHALLENGE_TTL_MS);
    },
    async remove(type, name, token) {
      if (type === 'http-01') await http01.delete(token);
      else await alpn.delete(name);
    },
  };
}

/** The TLS-ALPN-01 answer certificate for a name, while a challenge for it is up. */
export function alpnChallengeLookup(
  ephemeral: EphemeralRepository,
): (serverName: string) => Promise<{ cert: string; key: string } | undefined> {
  const { alpn } = challengeStores(ephemeral);
  return (serverName) => alpn.get(serverName.toLowerCase());
}

/**
 * Answers HTTP-01 on every host before routing: `GET /.well-known/acme-challenge/<token>` gets
 * the key authorization from the store. A token Gatehouse never issued is not its to answer: the
 * request is routed as usual, so a server behind a route or tunnel can run its own ACME client.
 */
export function acmeChallengeMount(ephemeral: EphemeralRepository): Mount {
  const { http01 } = challengeStores(ephemeral);
  const tokenOf = (path: string) => path.slice(HTTP01_PREFIX.length + 1);
  return {
    kind: 'acme-challenge',
    hosts: 'any',
    paths: { prefixes: [HTTP01_PREFIX] },
    declines: async (_host, path) => (await http01.get(tokenOf(path))) === undefined,
    request: async ({ req, res, target }) => {
      const answer = await http01.get(tokenOf(target.path));
      if (answer === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(answer === undefined ? 404 : 405, {
          'content-type': 'text/plain; charset=utf-8',
          ...(answer === undefined ? {} : { allow: 'GET, HEAD' }),
        });
        res.end(
          answer === undefined
            ? 'No ACME challenge with this token.\n'
            : 'ACME challenges are read with GET.\n',
        );
        return;
      }
      const body = Buffer.from(answer);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
