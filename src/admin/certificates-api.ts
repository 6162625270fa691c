import { Hono } from 'hono';
import { CertError } from '../certs/cert-error.ts';
import type { AdminDeps, AdminEnv } from './deps.ts';

/** What a certificate id in a path may be. */
const ID = /^[a-f0-9]{1,64}$/;

/**
 * `/api/v1/certificates`: the automatic certificates with their names, issuer, expiry, profile,
 * ARI window and last error; a forced renewal and a revocation. Private keys never leave the store.
 */
export function certificatesApi(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const manager = () => {
    if (!deps.certificates)
      throw new CertError(
        'CERT_ACME_OFF',
        'automatic certificates are off: start with --acme-email or --acme-directory to turn them on',
      );
    return deps.certificates;
  };
  const id = (raw: string) => {
    if (!ID.test(raw))
      throw new CertError(
        'CERT_NOT_FOUND',
        `no certificate ${raw}: list them with GET /api/v1/certificates/`,
      );
    return raw;
  };

  app.get('/', async (c) =>
    c.json({ certificates: deps.certificates ? await deps.certificates.list() : [] }),
  );
  app.get('/:id', async (c) => c.json(await manager().get(id(c.req.param('id')))));
  app.get('/:id/chain', async (c) =>
    c.body(await manager().chain(id(c.req.param('id'))), 200, {
      'content-type': 'application/pem-certificate-chain',
    }),
  );
  app.post('/:id/renew', async (c) => c.json(await manager().renew(id(c.req.param('id')))));
  app.post('/:id/revoke', async (c) => c.json(await manager().revoke(id(c.req.param('id')))));
  return app;
}
