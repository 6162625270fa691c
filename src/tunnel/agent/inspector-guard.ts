import { isIP } from 'node:net';
import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { bearerToken, digestsEqual, hashApiKey } from '../../auth/keys/api-key.ts';
import { InspectorError } from './errors.ts';

/** Host names that always mean this machine; a DNS name of anyone's could be rebound to it. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Keeps the inspector to its user: a Host other than a loopback name or the address it was
 * reached at, with its port, is refused (DNS rebinding); a request that changes something from
 * another page's Origin is refused (cross-site requests); and the API needs this run's token.
 */
export function guardInspector(token: string): MiddlewareHandler<{ Bindings: HttpBindings }> {
  const tokenHash = hashApiKey(token);
  return async (c, next) => {
    const { localPort, localAddress } = c.env.incoming.socket;
    const host = c.req.header('host') ?? '';
    if (!isOwnHost(host, localPort ?? 0, localAddress ?? ''))
      throw new InspectorError(
        'INSPECTOR_HOST_REFUSED',
        `the inspector answers only at http://127.0.0.1:${localPort} (or localhost, [::1]), ` +
          `not to Host ${JSON.stringify(host)}; open the inspector URL gatehouse tunnel printed`,
      );
    const origin = c.req.header('origin');
    if (!SAFE_METHODS.has(c.req.method) && origin !== undefined && origin !== `http://${host}`)
      throw new InspectorError(
        'INSPECTOR_ORIGIN_REFUSED',
        `a page from ${origin} may not change the inspector; replay from the inspector's own page at http://${host}/`,
      );
    if (c.req.path.startsWith('/api/')) {
      const given = bearerToken(c.req.header('authorization'));
      if (!given)
        throw new InspectorError(
          'INSPECTOR_TOKEN_REQUIRED',
          "the inspector API needs this run's token: send Authorization: Bearer <token>, with the token " +
            'from the inspector URL gatehouse tunnel printed (…/#token=<token>)',
        );
      if (!digestsEqual(hashApiKey(given), tokenHash))
        throw new InspectorError(
          'INSPECTOR_TOKEN_INVALID',
          "that is not this run's inspector token (each run of gatehouse tunnel makes a new one); " +
            'use the token from the inspector URL it printed',
        );
    }
    await next();
  };
}

/** True for `localhost:4040`, `127.0.0.1:4040`, `[::1]:4040`, or the address literal reached, on our port. */
function isOwnHost(host: string, port: number, localAddress: string): boolean {
  if (/[/?#@\\]/.test(host) || !URL.canParse(`http://${host}`)) return false;
  const url = new URL(`http://${host}`);
  if (Number(url.port || 80) !== port) return false;
  if (LOOPBACK_NAMES.has(url.hostname)) return true;
  // An address literal cannot be rebound, so the one this connection came in on is fine too.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(literal) !== 0 && literal === localAddress.replace(/^::ffff:/, '');
}
