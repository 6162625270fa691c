import { createHash } from 'node:crypto';
import { GatehouseError } from '../core/errors.ts';
import { sendJsonError } from '../http/error-response.ts';
import type { Mount } from '../routes/mount.ts';
import { FLEET_PUBLIC_KEY_PATH, type FleetKey } from './keys.ts';

/** The SHA-256 of the public key's DER, for logs and banners: says which key without showing it. */
export function keyFingerprint(key: FleetKey): string {
  return createHash('sha256')
    .update(key.publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Serves the application's public key at Tesla's well-known path on `hosts` (the admin hosts when
 * none are named), exactly as Tesla fetches it: 200, `application/x-pem-file`, no redirect.
 * Only the public half exists here; the private key never reaches a response.
 */
export function fleetKeyMount(key: FleetKey, hosts: readonly string[]): Mount {
  const body = Buffer.from(key.publicPem);
  return {
    kind: 'fleet-key',
    hosts: hosts.length > 0 ? hosts : 'admin',
    paths: { exact: [FLEET_PUBLIC_KEY_PATH] },
    request: ({ req, res, label }) => {
      label('fleet-key');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        sendJsonError(res, new GatehouseError('METHOD_NOT_ALLOWED', 'the public key is read with GET'));
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/x-pem-file',
        'content-length': body.length,
        'cache-control': 'public, max-age=300',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
