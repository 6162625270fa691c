import { Hono } from 'hono';
import { certificateService } from './certificate-service.ts';
import type { AdminDeps, AdminEnv } from './deps.ts';

/**
 * `/api/v1/certificates`: the automatic certificates with their names, issuer, expiry, profile,
 * ARI window and last error; a forced renewal and a revocation. Private keys never leave the store.
 */
export function certificatesApi(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const service = certificateService(deps);
  app.get('/', async (c) => c.json({ certificates: await service.listCertificates() }));
  app.get('/:id', async (c) => c.json(await service.getCertificate(c.req.param('id'))));
  app.get('/:id/chain', async (c) =>
    c.body(await service.certificateChain(c.req.param('id')), 200, {
      'content-type': 'application/pem-certificate-chain',
    }),
  );
  app.post('/:id/renew', async (c) => c.json(await service.renewCertificate(c.req.param('id'))));
  app.post('/:id/revoke', async (c) => c.json(await service.revokeCertificate(c.req.param('id'))));
  return app;
}
